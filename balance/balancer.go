package balance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/service"
)

// Balancer spreads calls over the endpoints a discovery source delivers, picking
// a ready endpoint for each call by its [Policy] (power of two choices by
// default). It is itself a service: Call, TryCall, Ready, TryReady and Load.
//
// The endpoint set is an immutable snapshot swapped atomically when discovery
// changes it, so a pick takes no lock and allocates nothing. An endpoint found
// not ready is skipped, and a goroutine of the balancer waits for its readiness
// and puts it back; one whose readiness fails for good (an error that is not
// transient, see service.IsTransient) is evicted. See the package documentation
// for removal, replacement and re-routing.
//
// The zero value is not usable; build one with [New] or [NewIn]. A Balancer is
// safe for concurrent use. It owns goroutines (a watcher of the source and the
// readiness drivers): stop it with [Balancer.Stop], or let the scope given to
// [NewIn] stop it.
type Balancer[K comparable, Req, Res any] struct {
	set atomic.Pointer[snapshot[K, Req, Res]]
	rr  atomic.Uint64
	cfg config
	src discover.Source[K, discover.Endpoint[Req, Res]]
	rep discover.FailureReporter // nil when the source takes no reports

	closed   atomic.Bool
	quit     chan struct{} // closed by Stop: waiting calls fail
	life     context.Context
	cancel   context.CancelFunc
	rerouted atomic.Uint64

	// Calls waiting for an endpoint wait on change, closed and replaced when an
	// endpoint becomes usable; only while someone waits.
	waiters atomic.Int32
	chMu    sync.Mutex
	change  chan struct{}

	// Writers of the set (the watcher, drivers, evictions) hold wmu.
	wmu      sync.Mutex
	byKey    map[K]*endpoint[K, Req, Res]
	pending  map[K]*endpoint[K, Req, Res] // replacements waiting to be ready
	draining map[*endpoint[K, Req, Res]]struct{}

	gmu      sync.Mutex // guards spawning into group after Stop
	group    sync.WaitGroup
	stopping bool
}

var (
	_ service.Service[int, int]   = (*Balancer[string, int, int])(nil)
	_ service.TryCaller[int, int] = (*Balancer[string, int, int])(nil)
	_ service.Readier             = (*Balancer[string, int, int])(nil)
	_ service.Loader              = (*Balancer[string, int, int])(nil)
	_ service.Stopper             = (*Balancer[string, int, int])(nil)
)

