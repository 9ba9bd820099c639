package stage

import (
	"context"
	"errors"
	"fmt"
	"reflect"

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
// takes.)
//
// Stop: if the layer built a service that owns goroutines (a buffer), the stage
// owns it and implements [service.Stopper] for it; a pipeline stops it. The inner
// service is never stopped. Stop returns nil when there is nothing to stop.
//
// The zero value is not usable. It is safe for concurrent use if the predicate and
// both branches are. A call costs the predicate and one indirect call.
type IfStage[Req, Res any] struct {
	pred    func(Req) bool
	inner   link[Req, Res]
	layered link[Req, Res]
	innerR  service.Forward
	layerR  service.Forward
	stopper service.Stopper // the layered service if it is a Stopper the stage owns
}

var (
	_ service.Service[int, int]   = (*IfStage[int, int])(nil)
	_ service.Readier             = (*IfStage[int, int])(nil)
	_ service.TryCaller[int, int] = (*IfStage[int, int])(nil)
	_ service.Stopper             = (*IfStage[int, int])(nil)
)

// If returns a layer that sends the requests for which pred is true through l and
// the others straight to the inner service; see [IfStage]. A nil pred or l, or an
// error from l, is reported when the layer is applied.
func If[Req, Res any](pred func(Req) bool, l service.Layer[Req, Res]) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewIf(inner, pred, l))
	}
}

// NewIf applies l to inner and returns a stage that sends the requests for which
// pred is true to the layered service and the others to inner. It returns an error
// if inner, pred or l is nil, or if l fails or returns a nil service.
func NewIf[Req, Res any](inner service.Service[Req, Res], pred func(Req) bool, l service.Layer[Req, Res]) (*IfStage[Req, Res], error) {
	if err := check("if", inner == nil, pred == nil); err != nil {
		return nil, err
	}
	if l == nil {
		return nil, errors.New("stage: if: layer is nil")
	}
	layered, err := l(inner)
	if err != nil {
		return nil, fmt.Errorf("stage: if: %w", err)
	}
	if layered == nil {
		return nil, errors.New("stage: if: layer returned a nil service")
	}
	s := &IfStage[Req, Res]{
		pred:    pred,
		inner:   newLink(inner),
		layered: newLink(layered),
		innerR:  service.ForwardReady(inner),
		layerR:  service.ForwardReady(layered),
	}
	if st, ok := layered.(service.Stopper); ok && !same(layered, inner) {
		s.stopper = st
	}
	return s, nil
}

// same reports whether a and b hold the same comparable value (a layer that returned
// its inner service), without the panic == gives on uncomparable dynamic types.
func same[T any](a, b T) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb || ta == nil || !ta.Comparable() {
		return false
	}
	return any(a) == any(b)
}

// Call sends req to the layered service if pred(req) is true, otherwise to the
// inner service.
func (s *IfStage[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if s.pred(req) {
		return s.layered.svc.Call(ctx, req)
	}
	return s.inner.svc.Call(ctx, req)
}

// TryCall evaluates pred(req) and makes the non-blocking call (see service.TryCall)
// on the chosen branch only.
func (s *IfStage[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if s.pred(req) {
		return s.layered.tryCall(ctx, req)
	}
	return s.inner.tryCall(ctx, req)
}

// Ready waits for the layered service's readiness, then for the inner service's.
func (s *IfStage[Req, Res]) Ready(ctx context.Context) error {
	if err := s.layerR.Ready(ctx); err != nil {
		return err
	}
	return s.innerR.Ready(ctx)
}

// TryReady returns nil if both the layered and the inner service are ready now,
// otherwise the first one's error.
func (s *IfStage[Req, Res]) TryReady() error {
	if err := s.layerR.TryReady(); err != nil {
		return err
	}
	return s.innerR.TryReady()
}

// Stop stops the layered service if the layer built one that owns goroutines, and
// returns nil otherwise. It never stops the inner service.
func (s *IfStage[Req, Res]) Stop(ctx context.Context) error {
	if s.stopper == nil {
		return nil
	}
	return s.stopper.Stop(ctx)
}

// Unwrap returns the inner service, the branch of requests for which pred is false.
func (s *IfStage[Req, Res]) Unwrap() service.Service[Req, Res] { return s.inner.svc }

// Layered returns the layered service, the branch of requests for which pred is
// true.
func (s *IfStage[Req, Res]) Layered() service.Service[Req, Res] { return s.layered.svc }
