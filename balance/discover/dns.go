package discover

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/tower-go/tower/service"
)

// Addr is an endpoint found in DNS: an IP address and port, with what the DNS
// said about it.
type Addr struct {
	// AddrPort is the endpoint's address (IPv4-mapped IPv6 addresses are
	// unmapped).
	AddrPort netip.AddrPort
	// Target is the name that resolved to the address: the SRV target, or the
	// host given to [NewDNS].
	Target string
	// Priority is the SRV priority of the target (0 for A/AAAA). Only the lowest
	// priority group that resolves is delivered, so all endpoints of a set share
	// it.
	Priority uint16
	// Weight is the SRV weight of the target, to be used for weighted balancing
	// (1 for A/AAAA). Each address of a target carries the target's weight.
	// RFC 2782 gives weight 0 a very small share, not none: a balancer should
	// give such endpoints the least traffic when others have weight.
	Weight uint16
}

// String returns the address and port.
func (a Addr) String() string { return a.AddrPort.String() }

// ZeroWeight is the weight [Addr.EndpointWeight] gives an SRV weight of 0: RFC
// 2782's "very small chance", 1/100 of weight 1.
const ZeroWeight = 0.01

// EndpointWeight returns the SRV weight as a balancing weight (see [Weighted]):
// the weight itself, or [ZeroWeight] for 0.
func (a Addr) EndpointWeight() float64 {
	if a.Weight == 0 {
		return ZeroWeight
	}
	return float64(a.Weight)
}

// DNSConfig configures a [DNS] source. Its zero value means the defaults given on
// each field.
type DNSConfig struct {
	// Resolver resolves the names; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// Refresh is the interval between resolutions (default 30s).
	Refresh time.Duration
	// MinInterval bounds early re-resolution after [DNS.ReportFailure]: two
	// resolutions start at least MinInterval apart (default 1s, or Refresh if that
	// is shorter). It must not exceed Refresh.
	MinInterval time.Duration
	// Timeout bounds one resolution (default 10s).
	Timeout time.Duration
	// Network selects the address family: "ip" (the default: A and AAAA), "ip4"
	// (A only) or "ip6" (AAAA only). It applies to SRV targets too.
	Network string
	// Events receives the source's events: EventResolved and EventResolveFailed.
	Events EventFunc
	// Clock is the time the refresh loop waits on; nil means the real clock.
	Clock Clock
}

// DNS is a source of the endpoints a DNS name resolves to: A/AAAA records of a
// host with a fixed port ([NewDNS]), or SRV records ([NewSRV]).
//
// A goroutine resolves the name at once and then every Refresh interval, and
// sooner after [DNS.ReportFailure] (but never sooner than MinInterval after the
// previous resolution). Each answer is diffed against what the consumer has been
// told: Next delivers inserts for new (or changed) endpoints, then removes for
// vanished ones, keyed by address and port. A consumer that falls behind gets the
// net change, not every intermediate set, so memory is bounded by the set's size.
//
// A resolution that fails — a DNS error, a timeout, or an answer with no usable
// endpoint — keeps the last good set (nothing is removed) and emits
// EventResolveFailed; the next refresh tries again.
//
// The zero value is not usable. A DNS is safe for concurrent use. It owns one
// goroutine: hand it to its owner (service.Scope.Own) or call [DNS.Stop].
type DNS struct {
	name    string
	resolve func(ctx context.Context) ([]Entry[netip.AddrPort, Addr], error)
	cfg     DNSConfig
	set     *setState[netip.AddrPort, Addr]
	early   chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
}

var (
	_ Source[netip.AddrPort, Addr] = (*DNS)(nil)
	_ FailureReporter              = (*DNS)(nil)
	_ Weighted                     = Addr{}
	_ service.Stopper              = (*DNS)(nil)
)

// NewDNS returns a source of the A and AAAA records of host (as cfg.Network
// selects), each endpoint at port, and starts its goroutine. Give host fully
// qualified (with a trailing dot) to skip the resolver's search domains. It
// returns an error for an empty host, port 0, or a bad cfg.
func NewDNS(host string, port uint16, cfg DNSConfig) (*DNS, error) {
	if strings.TrimSpace(host) == "" {
		return nil, errors.New("discover: dns: host is empty")
	}
	if port == 0 {
		return nil, errors.New("discover: dns: port is 0")
	}
	d, err := newDNS(host, cfg)
	if err != nil {
		return nil, err
	}
	d.resolve = func(ctx context.Context) ([]Entry[netip.AddrPort, Addr], error) {
		ips, err := d.cfg.Resolver.LookupNetIP(ctx, d.cfg.Network, host)
		if err != nil {
			return nil, err
		}
		entries := make([]Entry[netip.AddrPort, Addr], 0, len(ips))
		for _, ip := range ips {
			ap := netip.AddrPortFrom(ip.Unmap(), port)
			entries = append(entries, Entry[netip.AddrPort, Addr]{Key: ap, Value: Addr{AddrPort: ap, Target: host, Weight: 1}})
		}
		return entries, nil
	}
	d.start()
	return d, nil
}

// NewSRV returns a source of the endpoints that the SRV records of name (such as
// "_http._tcp.example.com.") point to, and starts its goroutine. Each target of
// the lowest priority group is resolved to its addresses (as cfg.Network
// selects), each carrying the target's port and weight; if no target of that
// group resolves, the next group is used. Targets "." (no service) are ignored.
// It returns an error for an empty name or a bad cfg.
func NewSRV(name string, cfg DNSConfig) (*DNS, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("discover: dns: SRV name is empty")
	}
	d, err := newDNS(name, cfg)
	if err != nil {
		return nil, err
	}
	d.resolve = d.resolveSRV
	d.start()
	return d, nil
}