// New returns a balancer over the endpoints src delivers and starts its watcher,
// which applies src's changes as they come (the balancer starts empty: calls
// made before the first insert wait for it, or fail fast with [WithFailFast]).
// If src is a discover.FailureReporter (a DNS source, or a Mapped or
// load.Discover over one), the balancer reports each eviction to it, so that it
// re-resolves early. The balancer does not own src: a source with goroutines
// (discover.DNS) is stopped by whoever made it, after the balancer.
//
// It returns an error if src is nil or an option is nil or bad.
func New[K comparable, Req, Res any](src discover.Source[K, discover.Endpoint[Req, Res]], opts ...Option) (*Balancer[K, Req, Res], error) {
	if src == nil || isNil(src) {
		return nil, errors.New("balance: source is nil")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	b := &Balancer[K, Req, Res]{
		cfg:      cfg,
		src:      src,
		quit:     make(chan struct{}),
		change:   make(chan struct{}),
		byKey:    make(map[K]*endpoint[K, Req, Res]),
		pending:  make(map[K]*endpoint[K, Req, Res]),
		draining: make(map[*endpoint[K, Req, Res]]struct{}),
	}
	b.rep, _ = src.(discover.FailureReporter)
	b.set.Store(newSnapshot[K, Req, Res](nil, cfg.policy == WeightedP2C))
	b.life, b.cancel = context.WithCancel(context.Background())
	b.spawn(b.watch)
	return b, nil
}

// NewIn is [New] for a pipeline or a supervisor: the balancer is handed to sc,
// whose Stop stops it. It returns the balancer as a service, ready to be the
// innermost service of a pipeline (tower.For[Req, Res]()...Service(svc)) whose
// scope is sc or is stopped before sc. It returns an error if sc is nil or New
// fails.
func NewIn[K comparable, Req, Res any](sc *service.Scope, src discover.Source[K, discover.Endpoint[Req, Res]], opts ...Option) (*Balancer[K, Req, Res], error) {
	if sc == nil {
		return nil, errors.New("balance: scope is nil")
	}
	b, err := New(src, opts...)
	if err != nil {
		return nil, err
	}
	if err := sc.Own(context.Background(), b); err != nil {
		return nil, fmt.Errorf("balance: %w", err)
	}
	return b, nil
}

// Call sends req to a ready endpoint picked by the policy and returns its
// answer. With no endpoint ready it waits for one, bounded by ctx (the error
// then matches [ErrNoEndpoints] or [ErrNotReady] and ctx's error), or, with
// [WithFailFast], fails at once. The chosen endpoint's Call may still wait for
// room if other callers filled it since the pick (readiness is advisory), bounded
// by ctx.
//
// A call the endpoint answers with an error matching actor.ErrStopped was never
// handed to the endpoint's service (the endpoint was removed, replaced or
// stopped while it was queued): it is sent to another endpoint, so that every
// call gets exactly one answer, its service's or the balancer's. After Stop,
// Call fails at once with [ErrStopped].
func (b *Balancer[K, Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return b.call(ctx, req, false)
}

// TryCall is Call that never waits: with no endpoint ready it fails at once with
// an error matching [ErrNoEndpoints] or [ErrNotReady] (and service.ErrOverloaded
// when that is the cause), and it uses the endpoint's TryCall, so a full endpoint
// refuses at once with an error matching service.ErrOverloaded.
func (b *Balancer[K, Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return b.call(ctx, req, true)
}

func (b *Balancer[K, Req, Res]) call(ctx context.Context, req Req, try bool) (Res, error) {
	var zero Res
	for {
		if b.closed.Load() {
			return zero, ErrStopped
		}
		e, why := b.pick()
		if e == nil {
			if try || b.cfg.failFast {
				return zero, why.err()
			}
			if e, why = b.await(ctx); e == nil {
				if why == causeNone { // stopped
					return zero, ErrStopped
				}
				return zero, why.waitErr(ctx.Err())
			}
		}
		var res Res
		var err error
		if try {
			res, err = e.next.TryCall(ctx, req)
		} else {
			res, err = e.next.Call(ctx, req)
		}
		if err != nil && errors.Is(err, actor.ErrStopped) {
			// Never handed to the endpoint's service: send it elsewhere. An
			// endpoint that was not removed stopped on its own: evict it.
			b.rerouted.Add(1)
			if e.state.Load() != stateGone {
				b.evict(e, err)
			}
			continue
		}
		if err != nil && errors.Is(err, service.ErrFailed) {
			b.evict(e, err)
		}
		return res, err
	}
}

// Ready waits until some endpoint is ready, bounded by ctx. It returns nil, an
// error matching [ErrNoEndpoints] or [ErrNotReady] and ctx's error if ctx ends
// first, or [ErrStopped]. Readiness is advisory: it reserves nothing.
func (b *Balancer[K, Req, Res]) Ready(ctx context.Context) error {
	if b.closed.Load() {
		return ErrStopped
	}
	if b.anyReady() {
		return nil
	}
	e, why := b.await(ctx)
	switch {
	case e != nil:
		return nil
	case why == causeNone:
		return ErrStopped
	}
	return why.waitErr(ctx.Err())
}

// TryReady reports at once whether some endpoint is ready: nil, an error
// matching [ErrNoEndpoints] or [ErrNotReady] (and its cause), or [ErrStopped].
func (b *Balancer[K, Req, Res]) TryReady() error {
	if b.closed.Load() {
		return ErrStopped
	}
	if !b.anyReady() {
		s := b.set.Load()
		return b.why(s).err()
	}
	return nil
}

// anyReady reports whether some endpoint is usable, scanning from a random
// one: readiness does not run the policy (it would advance round robin's
// counter, or read loads for nothing). It costs one TryReady while endpoints
// are ready.
func (b *Balancer[K, Req, Res]) anyReady() bool {
	s := b.set.Load()
	if len(s.eps) == 0 {
		return false
	}
	return b.scan(s, int(rand.Uint32N(uint32(len(s.eps))))) != nil
}

// Load returns the lowest load among the ready endpoints — the load a new call
// would meet, which is what an outer balancer over several balancers compares —
// or, with none ready, the lowest among all; +Inf with no endpoint. It scans
// every endpoint (O(endpoints)) and changes no load.
func (b *Balancer[K, Req, Res]) Load() float64 {
	s := b.set.Load()
	var now time.Time
	best, bestAny := math.Inf(1), math.Inf(1)
	for _, e := range s.eps {
		st := e.state.Load()
		if st == stateGone {
			continue
		}
		l := e.load(&now)
		bestAny = min(bestAny, l)
		if st == stateReady && e.next.TryReady() == nil {
			best = min(best, l)
		}
	}
	if math.IsInf(best, 1) {
		return bestAny
	}
	return best
}

// Len returns the number of endpoints in the set now (replacements waiting to be
// ready are not counted).
func (b *Balancer[K, Req, Res]) Len() int { return len(b.set.Load().eps) }

// Keys returns the keys of the endpoints in the set now, in no given order. It
// allocates; use it for tests and diagnostics.
func (b *Balancer[K, Req, Res]) Keys() []K {
	s := b.set.Load()
	keys := make([]K, 0, len(s.eps))
	for _, e := range s.eps {
		keys = append(keys, e.key)
	}
	return keys
}

// Rerouted returns how many calls were sent to another endpoint because the one
// picked had stopped before serving them.
func (b *Balancer[K, Req, Res]) Rerouted() uint64 { return b.rerouted.Load() }

// Stop stops the balancer: calls made from then on, and calls waiting for an
// endpoint, fail with [ErrStopped]; the watcher and the readiness drivers end;
// then every endpoint's scope (the discover.Endpoint's Scope: those in the set,
// replacements, and removed ones still draining) is stopped, bounded by ctx, so
// that their queued calls are served until ctx ends and answered after that. It
// returns nil once all of it has ended, or ctx.Err() (joined with the endpoints'
// errors). Stop does not stop the source. It is safe to call more than once.
func (b *Balancer[K, Req, Res]) Stop(ctx context.Context) error {
	if b.closed.CompareAndSwap(false, true) {
		close(b.quit)
	}
	b.cancel()
	b.gmu.Lock()
	b.stopping = true
	b.gmu.Unlock()
	done := make(chan struct{})
	go func() { b.group.Wait(); close(done) }() // ends with the group, which ends with b.life
	var errs []error
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	b.wmu.Lock()
	var scopes []*service.Scope
	for _, e := range b.byKey {
		scopes = append(scopes, e.scope)
	}
	for _, e := range b.pending {
		scopes = append(scopes, e.scope)
	}
	for e := range b.draining {
		scopes = append(scopes, e.scope)
	}
	b.wmu.Unlock()
	for _, sc := range scopes {
		if sc == nil {
			continue
		}
		if err := sc.Stop(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// spawn runs f on a goroutine the balancer owns, unless it is stopping.
func (b *Balancer[K, Req, Res]) spawn(f func()) bool {
	b.gmu.Lock()
	defer b.gmu.Unlock()
	if b.stopping {
		return false
	}
	b.group.Go(f)
	return true
}

// log writes one lifecycle record about the endpoint under key, if a logger is
// set, dropping a panic in its handler.
func (b *Balancer[K, Req, Res]) log(level slog.Level, msg string, key K, err error) {
	l := b.cfg.logger
	if l == nil {
		return
	}
	defer func() { _ = recover() }()
	attrs := []any{"stage", "balance", "endpoint", fmt.Sprint(key)}
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	l.Log(context.Background(), level, msg, attrs...)
}

// emit calls the events hook, dropping a panic in it.
func (b *Balancer[K, Req, Res]) emit(e service.Event) {
	if b.cfg.events == nil {
		return
	}
	defer func() { _ = recover() }()
	e.Stage = "balance"
	b.cfg.events(e)
}
