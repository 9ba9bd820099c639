package balance_test

// A copy of balance/discover's test DNS server (test files cannot be shared
// across packages).

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// dnsServer is a real DNS server on 127.0.0.1 whose records a test changes while
// it runs.
type dnsServer struct {
	addr   string
	server *dns.Server

	mu      sync.Mutex
	hosts   map[string][]netip.Addr // fqdn -> A and AAAA
	srvs    map[string][]*dns.SRV   // fqdn -> SRV (Hdr filled on answer)
	fail    bool                    // answer SERVFAIL
	queries map[string]int          // "A web.test." -> count
}

func startDNS(t *testing.T) *dnsServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &dnsServer{
		addr:    pc.LocalAddr().String(),
		hosts:   make(map[string][]netip.Addr),
		srvs:    make(map[string][]*dns.SRV),
		queries: make(map[string]int),
	}
	started := make(chan struct{})
	s.server = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.handle), NotifyStartedFunc: func() { close(started) }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.server.ActivateAndServe()
	}()
	<-started
	t.Cleanup(func() {
		_ = s.server.Shutdown()
		<-done
	})
	return s
}

// resolver resolves with the Go resolver, whose every connection goes to s.
func (s *dnsServer) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.addr)
	}}
}

func (s *dnsServer) setHost(name string, addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var as []netip.Addr
	for _, a := range addrs {
		as = append(as, netip.MustParseAddr(a))
	}
	s.hosts[name] = as
}

func (s *dnsServer) removeHost(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hosts, name)
}

func (s *dnsServer) setSRV(name string, recs ...*dns.SRV) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.srvs[name] = recs
}

func (s *dnsServer) setFail(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = fail
}

func (s *dnsServer) count(qtype, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[qtype+" "+name]
}

func (s *dnsServer) handle(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range r.Question {
		name := strings.ToLower(q.Name)
		s.queries[dns.TypeToString[q.Qtype]+" "+name]++
		if s.fail {
			m.Rcode = dns.RcodeServerFailure
			continue
		}
		hdr := dns.RR_Header{Name: q.Name, Class: dns.ClassINET, Rrtype: q.Qtype, Ttl: 0}
		addrs, isHost := s.hosts[name]
		srvs, isSRV := s.srvs[name]
		if !isHost && !isSRV {
			m.Rcode = dns.RcodeNameError
			continue
		}
		switch q.Qtype {
		case dns.TypeA:
			for _, a := range addrs {
				if a.Is4() {
					m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: a.AsSlice()})
				}
			}
		case dns.TypeAAAA:
			for _, a := range addrs {
				if a.Is6() {
					m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()})
				}
			}
		case dns.TypeSRV:
			for _, rec := range srvs {
				c := *rec
				c.Hdr = hdr
				m.Answer = append(m.Answer, &c)
			}
		}
	}
	_ = w.WriteMsg(m)
}

// fakeClock is a Clock the test moves by hand.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
	changed chan struct{}
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	close(c.changed)
	c.changed = make(chan struct{})
	return ch
}

// Advance moves the clock by d and fires every waiter that is due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = kept
}

// waitFor blocks until something waits for the clock to reach at: the source's
// loop is then idle, its resolution done.
func (c *fakeClock) waitFor(t *testing.T, at time.Time) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		for _, w := range c.waiters {
			if w.at.Equal(at) {
				c.mu.Unlock()
				return
			}
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("nothing waits for %v", at)
		}
	}
}
