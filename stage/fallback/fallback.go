package fallback

import (
	"context"
	"errors"

	"github.com/tower-go/tower/service"
)

// Func computes the answer a caller gets instead of the inner service's failure.
// It gets the caller's ctx, the request and the inner error. It runs on the
// caller's goroutine and must be safe for concurrent use.
type Func[Req, Res any] func(ctx context.Context, req Req, err error) (Res, error)

// Fallback is a fused stage that answers from a [Func] when the inner service fails
// with an error its test accepts. See the package documentation.
//
// Make one with [New] or [Layer]; the zero value is not usable. A Fallback is safe
// for concurrent use if its function and test are. Call blocks as long as the inner
// service and then the function do. A successful call costs one comparison over the
// inner call and allocates nothing. Readiness is the inner service's, except that
// a permanent readiness failure (one that is not an overload or a context error)
// reads as ready: the function answers for a failed service, so a buffer in front
// of the fallback must not fail with it.
type Fallback[Req, Res any] struct {
	service.Forward
	inner service.Service[Req, Res]
	fn    Func[Req, Res]
	cfg   config
}

var (
	_ service.Service[int, int]   = (*Fallback[int, int])(nil)
	_ service.Readier             = (*Fallback[int, int])(nil)
	_ service.TryCaller[int, int] = (*Fallback[int, int])(nil)
)

// New returns a fallback stage over inner that answers with fn when inner fails.
func New[Req, Res any](inner service.Service[Req, Res], fn Func[Req, Res], opts ...Option) (*Fallback[Req, Res], error) {
	if inner == nil {
		return nil, errors.New("fallback: service is nil")
	}
	if fn == nil {
		return nil, errors.New("fallback: function is nil")
	}
	f := &Fallback[Req, Res]{Forward: service.ForwardReady(inner), inner: inner, fn: fn, cfg: config{when: Default}}
	for _, o := range opts {
		if o != nil {
			o(&f.cfg)
		}
	}
	if f.cfg.err != nil {
		return nil, f.cfg.err
	}
	return f, nil
}

// Layer returns a layer that wraps a service in a fallback stage; see [New].
func Layer[Req, Res any](fn Func[Req, Res], opts ...Option) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, fn, opts...))
	}
}

// Ready waits for the inner service's readiness. It returns an error only for an
// overload or a context error; when the inner service has failed for good, the
// fallback is ready, since its function answers instead.
func (f *Fallback[Req, Res]) Ready(ctx context.Context) error {
	return transientOnly(f.Forward.Ready(ctx))
}

// TryReady reports the inner service's readiness at once, as Ready does.
func (f *Fallback[Req, Res]) TryReady() error {
	return transientOnly(f.Forward.TryReady())
}

// transientOnly keeps readiness errors that concern one wait (overload, context)
// and drops the rest, which mean the inner service failed: the function answers.
func transientOnly(err error) error {
	if service.IsTransient(err) {
		return err
	}
	return nil
}

// Call calls the inner service and, if it fails with an error the test accepts
// while the caller's ctx is still live, returns what the function returns instead.
func (f *Fallback[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	res, err := f.inner.Call(ctx, req)
	if err != nil {
		return f.fallback(ctx, req, res, err)
	}
	return res, nil
}

// TryCall is Call through the inner service's non-blocking call (see
// service.TryCall). A refusal for lack of room is an error like any other: if the
// test accepts it (the default does), the function answers.
func (f *Fallback[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	res, err := service.TryCall(ctx, f.inner, req)
	if err != nil {
		return f.fallback(ctx, req, res, err)
	}
	return res, nil
}

func (f *Fallback[Req, Res]) fallback(ctx context.Context, req Req, res Res, err error) (Res, error) {
	if ctx.Err() != nil || !f.cfg.when(err) {
		return res, err
	}
	f.cfg.events.Emit(service.Event{Stage: "fallback", Kind: service.EventFallback, Err: err})
	return f.fn(ctx, req, err)
}
