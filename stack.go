package tower

import (
	"context"

	"github.com/tower-go/tower/service"
)

// Stack is a materialized pipeline: a service that owns the boundaries its stages
// started. It is safe for concurrent use. Its readiness is its outermost stage's,
// and TryCall uses the outermost stage's non-blocking call where it has one.
type Stack[Req, Res any] struct {
	svc      Service[Req, Res]
	stoppers []Stopper // outermost first
	service.Forward
}

var (
	_ Service[int, int]   = (*Stack[int, int])(nil)
	_ Readier             = (*Stack[int, int])(nil)
	_ TryCaller[int, int] = (*Stack[int, int])(nil)
	_ Stopper             = (*Stack[int, int])(nil)
)

func newStack[Req, Res any](svc Service[Req, Res], stoppers []Stopper) *Stack[Req, Res] {
	return &Stack[Req, Res]{svc: svc, stoppers: stoppers, Forward: service.ForwardReady(svc)}
}

// Call calls the outermost stage.
func (s *Stack[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return s.svc.Call(ctx, req)
}

// TryCall calls the outermost stage unless it is not ready at once; see
// service.TryCall.
func (s *Stack[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return service.TryCall(ctx, s.svc, req)
}

// Stop stops every boundary the pipeline started, outermost first, each bounded by
// ctx (see service.Stopper), and returns their errors joined. The terminal service
// is not stopped. Stop is safe to call more than once.
func (s *Stack[Req, Res]) Stop(ctx context.Context) error {
	return stopAll(ctx, s.stoppers)
}

// Unwrap returns the outermost stage.
func (s *Stack[Req, Res]) Unwrap() Service[Req, Res] { return s.svc }
