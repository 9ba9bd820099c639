package discover_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/service"
)

// reporter is a source that counts failure reports.
type reporter struct {
	*discover.Static[netip.AddrPort, discover.Addr]
	reports int
}

func (r *reporter) ReportFailure() { r.reports++ }

func TestMapWeightAndReports(t *testing.T) {
	a := netip.MustParseAddrPort("10.0.0.1:80")
	b := netip.MustParseAddrPort("10.0.0.2:80")
	st, err := discover.NewStatic(
		discover.Entry[netip.AddrPort, discover.Addr]{Key: a, Value: discover.Addr{AddrPort: a, Weight: 7}},
		discover.Entry[netip.AddrPort, discover.Addr]{Key: b, Value: discover.Addr{AddrPort: b, Weight: 0}},
	)
	require.NoError(t, err)
	src := &reporter{Static: st}
	m, err := discover.Map(src, func(context.Context, netip.AddrPort, discover.Addr, *service.Scope) (service.Service[int, int], error) {
		return service.Func[int, int](func(context.Context, int) (int, error) { return 0, nil }), nil
	}, discover.MapConfig{})
	require.NoError(t, err)

	c, err := m.Next(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 7.0, c.Value.Weight, "an SRV weight becomes the endpoint's weight")
	c, err = m.Next(t.Context())
	require.NoError(t, err)
	assert.Equal(t, discover.ZeroWeight, c.Value.Weight, "SRV weight 0 gets a very small share, not none")

	m.ReportFailure()
	assert.Equal(t, 1, src.reports, "Mapped forwards failure reports to its source")
}
