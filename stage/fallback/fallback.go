package fallback

import (
	"context"
	"errors"
	"fmt"

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
// that the stage's test accepts reads as ready: the function answers for a failed
// service, so a buffer in front of the fallback must not fail with it.
type Fallback[Req, Res any] struct {
	service.Next[Req, Res]
	fn  Func[Req, Res]
	cfg config
}

var (
	_ service.Service[int, int]   = (*Fallback[int, int])(nil)
	_ service.Readier             = (*Fallback[int, int])(nil)
	_ service.TryCaller[int, int] = (*Fallback[int, int])(nil)
)

// New returns a fallback stage over inner that answers with fn when inner fails. It
// returns an error if inner (a typed nil included) or fn is nil, or an option is
// bad.
func New[Req, Res any](inner service.Service[Req, Res], fn Func[Req, Res], opts ...Option) (*Fallback[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("fallback: inner %w", err)
	}
	if fn == nil {
		return nil, errors.New("fallback: function is nil")
	}
	f := &Fallback[Req, Res]{Next: next, fn: fn, cfg: config{when: Default}}
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
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, fn, opts...))
	}
}

// Ready waits for the inner service's readiness. An overload or a context error is
// returned as it is. Any other error means the inner service failed for good (or,
// as an open circuit breaker's service.ErrUnavailable, refuses every call for a
// while): if the stage's test accepts that error, the fallback is ready, since its
// function answers the calls instead; if not, the error is returned.
func (f *Fallback[Req, Res]) Ready(ctx context.Context) error {
	return f.readiness(f.Next.Ready(ctx))
}

// TryReady reports the inner service's readiness at once, as Ready does.
func (f *Fallback[Req, Res]) TryReady() error {
	return f.readiness(f.Next.TryReady())
}

// readiness keeps readiness errors that concern one wait (overload, context) and
// drops the failures the function answers.
func (f *Fallback[Req, Res]) readiness(err error) error {
	if err == nil || service.IsTransient(err) || !f.cfg.when(err) {
		return err
	}
	return nil
}

// Call calls the inner service and, if it fails with an error the test accepts
// while the caller's ctx is still live, returns what the function returns instead.
func (f *Fallback[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	res, err := f.Next.Call(ctx, req)
	if err != nil {
		return f.fallback(ctx, req, res, err)
	}
	return res, nil
}

// TryCall is Call through the inner service's non-blocking call. A refusal for
// lack of room (an error matching service.ErrOverloaded) is returned at once, not
// answered by the function: the request was not accepted, and the stage's
// readiness said it was busy, so a load shedder in front of the fallback sheds as
// it should. Once the inner service accepted the request, a failure is answered as
// in Call. (Call answers an overload error like any other: there the caller chose
// to wait.)
func (f *Fallback[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	res, err := f.Next.TryCall(ctx, req)
	if err != nil {
		if errors.Is(err, service.ErrOverloaded) {
			return res, err
		}
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
