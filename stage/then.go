package stage

import (
	"context"

	"github.com/tower-go/tower/service"
)

// ThenStage is a fused stage that runs a function on every result (response and
// error) of its inner service, Tower's Then: the function gets the call's ctx, the
// response and the error, and returns the caller's result, so it can recover from a
// failure (a fallback value), fail a response, or do more work. It runs on the
// caller's goroutine and must honour ctx if it blocks. The response type may change
// from A to B ([ThenTo]).
//
// The zero value is not usable. It is safe for concurrent use if its function is.
// It embeds the [service.Next] of its inner service, so its readiness, load and
// Unwrap are the inner service's. A call costs the function and one indirect
// call, and allocates nothing beyond what the function does.
type ThenStage[Req, A, B any] struct {
	service.Next[Req, A]
	f func(context.Context, A, error) (B, error)
}

var (
	_ service.Service[int, int]   = (*ThenStage[int, int, int])(nil)
	_ service.Readier             = (*ThenStage[int, int, int])(nil)
	_ service.TryCaller[int, int] = (*ThenStage[int, int, int])(nil)
	_ service.Loader              = (*ThenStage[int, int, int])(nil)
)

// Then returns a layer that runs f on every result of the inner service; see
// [ThenStage]. A nil f is reported when the layer is applied.
func Then[Req, Res any](f func(context.Context, Res, error) (Res, error)) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewThen(inner, f))
	}
}

// NewThen returns a stage that runs f on every result of inner. It returns an error
// if inner or f is nil.
func NewThen[Req, Res any](inner service.Service[Req, Res], f func(context.Context, Res, error) (Res, error)) (*ThenStage[Req, Res, Res], error) {
	return newThen(inner, f, "then")
}

// ThenTo is [NewThen] with a function that changes the response type from A to B.
// There is no layer form; see [MapRequestTo].
func ThenTo[Req, A, B any](inner service.Service[Req, A], f func(context.Context, A, error) (B, error)) (*ThenStage[Req, A, B], error) {
	return newThen(inner, f, "then to")
}

func newThen[Req, A, B any](inner service.Service[Req, A], f func(context.Context, A, error) (B, error), name string) (*ThenStage[Req, A, B], error) {
	next, err := nextOf(name, inner, f == nil)
	if err != nil {
		return nil, err
	}
	return &ThenStage[Req, A, B]{Next: next, f: f}, nil
}

// Call calls the inner service and returns f(ctx, response, error).
func (s *ThenStage[Req, A, B]) Call(ctx context.Context, req Req) (B, error) {
	res, err := s.Next.Call(ctx, req)
	return s.f(ctx, res, err)
}

// TryCall makes the inner service's non-blocking call (see [service.Next.TryCall]) and
// returns f(ctx, response, error), a refusal included.
func (s *ThenStage[Req, A, B]) TryCall(ctx context.Context, req Req) (B, error) {
	res, err := s.Next.TryCall(ctx, req)
	return s.f(ctx, res, err)
}
