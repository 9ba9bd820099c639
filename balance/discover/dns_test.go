package discover_test

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/service"
)

const (
	refresh     = 30 * time.Second
	minInterval = time.Second
)

type dnsChange = discover.Change[netip.AddrPort, discover.Addr]

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// take reads n changes, failing the test if they do not come within 10s.
func take(t *testing.T, src discover.Source[netip.AddrPort, discover.Addr], n int) []dnsChange {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var out []dnsChange
	for range n {
		c, err := src.Next(ctx)
		require.NoError(t, err)
		out = append(out, c)
	}
	return out
}

// none checks that no change is pending.
func none(t *testing.T, src discover.Source[netip.AddrPort, discover.Addr]) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c, err := src.Next(ctx)
	require.ErrorIs(t, err, context.Canceled, "unexpected change %v", c)
}

type events struct {
	mu sync.Mutex
	es []discover.Event
}

func (e *events) add(ev discover.Event) { e.mu.Lock(); e.es = append(e.es, ev); e.mu.Unlock() }
func (e *events) kinds() []discover.EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ks []discover.EventKind
	for _, ev := range e.es {
		ks = append(ks, ev.Kind)
	}
	return ks
}

// newSource starts a DNS source over s with a fake clock, stopped at cleanup.
func newSource(t *testing.T, s *dnsServer, mk func(cfg discover.DNSConfig) (*discover.DNS, error)) (*discover.DNS, *fakeClock, *events) {
	t.Helper()
	clock, ev := newFakeClock(), new(events)
	src, err := mk(discover.DNSConfig{
		Resolver: s.Resolver(), Refresh: refresh, MinInterval: minInterval, Clock: clock, Events: ev.add,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, src.Stop(context.Background())) })
	return src, clock, ev
}

