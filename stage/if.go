package stage

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
)

// IfStage routes each request by a predicate: requests for which it is true go
// through a layered service (a layer applied to the inner service), the others
// straight to the inner service. It is Tower's Either/Steer for the common case of
// a stage that applies only to some requests (rate limit the writes, time out the
// slow queries).
//
// Readiness: a request's path is known only once it arrives, so the stage is ready
// when a call of either kind would find room: Ready waits for the layered service's
// readiness and then for the inner service's, and TryReady is nil only if both are.
// This is the conservative choice of Tower's Steer: a caller that waits for
// readiness before a request that the predicate would send straight through may
// wait for the layered branch's bound too. TryCall is exact: it evaluates the
// predicate and makes the non-blocking call on the chosen branch only. (Readiness is
// advisory anyway; a Call simply waits, bounded by ctx, in whichever branch it
// takes.) The stage embeds the inner service's [service.Next], so its load and
// Unwrap are the inner service's.
//
// Goroutines: the layer is applied in the scope the stage is built in (see
// [NewIf]), so whatever it starts (a buffer in the branch) is owned by that scope
// and stopped with it, as if it were a stage of the pipeline itself. The stage owns
// nothing and has no Stop; the inner service is never stopped by it.
//
// The zero value is not usable. It is safe for concurrent use if the predicate and
// both branches are. A call costs the predicate and one indirect call.
type IfStage[Req, Res any] struct {
	service.Next[Req, Res]                        // the inner service: requests for which pred is false
	layered                service.Next[Req, Res] // the layered service: requests for which pred is true
	pred                   func(Req) bool
}

var (
	_ service.Service[int, int]   = (*IfStage[int, int])(nil)
	_ service.Readier             = (*IfStage[int, int])(nil)
	_ service.TryCaller[int, int] = (*IfStage[int, int])(nil)
	_ service.Loader              = (*IfStage[int, int])(nil)
)

// If returns a layer that sends the requests for which pred is true through l and
// the others straight to the inner service; see [IfStage]. l is applied in the
// scope If's layer is applied in, so its goroutines are the pipeline's. A nil pred
// or l, or an error from l, is reported when the layer is applied.
func If[Req, Res any](pred func(Req) bool, l service.Layer[Req, Res]) service.Layer[Req, Res] {
	return func(sc *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewIf(sc, inner, pred, l))
	}
}

// NewIf applies l to inner in scope sc (with [service.Apply]) and returns a stage
// that sends the requests for which pred is true to the layered service and the
// others to inner. Whatever l starts is owned by sc: stop sc to end it. It returns
// an error if sc, inner, pred or l is nil, or if l fails or returns a nil service;
// if l failed after handing goroutines to sc, they stay owned by sc.
func NewIf[Req, Res any](sc *service.Scope, inner service.Service[Req, Res], pred func(Req) bool, l service.Layer[Req, Res]) (*IfStage[Req, Res], error) {
	next, err := nextOf("if", inner, pred == nil)
	switch {
	case err != nil:
		return nil, err
	case l == nil:
		return nil, errors.New("stage: if: layer is nil")
	case sc == nil:
		return nil, errors.New("stage: if: scope is nil")
	}
	svc, err := service.Apply(l, sc, inner)
	if err != nil {
		return nil, fmt.Errorf("stage: if: %w", err)
	}
	layered, err := service.NewNext(svc)
	if err != nil { // Apply checked svc; kept for the contract's sake
		return nil, fmt.Errorf("stage: if: layered %w", err)
	}
	return &IfStage[Req, Res]{Next: next, layered: layered, pred: pred}, nil
}

// Call sends req to the layered service if pred(req) is true, otherwise to the
// inner service.
func (s *IfStage[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if s.pred(req) {
		return s.layered.Call(ctx, req)
	}
	return s.Next.Call(ctx, req)
}

// TryCall evaluates pred(req) and makes the non-blocking call (see
// [service.Next.TryCall]) on the chosen branch only.
func (s *IfStage[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if s.pred(req) {
		return s.layered.TryCall(ctx, req)
	}
	return s.Next.TryCall(ctx, req)
}

// Ready waits for the layered service's readiness, then for the inner service's.
func (s *IfStage[Req, Res]) Ready(ctx context.Context) error {
	if err := s.layered.Ready(ctx); err != nil {
		return err
	}
	return s.Next.Ready(ctx)
}

// TryReady returns nil if both the layered and the inner service are ready now,
// otherwise the first one's error.
func (s *IfStage[Req, Res]) TryReady() error {
	if err := s.layered.TryReady(); err != nil {
		return err
	}
	return s.Next.TryReady()
}

// Layered returns the layered service, the branch of requests for which pred is
// true.
func (s *IfStage[Req, Res]) Layered() service.Service[Req, Res] { return s.layered.Unwrap() }
