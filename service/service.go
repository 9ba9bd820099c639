package service

import (
	"context"
	"errors"
)

// Service is an asynchronous function from a request to a response.
//
// Call blocks until the service answers or ctx ends. Implementations must be safe for
// concurrent use unless they document otherwise, must honour ctx (a caller whose ctx
// ends gets an answer at once), and must answer every call exactly once.
type Service[Req, Res any] interface {
	Call(ctx context.Context, req Req) (Res, error)
}

// Func adapts an ordinary function to a [Service]. A Func is always ready, safe for
// concurrent use if the function is, and costs one indirect call.
type Func[Req, Res any] func(ctx context.Context, req Req) (Res, error)

// Call calls f(ctx, req).
func (f Func[Req, Res]) Call(ctx context.Context, req Req) (Res, error) { return f(ctx, req) }

// Readier is implemented by services with bounded capacity.
//
// Ready blocks until the service has room for a call, ctx ends (it then returns
// ctx.Err()), or the service can no longer take calls (it then returns an error that
// says why, such as one matching [ErrClosed] or [ErrFailed]). TryReady answers the same
// question at once: nil when there is room now, an error matching [ErrOverloaded] when
// there is not, or the permanent error.
//
// An error from Ready that matches [ErrOverloaded], [ErrUnavailable],
// context.Canceled or context.DeadlineExceeded concerns that wait only, or a while
// (a rate limit whose next token comes after ctx's deadline, a timeout that covers
// readiness, an open circuit breaker); any other error means the service has failed, and an actor or buffer in front of it fails every
// call from then on (see [FailedError]).
//
// Readiness is advisory: it reserves nothing. Use [TryCaller] for an atomic decision.
type Readier interface {
	Ready(ctx context.Context) error
	TryReady() error
}

// TryCaller is implemented by services that can refuse a call at once instead of
// waiting for capacity. TryCall either accepts req (and then behaves as Call, waiting
// for the answer bounded by ctx) or fails at once with an error matching
// [ErrOverloaded] (or a permanent error such as one matching [ErrClosed]).
type TryCaller[Req, Res any] interface {
	TryCall(ctx context.Context, req Req) (Res, error)
}

// Stopper is implemented by services that own goroutines: actors, buffers and any
// stage that is an asynchronous boundary. Stop stops taking new calls, lets accepted
// calls finish until ctx ends, answers what is left with an error matching
// [ErrClosed], and returns once the service's goroutines have ended or ctx has ended
// (then with ctx.Err()). Stop is safe to call more than once.
type Stopper interface {
	Stop(ctx context.Context) error
}

// Layer wraps an inner service in a stage and returns the wrapped service. Layers are
// the unit a pipeline is built from.
//
// A layer reports bad configuration (a zero capacity, a nil function) as an error
// when it is applied, never as a panic during a call. If the stage it builds starts
// goroutines, the layer hands their [Stopper] to sc with [Scope.Own], and whoever
// made sc (usually a pipeline) stops them; the service it returns need not be a
// Stopper, and callers never probe it for one. A layer may be applied more than
// once; each application builds an independent stage. Apply a layer with [Apply],
// which checks its arguments and its result.
type Layer[Req, Res any] func(sc *Scope, inner Service[Req, Res]) (Service[Req, Res], error)

// Built returns what a stage's constructor returned as a Service: s, or a nil
// Service when err is not nil. A constructor that fails returns a nil pointer, and
// a nil pointer stored in an interface is not a nil interface, so a layer must not
// return it as it is; Built is how every stage's Layer avoids that:
//
//	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
//		return service.Built[Req, Res](New(inner, d, opts...))
//	}
func Built[Req, Res any, S Service[Req, Res]](s S, err error) (Service[Req, Res], error) {
	if err != nil {
		return nil, err
	}
	if CheckService[Req, Res](s) != nil {
		return nil, errors.New("constructor returned a nil service")
	}
	return s, nil
}

// IsTransient reports whether a readiness error concerns one wait only, or a while,
// rather than the end of the service: it matches [ErrOverloaded] (busy now),
// [ErrUnavailable] (refusing for a while: an open breaker, a restart),
// context.Canceled or context.DeadlineExceeded. Any other readiness error means the
// service has failed (see [Readier]). Actors, buffers and stages that look at an
// inner service's readiness decide with it.
func IsTransient(err error) bool {
	return errors.Is(err, ErrOverloaded) || errors.Is(err, ErrUnavailable) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
