package ratelimit

import (
	"context"
	"errors"

	"github.com/tower-go/tower/service"
)

// Throttle is a service that lets calls through its inner service only as fast as
// a shared [Limiter] allows: Tower's RateLimit, with the bucket shared by every
// stage built on it. Create it with [New] or [Layer].
//
// The zero value is not usable. It is safe for concurrent use. Call waits for a
// token (or, with [WithFailFast], fails at once); TryCall never waits. A call that
// finds a token costs one clock read and one mutex in the limiter, and allocates
// nothing.
type Throttle[Req, Res any] struct {
	inner    service.Service[Req, Res]
	try      service.TryCaller[Req, Res] // inner's non-blocking call, or nil
	ready    service.Forward
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
// lim.
func New[Req, Res any](inner service.Service[Req, Res], lim *Limiter, opts ...Option) (*Throttle[Req, Res], error) {
	if inner == nil {
		return nil, errors.New("ratelimit: inner service is nil")
	}
	if lim == nil {
		return nil, errors.New("ratelimit: limiter is nil")
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	try, _ := inner.(service.TryCaller[Req, Res])
	return &Throttle[Req, Res]{
		inner:    inner,
		try:      try,
		ready:    service.ForwardReady(inner),
		lim:      lim,
		failFast: cfg.failFast,
		events:   cfg.events,
	}, nil
}

// Layer returns a layer that puts a rate-limiting stage, taking its tokens from
// lim, in front of the inner service; see [New]. Every application shares lim.
func Layer[Req, Res any](lim *Limiter, opts ...Option) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, lim, opts...))
	}
}

// Call takes a token and calls the inner service. With no token there, it waits
// for one as [Limiter.Wait] does — failing at once with [ErrLimited] if the wait
// would outlast ctx's deadline, and returning ctx.Err() if ctx ends while it
// waits — or, in fail-fast mode, fails at once with ErrLimited. Either way it emits
// service.EventRateLimited. The token is spent when the inner service is called,
// whatever it answers.
func (t *Throttle[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if !t.lim.lim.Allow() {
		if err := t.slow(ctx); err != nil {
			var zero Res
			return zero, err
		}
	}
	return t.inner.Call(ctx, req)
}

func (t *Throttle[Req, Res]) slow(ctx context.Context) error {
	if t.failFast {
		t.emit(ErrLimited)
		return ErrLimited
	}
	waited, err := t.lim.wait(ctx)
	if waited || err != nil { // not if a token turned up at once after all
		t.emit(err)
	}
	return err
}

func (t *Throttle[Req, Res]) emit(err error) {
	t.events.Emit(service.Event{Stage: "ratelimit", Kind: service.EventRateLimited, Err: err})
}

// TryCall takes a token if there is one now, or fails at once with [ErrLimited]
// and emits service.EventRateLimited; then it calls the inner service through its
// own non-blocking call (service.TryCall), so a full inner service also fails at
// once. A token taken for a call that the inner service then refuses is spent.
func (t *Throttle[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if !t.lim.lim.Allow() {
		t.emit(ErrLimited)
		var zero Res
		return zero, ErrLimited
	}
	if t.try != nil {
		return t.try.TryCall(ctx, req)
	}
	if err := t.ready.TryReady(); err != nil {
		var zero Res
		return zero, err
	}
	return t.inner.Call(ctx, req)
}

// Ready waits until the limiter holds a token (see [Limiter.Ready]: it takes none,
// and fails at once with [ErrLimited] if ctx's deadline comes first) and then for
// the inner service's readiness, each bounded by ctx.
func (t *Throttle[Req, Res]) Ready(ctx context.Context) error {
	if err := t.lim.Ready(ctx); err != nil {
		return err
	}
	return t.ready.Ready(ctx)
}

// TryReady reports at once whether the limiter holds a token and the inner service
// is ready: nil, [ErrLimited], or the inner service's readiness error.
func (t *Throttle[Req, Res]) TryReady() error {
	if err := t.lim.TryReady(); err != nil {
		return err
	}
	return t.ready.TryReady()
}

// Limiter returns the limiter the stage takes its tokens from.
func (t *Throttle[Req, Res]) Limiter() *Limiter { return t.lim }

// Unwrap returns the inner service.
func (t *Throttle[Req, Res]) Unwrap() service.Service[Req, Res] { return t.inner }
