package stage

import (
	"context"

	"github.com/tower-go/tower/service"
)

// MapResultStage is a fused stage that applies a function to every result (response
// and error) of its inner service, Tower's MapResult: the function is always
// called, so it can turn a failure into a response or a response into a failure.
// For a function that needs the call's ctx, or that changes the response type, use
// [Then] or [ThenTo].
//
// The zero value is not usable. It is safe for concurrent use if its function is.
// It embeds the [service.Next] of its inner service, so its readiness, load and
// Unwrap are the inner service's. A call costs the function and one indirect
// call, and allocates nothing.
type MapResultStage[Req, Res any] struct {
	service.Next[Req, Res]
	f func(Res, error) (Res, error)
}

var (
	_ service.Service[int, int]   = (*MapResultStage[int, int])(nil)
	_ service.Readier             = (*MapResultStage[int, int])(nil)
	_ service.TryCaller[int, int] = (*MapResultStage[int, int])(nil)
	_ service.Loader              = (*MapResultStage[int, int])(nil)
)

// MapResult returns a layer that applies f to every result of the inner service; see
// [MapResultStage]. A nil f is reported when the layer is applied.
func MapResult[Req, Res any](f func(Res, error) (Res, error)) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewMapResult(inner, f))
	}
}

// NewMapResult returns a stage that applies f to every result of inner. It returns
// an error if inner or f is nil.
func NewMapResult[Req, Res any](inner service.Service[Req, Res], f func(Res, error) (Res, error)) (*MapResultStage[Req, Res], error) {
	next, err := nextOf("map result", inner, f == nil)
	if err != nil {
		return nil, err
	}
	return &MapResultStage[Req, Res]{Next: next, f: f}, nil
}

// Call calls the inner service and returns f of its result.
func (s *MapResultStage[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return s.f(s.Next.Call(ctx, req))
}

// TryCall makes the inner service's non-blocking call (see [service.Next.TryCall]) and
// returns f of its result, a refusal included.
func (s *MapResultStage[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return s.f(s.Next.TryCall(ctx, req))
}
