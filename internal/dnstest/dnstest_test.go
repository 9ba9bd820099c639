package dnstest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/internal/dnstest"
)

func TestServerAnswersWhatTheTestSets(t *testing.T) {
	s := dnstest.Start(t)
	s.SetHost("web.test.", "127.0.0.7")
	addrs, err := s.Resolver().LookupHost(t.Context(), "web.test.")
	require.NoError(t, err)
	assert.Equal(t, []string{"127.0.0.7"}, addrs)
	assert.Positive(t, s.Count("A", "web.test."))

	s.RemoveHost("web.test.")
	_, err = s.Resolver().LookupHost(t.Context(), "web.test.")
	assert.Error(t, err)

	s.SetFail(true)
	s.SetHost("web.test.", "127.0.0.7")
	_, err = s.Resolver().LookupHost(t.Context(), "web.test.")
	assert.Error(t, err, "SERVFAIL")
}

func TestClockFiresOnlyWhenAdvanced(t *testing.T) {
	c := dnstest.NewClock()
	start := c.Now()
	ch := c.After(time.Second)
	c.WaitFor(t, start.Add(time.Second))
	c.Advance(999 * time.Millisecond)
	select {
	case <-ch:
		t.Fatal("fired early")
	default:
	}
	c.Advance(time.Millisecond)
	assert.Equal(t, start.Add(time.Second), <-ch)
}
