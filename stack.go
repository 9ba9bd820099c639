package tower

import (
	"context"
	"sync/atomic"

	"github.com/tower-go/tower/service"
)

// ErrStopped is the error every call on a [Stack] gets once the stack has been
// stopped, whatever its stages: fused-only stacks too. It matches
// service.ErrClosed.
var ErrStopped = service.NewError("tower: pipeline stopped", service.ErrClosed)

// Stack is a materialized pipeline: a service that owns, through its scope, every
// goroutine its stages started. It is safe for concurrent use. Its readiness is its
// outermost stage's, and TryCall is the outermost stage's non-blocking call.
//
// After [Stack.Stop] every call, TryCall and readiness check fails at once with
// [ErrStopped]. A call is one atomic load more than calling the outermost stage.
type Stack[Req, Res any] struct {
	service.Next[Req, Res]
	scope   *service.Scope
	stopped atomic.Bool
}

var (
	_ service.Service[int, int]   = (*Stack[int, int])(nil)
	_ service.Readier             = (*Stack[int, int])(nil)
	_ service.TryCaller[int, int] = (*Stack[int, int])(nil)
	_ service.Stopper             = (*Stack[int, int])(nil)
)

func newStack[Req, Res any](svc service.Service[Req, Res], sc *service.Scope) (*Stack[Req, Res], error) {
	next, err := service.NewNext(svc)
	if err != nil {
		_ = sc.Stop(context.Background())
		return nil, err
	}
	return &Stack[Req, Res]{Next: next, scope: sc}, nil
}

// Call calls the outermost stage, or fails with [ErrStopped] after Stop.
func (s *Stack[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if s.stopped.Load() {
		var zero Res
		return zero, ErrStopped
	}
	return s.Next.Call(ctx, req)
}

// TryCall makes the outermost stage's non-blocking call (see service.Next.TryCall),
// or fails with [ErrStopped] after Stop.
func (s *Stack[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if s.stopped.Load() {
		var zero Res
		return zero, ErrStopped
	}
	return s.Next.TryCall(ctx, req)
}

// Ready waits for the outermost stage's readiness, or fails with [ErrStopped] after
// Stop.
func (s *Stack[Req, Res]) Ready(ctx context.Context) error {
	if s.stopped.Load() {
		return ErrStopped
	}
	return s.Next.Ready(ctx)
}

// TryReady reports the outermost stage's readiness at once, or [ErrStopped] after
// Stop.
func (s *Stack[Req, Res]) TryReady() error {
	if s.stopped.Load() {
		return ErrStopped
	}
	return s.Next.TryReady()
}

// Stop stops the stack: from now on every call fails at once with [ErrStopped], and
// every goroutine its stages started is stopped, outermost first, each bounded by
// ctx (see service.Stopper); their errors are returned joined. Calls already inside
// the stack finish. The terminal service is not stopped. Stop is safe to call more
// than once, for example with a later deadline.
func (s *Stack[Req, Res]) Stop(ctx context.Context) error {
	s.stopped.Store(true)
	return s.scope.Stop(ctx)
}
