package adaptive

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tower-go/tower/internal/permits"
	"github.com/tower-go/tower/service"
)

// Limiter is a concurrency limit whose limit an [Algorithm] moves with the
// latency and drops it observes. Make one with [New]; the zero value is not
// usable. It is safe for concurrent use. Call blocks while every permit is taken
// (unless [WithReject]); TryCall never waits for a permit.
//
// It embeds the inner service's [service.Next]; it overrides readiness, since it
// has a bound of its own, and promotes Unwrap.
//
// The permits are the module's one permit queue (the semaphore of package limit):
// a free permit is taken and given back lock-free. Each call reads the clock
// twice and takes the algorithm's mutex once, for its sample; it allocates
// nothing, even when it has to wait (the limiter reuses its waiters).
type Limiter[Req, Res any] struct {
	service.Next[Req, Res]
	q   permits.Queue
	cfg config

	mu  sync.Mutex // serialises the algorithm and the limit's moves
	alg Algorithm
}

var (
	_ service.Service[int, int]   = (*Limiter[int, int])(nil)
	_ service.Readier             = (*Limiter[int, int])(nil)
	_ service.TryCaller[int, int] = (*Limiter[int, int])(nil)
)

// New returns an adaptive concurrency limit in front of inner. Without options it
// uses the [Gradient] algorithm between [DefaultMinLimit] and [DefaultMaxLimit],
// starting at [DefaultInitialLimit]. It reports a nil inner service, a bad or nil
// option, or an algorithm constructor that fails or returns a nil Algorithm (it is
// called once here) as an error.
func New[Req, Res any](inner service.Service[Req, Res], opts ...Option) (*Limiter[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("adaptive: inner %w", err)
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	alg, err := cfg.newAlg()
	if err != nil {
		return nil, err
	}
	l := &Limiter[Req, Res]{Next: next, alg: alg, cfg: cfg}
	// Waiters are reused: a limiter is one stage's, made and used in one place.
	l.q.Init(cfg.initial, true)
	return l, nil
}

// Layer returns a layer that puts an adaptive concurrency limit, configured by
// opts, in front of the inner service. Each application builds an independent
// limiter with its own algorithm state. Bad options are reported when the layer
// is applied.
func Layer[Req, Res any](opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, opts...))
	}
}

// Call waits for a permit (bounded by ctx, which ends the wait with ctx.Err()),
// calls the inner service, and feeds the call's latency and outcome to the
// algorithm. With [WithReject] it fails at once with [ErrLimitReached] instead of
// waiting, and emits EventShed: the stage's own decision. The inner service's
// response and error are returned unchanged.
//
// The limiter does not recover panics; a panicking inner service's permit is
// given back (without a sample) and the panic goes on up the stack.
func (l *Limiter[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	n := l.q.TryAcquire()
	if n == 0 {
		var err error
		if n, err = l.wait(ctx); err != nil {
			var zero Res
			return zero, err
		}
	}
	return l.call(ctx, req, n, false)
}

func (l *Limiter[Req, Res]) wait(ctx context.Context) (int, error) {
	if l.cfg.reject {
		l.cfg.events.Emit(shedEvent)
		return 0, ErrLimitReached
	}
	return l.q.AcquireSlow(ctx)
}

// TryCall takes a permit if one is free now, or fails at once with
// [ErrLimitReached]; it then makes the inner service's non-blocking call, so the
// inner service's own refusal comes back at once too (and, matching
// service.ErrOverloaded, counts as a drop by default). A refusal here emits no
// event: it is made on behalf of the stage that asked for the non-blocking call
// (load shedding), which reports it.
func (l *Limiter[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	n := l.q.TryAcquire()
	if n == 0 {
		var zero Res
		return zero, ErrLimitReached
	}
	return l.call(ctx, req, n, true)
}

func (l *Limiter[Req, Res]) call(ctx context.Context, req Req, n int, try bool) (res Res, err error) {
	done := false
	defer func() {
		if !done {
			l.q.Release() // the inner service panicked
		}
	}()
	start := time.Now()
	if try {
		res, err = l.Next.TryCall(ctx, req)
	} else {
		res, err = l.Next.Call(ctx, req)
	}
	rtt := time.Since(start)
	done = true
	l.finish(n, rtt, err)
	return res, err
}

// finish gives the permit back and, for a success or a drop, feeds the sample to
// the algorithm and applies the new limit. The permit is given back even if the
// drop predicate, the algorithm or the events hook panics.
func (l *Limiter[Req, Res]) finish(n int, rtt time.Duration, err error) {
	defer l.q.Release()
	dropped := err != nil && l.cfg.isDrop(err)
	if err != nil && !dropped {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.q.Limit()
	next := min(max(l.alg.Update(Sample{RTT: rtt, InFlight: n, Limit: cur, Dropped: dropped}), l.cfg.min), l.cfg.max)
	if next != cur {
		l.q.SetLimit(next)
		l.cfg.events.Emit(service.Event{Stage: stageName, Kind: service.EventLimitChanged, Limit: next})
	}
}

// Limit returns the current limit. It takes no lock.
func (l *Limiter[Req, Res]) Limit() int { return l.q.Limit() }

// InFlight returns the number of calls holding a permit now. It takes no lock.
func (l *Limiter[Req, Res]) InFlight() int { return l.q.Held() }

// Ready waits, bounded by ctx, until a permit is free, then waits for the inner
// service's readiness. It reserves nothing: it takes a permit in turn with the
// waiting calls and gives it straight back.
func (l *Limiter[Req, Res]) Ready(ctx context.Context) error {
	if err := l.q.Ready(ctx); err != nil {
		return err
	}
	return l.Next.Ready(ctx)
}

// TryReady returns [ErrLimitReached] if no permit is free now (every one is taken,
// or callers are queued for them), otherwise the inner service's TryReady.
func (l *Limiter[Req, Res]) TryReady() error {
	if !l.q.Free() {
		return ErrLimitReached
	}
	return l.Next.TryReady()
}

// stageName is the Stage of the limiter's events.
const stageName = "adaptive"

var shedEvent = service.Event{Stage: stageName, Kind: service.EventShed, Err: ErrLimitReached}
