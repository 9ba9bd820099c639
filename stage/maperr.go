package stage

import (
	"context"

	"github.com/tower-go/tower/service"
)

// MapErrStage is a fused stage that applies a function to every error of its inner
// service, Tower's MapErr. The function is called only when the inner service
// fails, with its error; the caller gets the inner response (usually the zero value)
// and the function's result. The function should wrap rather than replace (with
// fmt.Errorf's %w), so that callers can still branch on the kind with errors.Is:
// the overload error of TryCall and ctx.Err() pass through it too. If it returns nil
// the call succeeds with the inner response; use [Then] to recover deliberately.
//
// The zero value is not usable. It is safe for concurrent use if its function is.
// It embeds the [service.Next] of its inner service, so its readiness, load and
// Unwrap are the inner service's. A call costs one indirect call, and
// allocates nothing beyond what the function does.
type MapErrStage[Req, Res any] struct {
	service.Next[Req, Res]
	f func(error) error
}

var (
	_ service.Service[int, int]   = (*MapErrStage[int, int])(nil)
	_ service.Readier             = (*MapErrStage[int, int])(nil)
	_ service.TryCaller[int, int] = (*MapErrStage[int, int])(nil)
	_ service.Loader              = (*MapErrStage[int, int])(nil)
)

// MapErr returns a layer that applies f to every error of the inner service; see
// [MapErrStage]. A nil f is reported when the layer is applied.
func MapErr[Req, Res any](f func(error) error) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewMapErr(inner, f))
	}
}

// NewMapErr returns a stage that applies f to every error of inner. It returns an
// error if inner or f is nil.
func NewMapErr[Req, Res any](inner service.Service[Req, Res], f func(error) error) (*MapErrStage[Req, Res], error) {
	next, err := nextOf("map err", inner, f == nil)
	if err != nil {
		return nil, err
	}
	return &MapErrStage[Req, Res]{Next: next, f: f}, nil
}

// Call calls the inner service and maps its error, if any.
func (s *MapErrStage[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	res, err := s.Next.Call(ctx, req)
	if err != nil {
		err = s.f(err)
	}
	return res, err
}

// TryCall makes the inner service's non-blocking call (see [service.Next.TryCall]) and maps
// its error, if any, including a refusal.
func (s *MapErrStage[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	res, err := s.Next.TryCall(ctx, req)
	if err != nil {
		err = s.f(err)
	}
	return res, err
}
