package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
)

// Throttle is a service that lets calls through its inner service only as fast as
// a shared [Limiter] allows: Tower's RateLimit, with the bucket shared by every
// stage built on it. Create it with [New], [Layer] or [LayerRate].
//
// It embeds the inner service's [service.Next]; it overrides readiness, since the
// bucket is a bound of its own, and promotes Unwrap.
//
// The zero value is not usable. It is safe for concurrent use. Call waits for a
// token (or, with [WithFailFast], fails at once); TryCall never waits. A call that
// finds a token costs one clock read and one mutex in the limiter, and allocates
// nothing.
type Throttle[Req, Res any] struct {
	service.Next[Req, Res]
	lim      *Limiter
	failFast bool
	events   service.EventFunc
}

var (
	_ service.Service[int, int]   = (*Throttle[int, int])(nil)
	_ service.TryCaller[int, int] = (*Throttle[int, int])(nil)
	_ service.Readier             = (*Throttle[int, int])(nil)
	_ service.Readier             = (*Limiter)(nil)
)

// New returns a rate-limiting stage in front of inner that takes its tokens from
// lim. It returns an error for a nil inner service (see service.NewNext), a nil
// or zero lim (one not made by [NewLimiter]), or a nil option.
func New[Req, Res any](inner service.Service[Req, Res], lim *Limiter, opts ...Option) (*Throttle[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: inner %w", err)
	}
	switch {
	case lim == nil:
		return nil, errors.New("ratelimit: limiter is nil")
	case lim.lim == nil:
		return nil, errors.New("ratelimit: zero Limiter has no bucket (make one with NewLimiter)")
	}
	var cfg config
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("ratelimit: option is nil")
		}
		o(&cfg)
	}
	return &Throttle[Req, Res]{Next: next, lim: lim, failFast: cfg.failFast, events: cfg.events}, nil
}

// Layer returns a layer that puts a rate-limiting stage, taking its tokens from
// lim, in front of the inner service; see [New]. Every application shares lim. A
// nil or zero lim, or a nil option, is reported when the layer is applied.
func Layer[Req, Res any](lim *Limiter, opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, lim, opts...))
	}
}

// LayerRate returns a layer that puts a rate limit of perSecond calls per second,
// with bursts of up to burst calls, in front of the inner service: [Layer] over a
// [NewLimiter] of its own. Each application builds its own bucket, so two services
// built with one LayerRate are limited separately; use [Layer] with one Limiter
// for a rate they share. Bad values (see NewLimiter) are reported when the layer
// is applied.
func LayerRate[Req, Res any](perSecond float64, burst int, opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		lim, err := NewLimiter(perSecond, burst)
		if err != nil {
			return nil, err
		}
		return service.Built[Req, Res](New(inner, lim, opts...))
	}
}

// Call takes a token and calls the inner service. With no token there, it waits
// for one as [Limiter.Wait] does — failing at once with [ErrLimited] if the wait
// would outlast ctx's deadline, and returning ctx.Err() if ctx ends while it
// waits — or, in fail-fast mode, fails at once with ErrLimited. Either way it emits
// service.EventRateLimited, with Elapsed the time it waited: the stage's own
// decision. The token is spent when the inner service is called, whatever it
// answers.
func (t *Throttle[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if !t.lim.lim.Allow() {
		if err := t.slow(ctx); err != nil {
			var zero Res
			return zero, err
		}
	}
	return t.Next.Call(ctx, req)
}

func (t *Throttle[Req, Res]) slow(ctx context.Context) error {
	if t.failFast {
		t.emit(ErrLimited, 0)
		return ErrLimited
	}
	if t.events == nil {
		_, err := t.lim.wait(ctx)
		return err
	}
	start := time.Now()
	waited, err := t.lim.wait(ctx)
	if waited || err != nil { // not if a token turned up at once after all
		t.emit(err, time.Since(start))
	}
	return err
}

func (t *Throttle[Req, Res]) emit(err error, elapsed time.Duration) {
	t.events.Emit(service.Event{Stage: "ratelimit", Kind: service.EventRateLimited, Err: err, Elapsed: elapsed})
}

// TryCall takes a token if there is one now, or fails at once with [ErrLimited];
// then it makes the inner service's non-blocking call, so a full inner service
// also fails at once. A token taken for a call that the inner service then
// refuses is spent.
//
// A refusal here emits no event: it is made on behalf of the stage that asked for
// the non-blocking call (package loadshed), which reports it with an error that
// wraps ErrLimited, so errors.Is(ev.Err, ErrLimited) tells a metrics hook it was a
// rate limit.
func (t *Throttle[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if !t.lim.lim.Allow() {
		var zero Res
		return zero, ErrLimited
	}
	return t.Next.TryCall(ctx, req)
}

// Ready waits until the limiter holds a token (see [Limiter.Ready]: it takes none,
// and fails at once with [ErrLimited] if ctx's deadline comes first) and then for
// the inner service's readiness, each bounded by ctx.
func (t *Throttle[Req, Res]) Ready(ctx context.Context) error {
	if err := t.lim.Ready(ctx); err != nil {
		return err
	}
	return t.Next.Ready(ctx)
}

// TryReady reports at once whether the limiter holds a token and the inner service
// is ready: nil, [ErrLimited], or the inner service's readiness error.
func (t *Throttle[Req, Res]) TryReady() error {
	if err := t.lim.TryReady(); err != nil {
		return err
	}
	return t.Next.TryReady()
}

// Limiter returns the limiter the stage takes its tokens from.
func (t *Throttle[Req, Res]) Limiter() *Limiter { return t.lim }