func newDNS(name string, cfg DNSConfig) (*DNS, error) {
	switch {
	case cfg.Refresh < 0:
		return nil, fmt.Errorf("discover: dns: Refresh %v is negative", cfg.Refresh)
	case cfg.MinInterval < 0:
		return nil, fmt.Errorf("discover: dns: MinInterval %v is negative", cfg.MinInterval)
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("discover: dns: Timeout %v is negative", cfg.Timeout)
	}
	if cfg.Refresh == 0 {
		cfg.Refresh = 30 * time.Second
	}
	if cfg.MinInterval == 0 {
		cfg.MinInterval = min(time.Second, cfg.Refresh)
	}
	if cfg.MinInterval > cfg.Refresh {
		return nil, fmt.Errorf("discover: dns: MinInterval %v exceeds Refresh %v", cfg.MinInterval, cfg.Refresh)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	switch cfg.Network {
	case "":
		cfg.Network = "ip"
	case "ip", "ip4", "ip6":
	default:
		return nil, fmt.Errorf("discover: dns: Network %q is not ip, ip4 or ip6", cfg.Network)
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	return &DNS{
		name:  name,
		cfg:   cfg,
		set:   newSetState[netip.AddrPort, Addr](),
		early: make(chan struct{}, 1),
		done:  make(chan struct{}),
	}, nil
}

func (d *DNS) start() {
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go d.run(ctx)
}

// run resolves, then waits for the refresh interval or an early request (bounded
// by the minimum interval), until ctx ends.
func (d *DNS) run(ctx context.Context) {
	defer close(d.done)
	clock := d.cfg.Clock
	for {
		last := clock.Now()
		d.resolveOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-clock.After(d.cfg.Refresh):
		case <-d.early:
			if wait := d.cfg.MinInterval - clock.Now().Sub(last); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-clock.After(wait):
				}
			}
		}
	}
}

func (d *DNS) resolveOnce(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	entries, err := d.resolve(rctx)
	cancel()
	if ctx.Err() != nil {
		return // stopping: the answer no longer matters
	}
	if len(entries) == 0 {
		if err == nil {
			err = fmt.Errorf("discover: dns: no endpoints for %s", d.name)
		}
		d.cfg.Events.emit(Event{Kind: EventResolveFailed, Name: d.name, Err: err})
		return
	}
	slices.SortFunc(entries, func(a, b Entry[netip.AddrPort, Addr]) int { return a.Key.Compare(b.Key) })
	d.set.set(entries)
	if err != nil {
		d.cfg.Events.emit(Event{Kind: EventResolveFailed, Name: d.name, Endpoints: len(entries), Err: err})
		return
	}
	d.cfg.Events.emit(Event{Kind: EventResolved, Name: d.name, Endpoints: len(entries)})
}

// resolveSRV resolves the SRV records and the targets of the lowest priority
// group that yields an address. A partial failure (some records or targets
// unusable) returns the endpoints found and the error.
func (d *DNS) resolveSRV(ctx context.Context) ([]Entry[netip.AddrPort, Addr], error) {
	r := d.cfg.Resolver
	_, srvs, err := r.LookupSRV(ctx, "", "", d.name)
	if len(srvs) == 0 {
		if err == nil {
			err = fmt.Errorf("discover: dns: no SRV records for %s", d.name)
		}
		return nil, err
	}
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	slices.SortStableFunc(srvs, func(a, b *net.SRV) int { return int(a.Priority) - int(b.Priority) })
	for i := 0; i < len(srvs); {
		j := i
		for j < len(srvs) && srvs[j].Priority == srvs[i].Priority {
			j++
		}
		var entries []Entry[netip.AddrPort, Addr]
		for _, s := range srvs[i:j] {
			if s.Target == "." || s.Target == "" || s.Port == 0 {
				continue
			}
			ips, err := r.LookupNetIP(ctx, d.cfg.Network, s.Target)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, ip := range ips {
				ap := netip.AddrPortFrom(ip.Unmap(), s.Port)
				entries = append(entries, Entry[netip.AddrPort, Addr]{Key: ap, Value: Addr{
					AddrPort: ap, Target: s.Target, Priority: s.Priority, Weight: s.Weight,
				}})
			}
		}
		if len(entries) > 0 {
			return entries, errors.Join(errs...)
		}
		i = j
	}
	return nil, errors.Join(append(errs, fmt.Errorf("discover: dns: no SRV target of %s resolved", d.name))...)
}

// Next returns the next change to the endpoint set, waiting for one bounded by
// ctx; see [Source]. After [DNS.Stop] it returns [ErrClosed].
func (d *DNS) Next(ctx context.Context) (Change[netip.AddrPort, Addr], error) {
	return d.set.next(ctx)
}

// ReportFailure asks for an early resolution, as a balancer does when an
// endpoint fails: the name is resolved again as soon as MinInterval has passed
// since the previous resolution began. Reports that come before then are folded
// into one resolution. It never blocks, and does nothing after Stop.
func (d *DNS) ReportFailure() {
	select {
	case d.early <- struct{}{}:
	default:
	}
}

// Stop ends the source's goroutine, waiting for it until ctx ends (then it
// returns ctx.Err()); from then on Next returns [ErrClosed]. A resolution under
// way is cancelled. Stop may be called more than once.
func (d *DNS) Stop(ctx context.Context) error {
	d.cancel()
	d.set.close()
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
