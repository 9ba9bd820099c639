// Package dnstest runs a real DNS server on 127.0.0.1 for the tests of DNS
// discovery, whose records a test changes while it runs, and a fake clock that
// drives discovery's refreshes. It is internal: only this module's tests use it.
package dnstest

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

// Server is a real DNS server on 127.0.0.1 whose records a test changes while it runs.
type Server struct {
	addr   string
	server *dns.Server

	mu      sync.Mutex
	hosts   map[string][]netip.Addr // fqdn -> A and AAAA
	srvs    map[string][]*dns.SRV   // fqdn -> SRV (Hdr filled on answer)
	fail    bool                    // answer SERVFAIL
	queries map[string]int          // "A web.test." -> Count
}

// Start starts a server on 127.0.0.1 (UDP) and stops it when the test ends.
func Start(t *testing.T) *Server {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &Server{
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

// Resolver returns a pure-Go resolver that asks this server only.
func (s *Server) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.addr)
	}}
}

// SetHost sets the A and AAAA records of name (a fully qualified name).
func (s *Server) SetHost(name string, addrs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var as []netip.Addr
	for _, a := range addrs {
		as = append(as, netip.MustParseAddr(a))
	}
	s.hosts[name] = as
}

// RemoveHost removes every address record of name.
func (s *Server) RemoveHost(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.hosts, name)
}

// SetSRV sets the SRV records of name.
func (s *Server) SetSRV(name string, recs ...*dns.SRV) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.srvs[name] = recs
}

// SetFail makes the server answer every query with SERVFAIL, or stop doing so.
func (s *Server) SetFail(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = fail
}

// Count returns how many queries of type qtype for name the server has answered.
func (s *Server) Count(qtype, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[qtype+" "+name]
}

func (s *Server) handle(w dns.ResponseWriter, r *dns.Msg) {
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

// Clock is a fake clock for discover.DNSConfig.Clock: time moves only by Advance.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	changed chan struct{}
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewClock returns a fake clock at a fixed start time.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), changed: make(chan struct{})}
}

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the fake time once it reaches now + d.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: ch})
	close(c.changed)
	c.changed = make(chan struct{})
	return ch
}

// Advance moves the fake time forward by d and fires the timers due.
func (c *Clock) Advance(d time.Duration) {
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

// WaitFor waits until a timer due exactly at at is registered (so that Advance
// has something to fire), failing the test if none is after 10 s of real time.
func (c *Clock) WaitFor(t *testing.T, at time.Time) {
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
