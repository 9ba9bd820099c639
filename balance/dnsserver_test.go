package balance_test

import (
	"testing"

	"github.com/tower-go/tower/internal/dnstest"
)

// The test DNS server and fake clock live in internal/dnstest, shared by the
// balance and discover tests.
type (
	dnsServer = dnstest.Server
	fakeClock = dnstest.Clock
)

func startDNS(t *testing.T) *dnsServer { return dnstest.Start(t) }
func newFakeClock() *fakeClock         { return dnstest.NewClock() }