func TestDNS(t *testing.T) {
	t.Run("an added and a removed A record show as one insert and one remove within one refresh", func(t *testing.T) {
		s := startDNS(t)
		s.SetHost("web.test.", "10.0.0.1", "10.0.0.2")
		src, clock, ev := newSource(t, s, func(cfg discover.DNSConfig) (*discover.DNS, error) {
			return discover.NewDNS("web.test.", 8080, cfg)
		})
		t0 := clock.Now()
		got := take(t, src, 2)
		assert.Equal(t, []dnsChange{
			discover.Insert(ap("10.0.0.1:8080"), discover.Addr{AddrPort: ap("10.0.0.1:8080"), Target: "web.test.", Weight: 1}),
			discover.Insert(ap("10.0.0.2:8080"), discover.Addr{AddrPort: ap("10.0.0.2:8080"), Target: "web.test.", Weight: 1}),
		}, got)
		clock.WaitFor(t, t0.Add(refresh))
		none(t, src)

		s.SetHost("web.test.", "10.0.0.2", "10.0.0.3") // add .3, remove .1
		clock.Advance(refresh)
		clock.WaitFor(t, t0.Add(2*refresh)) // the refresh is done
		got = take(t, src, 2)
		assert.Equal(t, []dnsChange{
			discover.Insert(ap("10.0.0.3:8080"), discover.Addr{AddrPort: ap("10.0.0.3:8080"), Target: "web.test.", Weight: 1}),
			discover.Remove[netip.AddrPort, discover.Addr](ap("10.0.0.1:8080")),
		}, got, "exactly one insert and one remove, the insert first")
		none(t, src)
		assert.Equal(t, []discover.EventKind{discover.EventResolved, discover.EventResolved}, ev.kinds())
	})
	t.Run("A and AAAA, or one family", func(t *testing.T) {
		s := startDNS(t)
		s.SetHost("dual.test.", "10.0.0.1", "fd00::1")
		src, _, _ := newSource(t, s, func(cfg discover.DNSConfig) (*discover.DNS, error) {
			return discover.NewDNS("dual.test.", 80, cfg)
		})
		got := take(t, src, 2)
		assert.Equal(t, ap("10.0.0.1:80"), got[0].Key)
		assert.Equal(t, ap("[fd00::1]:80"), got[1].Key)

		v6, _, _ := newSource(t, s, func(cfg discover.DNSConfig) (*discover.DNS, error) {
			cfg.Network = "ip6"
			return discover.NewDNS("dual.test.", 80, cfg)
		})
		assert.Equal(t, ap("[fd00::1]:80"), take(t, v6, 1)[0].Key)
		none(t, v6)
	})
	t.Run("SRV: the lowest priority group, with weights and ports", func(t *testing.T) {
		s := startDNS(t)
		s.SetHost("a.test.", "10.0.1.1")
		s.SetHost("b.test.", "10.0.1.2", "10.0.1.3")
		s.SetHost("backup.test.", "10.0.2.1")
		s.SetSRV("_http._tcp.svc.test.",
			&dns.SRV{Priority: 10, Weight: 5, Port: 8001, Target: "a.test."},
			&dns.SRV{Priority: 10, Weight: 1, Port: 8002, Target: "b.test."},
			&dns.SRV{Priority: 20, Weight: 9, Port: 9000, Target: "backup.test."},
		)
		src, clock, _ := newSource(t, s, func(cfg discover.DNSConfig) (*discover.DNS, error) {
			return discover.NewSRV("_http._tcp.svc.test.", cfg)
		})
		t0 := clock.Now()
		got := take(t, src, 3)
		assert.Equal(t, []dnsChange{
			discover.Insert(ap("10.0.1.1:8001"), discover.Addr{AddrPort: ap("10.0.1.1:8001"), Target: "a.test.", Priority: 10, Weight: 5}),
			discover.Insert(ap("10.0.1.2:8002"), discover.Addr{AddrPort: ap("10.0.1.2:8002"), Target: "b.test.", Priority: 10, Weight: 1}),
			discover.Insert(ap("10.0.1.3:8002"), discover.Addr{AddrPort: ap("10.0.1.3:8002"), Target: "b.test.", Priority: 10, Weight: 1}),
		}, got, "the priority-20 backup is not used while priority 10 resolves")
		clock.WaitFor(t, t0.Add(refresh))
		none(t, src)

		// The priority-10 targets stop resolving: the backup group takes over.
		s.RemoveHost("a.test.")
		s.RemoveHost("b.test.")
		clock.Advance(refresh)
		clock.WaitFor(t, t0.Add(2*refresh))
		got = take(t, src, 4)
		assert.Equal(t, discover.Insert(ap("10.0.2.1:9000"), discover.Addr{AddrPort: ap("10.0.2.1:9000"), Target: "backup.test.", Priority: 20, Weight: 9}), got[0])
		removed := map[netip.AddrPort]bool{}
		for _, c := range got[1:] {
			assert.Equal(t, discover.OpRemove, c.Op)
			removed[c.Key] = true
		}
		assert.Equal(t, map[netip.AddrPort]bool{ap("10.0.1.1:8001"): true, ap("10.0.1.2:8002"): true, ap("10.0.1.3:8002"): true}, removed)
		none(t, src)
	})
	t.Run("a weight change is an insert that replaces the endpoint", func(t *testing.T) {
		s := startDNS(t)
		s.SetHost("a.test.", "10.0.1.1")
		s.SetSRV("_x._tcp.w.test.", &dns.SRV{Priority: 1, Weight: 5, Port: 80, Target: "a.test."})
		src, clock, _ := newSource(t, s, func(cfg discover.DNSConfig) (*discover.DNS, error) {
			return discover.NewSRV("_x._tcp.w.test.", cfg)
		})
		t0 := clock.Now()
		assert.Equal(t, uint16(5), take(t, src, 1)[0].Value.Weight)
		clock.WaitFor(t, t0.Add(refresh))
		s.SetSRV("_x._tcp.w.test.", &dns.SRV{Priority: 1, Weight: 7, Port: 80, Target: "a.test."})
		clock.Advance(refresh)
		clock.WaitFor(t, t0.Add(2*refresh))
		c := take(t, src, 1)[0]
		assert.Equal(t, discover.OpInsert, c.Op)
		assert.Equal(t, uint16(7), c.Value.Weight)
		none(t, src)
	})
	t.Run("a resolution error keeps the last good set", func(t *testing.T) {
		s := startDNS(t)
		s.SetHost("web.test.", "10.0.0.1")
		src, clock, ev := newSource(t, s, func(cfg discover.DNSConfig) (*discover.DNS, error) {
			return discover.NewDNS("web.test.", 80, cfg)
		})
		t0 := clock.Now()
		take(t, src, 1)
		clock.WaitFor(t, t0.Add(refresh))

		s.SetFail(true)
		clock.Advance(refresh)
		clock.WaitFor(t, t0.Add(2*refresh))
		none(t, src) // SERVFAIL removed nothing
		s.SetFail(false)
		s.RemoveHost("web.test.") // NXDOMAIN: no endpoints, also kept
		clock.Advance(refresh)
		clock.WaitFor(t, t0.Add(3*refresh))
		none(t, src)
		assert.Equal(t, []discover.EventKind{discover.EventResolved, discover.EventResolveFailed, discover.EventResolveFailed}, ev.kinds())

		s.SetHost("web.test.", "10.0.0.9") // the next good answer is diffed against the kept set
		clock.Advance(refresh)
		clock.WaitFor(t, t0.Add(4*refresh))
		got := take(t, src, 2)
		assert.Equal(t, ap("10.0.0.9:80"), got[0].Key)
		assert.Equal(t, discover.Remove[netip.AddrPort, discover.Addr](ap("10.0.0.1:80")), got[1])
	})
	t.Run("ReportFailure re-resolves early, bounded by the minimum interval", func(t *testing.T) {
		s := startDNS(t)
		s.SetHost("web.test.", "10.0.0.1")
		src, clock, _ := newSource(t, s, func(cfg discover.DNSConfig) (*discover.DNS, error) {
			return discover.NewDNS("web.test.", 80, cfg)
		})
		t0 := clock.Now()
		take(t, src, 1)
		clock.WaitFor(t, t0.Add(refresh))
		require.Equal(t, 1, s.Count("A", "web.test."))

		clock.Advance(300 * time.Millisecond)
		for range 5 {
			src.ReportFailure() // folded into one resolution
		}
		clock.WaitFor(t, t0.Add(minInterval)) // waits for the rest of the minimum interval
		clock.Advance(699 * time.Millisecond)
		assert.Equal(t, 1, s.Count("A", "web.test."), "not before the minimum interval")
		s.SetHost("web.test.", "10.0.0.2")
		clock.Advance(time.Millisecond)
		clock.WaitFor(t, t0.Add(minInterval+refresh))
		assert.Equal(t, 2, s.Count("A", "web.test."))
		got := take(t, src, 2)
		assert.Equal(t, ap("10.0.0.2:80"), got[0].Key)
		assert.Equal(t, discover.OpRemove, got[1].Op)

		// Long after the last resolution, a report resolves at once.
		clock.Advance(10 * time.Second)
		src.ReportFailure()
		clock.WaitFor(t, t0.Add(minInterval+10*time.Second+refresh))
		assert.Equal(t, 3, s.Count("A", "web.test."))
	})
	t.Run("Stop ends the goroutine; Next then reports ErrClosed", func(t *testing.T) {
		s := startDNS(t)
		s.SetHost("web.test.", "10.0.0.1")
		src, err := discover.NewDNS("web.test.", 80, discover.DNSConfig{Resolver: s.Resolver(), Clock: newFakeClock()})
		require.NoError(t, err)
		sc := new(service.Scope)
		require.NoError(t, sc.Own(t.Context(), src))
		take(t, src, 1)
		require.NoError(t, sc.Stop(t.Context()))
		require.NoError(t, src.Stop(t.Context()), "Stop again")
		_, err = src.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrClosed)
		assert.ErrorIs(t, err, service.ErrClosed)
		src.ReportFailure() // does nothing, does not block
	})
	t.Run("the defaults: net.DefaultResolver and the real clock", func(t *testing.T) {
		src, err := discover.NewDNS("127.0.0.1", 80, discover.DNSConfig{}) // a literal needs no DNS
		require.NoError(t, err)
		defer func() { require.NoError(t, src.Stop(context.Background())) }()
		c, err := src.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, ap("127.0.0.1:80"), c.Key)
	})
	t.Run("rejects bad input at construction", func(t *testing.T) {
		cases := map[string]func() (*discover.DNS, error){
			"discover: dns: host is empty":     func() (*discover.DNS, error) { return discover.NewDNS(" ", 80, discover.DNSConfig{}) },
			"discover: dns: port is 0":         func() (*discover.DNS, error) { return discover.NewDNS("a.test.", 0, discover.DNSConfig{}) },
			"discover: dns: SRV name is empty": func() (*discover.DNS, error) { return discover.NewSRV("", discover.DNSConfig{}) },
			"Refresh -1s is negative":          func() (*discover.DNS, error) { return discover.NewSRV("x.", discover.DNSConfig{Refresh: -time.Second}) },
			"MinInterval -1ns is negative":     func() (*discover.DNS, error) { return discover.NewSRV("x.", discover.DNSConfig{MinInterval: -1}) },
			"Timeout -1ns is negative":         func() (*discover.DNS, error) { return discover.NewSRV("x.", discover.DNSConfig{Timeout: -1}) },
			"MinInterval 2s exceeds Refresh 1s": func() (*discover.DNS, error) {
				return discover.NewSRV("x.", discover.DNSConfig{Refresh: time.Second, MinInterval: 2 * time.Second})
			},
			`Network "tcp" is not ip, ip4 or ip6`: func() (*discover.DNS, error) { return discover.NewDNS("a.", 1, discover.DNSConfig{Network: "tcp"}) },
		}
		for want, mk := range cases {
			src, err := mk()
			assert.ErrorContains(t, err, want)
			assert.Nil(t, src)
		}
	})
}
