package adaptive

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/service"
)

// Limiter is a concurrency limit whose limit an [Algorithm] moves with the
// latency and drops it observes. Make one with [New]; the zero value is not
// usable. It is safe for concurrent use. Call blocks while every permit is taken
// (unless [WithReject]); TryCall never waits for a permit. Each call takes the
// limiter's mutex twice and reads the clock twice (~100 ns in all, see the package
// doc), and allocates nothing.
type Limiter[Req, Res any] struct {
	inner service.Service[Req, Res]
	ready service.Forward
	alg   Algorithm
	cfg   config

	limit atomic.Int64 // written under mu; read lock-free by Limit

	mu         sync.Mutex
	inFlight   int
	head, tail *waiter // callers waiting for a permit, oldest first
	free       *waiter // reusable waiters
	nfree      int
}

var (
	_ service.Service[int, int]   = (*Limiter[int, int])(nil)
	_ service.Readier             = (*Limiter[int, int])(nil)
	_ service.TryCaller[int, int] = (*Limiter[int, int])(nil)
)

// New returns an adaptive concurrency limit in front of inner. Without options it
// uses the [Gradient] algorithm between [DefaultMinLimit] and [DefaultMaxLimit],
// starting at [DefaultInitialLimit]. It reports a nil inner service or a bad
// option as an error.
func New[Req, Res any](inner service.Service[Req, Res], opts ...Option) (*Limiter[Req, Res], error) {
	if inner == nil {
		return nil, errors.New("adaptive: inner service must not be nil")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	alg, err := cfg.newAlg()
	if err != nil {
		return nil, err
	}
	l := &Limiter[Req, Res]{inner: inner, ready: service.ForwardReady(inner), alg: alg, cfg: cfg}
	l.limit.Store(int64(cfg.initial))
	return l, nil
}

// Layer returns a layer that puts an adaptive concurrency limit, configured by
// opts, in front of the inner service. Each application builds an independent
// limiter with its own algorithm state.
func Layer[Req, Res any](opts ...Option) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, opts...))
	}
}

// Call waits for a permit (bounded by ctx, which ends the wait with ctx.Err()),
// calls the inner service, and feeds the call's latency and outcome to the
// algorithm. With [WithReject] it fails at once with [ErrLimitReached] instead of
// waiting. The inner service's response and error are returned unchanged.
//
// The limiter does not recover panics; a panicking inner service's permit is
// given back (without a sample) and the panic goes on up the stack.
func (l *Limiter[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	n, err := l.acquire(ctx, !l.cfg.reject)
	if err != nil {
		var zero Res
		return zero, err
	}
	return l.call(ctx, req, n, false)
}

// TryCall takes a permit if one is free now, or fails at once with
// [ErrLimitReached]; it then calls the inner service through [service.TryCall],
// so the inner service's own refusal comes back at once too (and, matching
// service.ErrOverloaded, counts as a drop by default).
func (l *Limiter[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	n, err := l.acquire(ctx, false)
	if err != nil {
		var zero Res
		return zero, err
	}
	return l.call(ctx, req, n, true)
}

func (l *Limiter[Req, Res]) call(ctx context.Context, req Req, n int, try bool) (res Res, err error) {
	done := false
	defer func() {
		if !done {
			l.release() // the inner service panicked
		}
	}()
	start := time.Now()
	if try {
		res, err = service.TryCall(ctx, l.inner, req)
	} else {
		res, err = l.inner.Call(ctx, req)
	}
	rtt := time.Since(start)
	done = true
	l.finish(n, rtt, err)
	return res, err
}

// finish gives the permit back and, for a success or a drop, feeds the sample to
// the algorithm and applies the new limit.
func (l *Limiter[Req, Res]) finish(n int, rtt time.Duration, err error) {
	dropped := err != nil && l.cfg.isDrop(err)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight--
	if err == nil || dropped {
		cur := int(l.limit.Load())
		next := min(max(l.alg.Update(Sample{RTT: rtt, InFlight: n, Limit: cur, Dropped: dropped}), l.cfg.min), l.cfg.max)
		if next != cur {
			l.limit.Store(int64(next))
			l.cfg.events.Emit(service.Event{Stage: stageName, Kind: service.EventLimitChanged, Limit: next})
		}
	}
	l.grantLocked()
}

// Limit returns the current limit. It takes no lock.
func (l *Limiter[Req, Res]) Limit() int { return int(l.limit.Load()) }

// InFlight returns the number of calls holding a permit now. It takes the lock.
func (l *Limiter[Req, Res]) InFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inFlight
}

// Ready waits, bounded by ctx, until a permit is free, then waits for the inner
// service's readiness. It reserves nothing: it takes a permit in turn with the
// waiting calls and gives it straight back.
func (l *Limiter[Req, Res]) Ready(ctx context.Context) error {
	if _, err := l.acquire(ctx, true); err != nil {
		return err
	}
	l.release()
	return l.ready.Ready(ctx)
}

// TryReady returns [ErrLimitReached] if no permit is free now (every one is taken,
// or callers are queued for them), otherwise the inner service's TryReady.
func (l *Limiter[Req, Res]) TryReady() error {
	l.mu.Lock()
	free := l.inFlight < int(l.limit.Load()) && l.head == nil
	l.mu.Unlock()
	if !free {
		return ErrLimitReached
	}
	return l.ready.TryReady()
}

// stageName is the Stage of the limiter's events.
const stageName = "adaptive"

var shedEvent = service.Event{Stage: stageName, Kind: service.EventShed, Err: ErrLimitReached}
