package stage

import (
	"context"

	"github.com/tower-go/tower/service"
)

// AndThenStage is a fused stage that runs a function on every successful response
// of its inner service, Tower's AndThen: the function gets the call's ctx and the
// response and returns the caller's result, so it may do more work (decode, look
// up, validate) that can fail. It runs on the caller's goroutine and must honour
// ctx if it blocks. When the inner service fails the function is not called: the
// caller gets the zero B and the inner error, unchanged. The response type may
// change from A to B ([AndThenTo]).
//
// The zero value is not usable. It is safe for concurrent use if its function is.
// It embeds the [service.Next] of its inner service, so its readiness, load and
// Unwrap are the inner service's. A call costs the function and one indirect
// call, and allocates nothing beyond what the function does.
type AndThenStage[Req, A, B any] struct {
	service.Next[Req, A]
	f func(context.Context, A) (B, error)
}

var (
	_ service.Service[int, int]   = (*AndThenStage[int, int, int])(nil)
	_ service.Readier             = (*AndThenStage[int, int, int])(nil)
	_ service.TryCaller[int, int] = (*AndThenStage[int, int, int])(nil)
	_ service.Loader              = (*AndThenStage[int, int, int])(nil)
)

// AndThen returns a layer that runs f on every successful response; see
// [AndThenStage]. A nil f is reported when the layer is applied.
func AndThen[Req, Res any](f func(context.Context, Res) (Res, error)) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewAndThen(inner, f))
	}
}

// NewAndThen returns a stage that runs f on every successful response of inner. It
// returns an error if inner or f is nil.
func NewAndThen[Req, Res any](inner service.Service[Req, Res], f func(context.Context, Res) (Res, error)) (*AndThenStage[Req, Res, Res], error) {
	return newAndThen(inner, f, "and then")
}

// AndThenTo is [NewAndThen] with a function that changes the response type from A
// to B. There is no layer form; see [MapRequestTo].
func AndThenTo[Req, A, B any](inner service.Service[Req, A], f func(context.Context, A) (B, error)) (*AndThenStage[Req, A, B], error) {
	return newAndThen(inner, f, "and then to")
}

func newAndThen[Req, A, B any](inner service.Service[Req, A], f func(context.Context, A) (B, error), name string) (*AndThenStage[Req, A, B], error) {
	next, err := nextOf(name, inner, f == nil)
	if err != nil {
		return nil, err
	}
	return &AndThenStage[Req, A, B]{Next: next, f: f}, nil
}

// Call calls the inner service and, if it succeeds, returns f(ctx, response).
func (s *AndThenStage[Req, A, B]) Call(ctx context.Context, req Req) (B, error) {
	res, err := s.Next.Call(ctx, req)
	if err != nil {
		var zero B
		return zero, err
	}
	return s.f(ctx, res)
}

// TryCall makes the inner service's non-blocking call (see [service.Next.TryCall]) and, if
// it succeeds, returns f(ctx, response).
func (s *AndThenStage[Req, A, B]) TryCall(ctx context.Context, req Req) (B, error) {
	res, err := s.Next.TryCall(ctx, req)
	if err != nil {
		var zero B
		return zero, err
	}
	return s.f(ctx, res)
}
