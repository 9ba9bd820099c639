package stage

import (
	"context"
	"errors"

	"github.com/tower-go/tower/service"
)

// MapResponseStage is a fused stage that applies a function to every successful
// response of its inner service, Tower's MapResponse. The response type may change
// from A to B ([MapResponseTo]); [MapResponse] and [NewMapResponse] keep it. When the
// inner service fails, the function is not called: the caller gets the zero B and
// the inner error, unchanged.
//
// Adjacent MapResponse stages fuse as MapRequest stages do (see
// [MapRequestStage]): built over another MapResponseStage whose response type is A,
// a stage applies that stage's functions and then its own to each response.
//
// It embeds the [service.Next] of the service it calls, so its readiness, load and
// Unwrap are that service's.
//
// The zero value is not usable. It is safe for concurrent use if its functions are.
// A call costs its functions and one indirect call, and allocates nothing.
type MapResponseStage[Req, A, B any] struct {
	service.Next[Req, A]
	pre []func(A) A // the functions of fused inner stages, applied before f in order
	f   func(A) B
}

var (
	_ service.Service[int, int]   = (*MapResponseStage[int, int, int])(nil)
	_ service.Readier             = (*MapResponseStage[int, int, int])(nil)
	_ service.TryCaller[int, int] = (*MapResponseStage[int, int, int])(nil)
	_ service.Loader              = (*MapResponseStage[int, int, int])(nil)
)

// MapResponse returns a layer that applies f to every successful response; see
// [MapResponseStage]. A nil f is reported when the layer is applied.
func MapResponse[Req, Res any](f func(Res) Res) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewMapResponse(inner, f))
	}
}

// NewMapResponse returns a stage that applies f to every successful response of
// inner. It returns an error if inner or f is nil.
func NewMapResponse[Req, Res any](inner service.Service[Req, Res], f func(Res) Res) (*MapResponseStage[Req, Res, Res], error) {
	return newMapResponse(inner, f, "map response")
}

// MapResponseTo returns a service whose responses are f of inner's: a stage that
// changes the response type from A to B. There is no layer form; see
// [MapRequestTo]. It returns an error if inner or f is nil.
func MapResponseTo[Req, A, B any](inner service.Service[Req, A], f func(A) B) (*MapResponseStage[Req, A, B], error) {
	return newMapResponse(inner, f, "map response to")
}

func newMapResponse[Req, A, B any](inner service.Service[Req, A], f func(A) B, name string) (*MapResponseStage[Req, A, B], error) {
	next, err := nextOf(name, inner, f == nil)
	if err != nil {
		return nil, err
	}
	if in, ok := inner.(*MapResponseStage[Req, A, A]); ok {
		if in.f == nil {
			return nil, errors.New("stage: " + name + ": inner service is a zero MapResponseStage (build it with NewMapResponse)")
		}
		pre := append(append(make([]func(A) A, 0, len(in.pre)+1), in.pre...), in.f)
		return &MapResponseStage[Req, A, B]{Next: in.Next, pre: pre, f: f}, nil
	}
	return &MapResponseStage[Req, A, B]{Next: next, f: f}, nil
}

// Call calls the inner service and, if it succeeds, returns f of its response.
func (s *MapResponseStage[Req, A, B]) Call(ctx context.Context, req Req) (B, error) {
	res, err := s.Next.Call(ctx, req)
	if err != nil {
		var zero B
		return zero, err
	}
	for _, g := range s.pre {
		res = g(res)
	}
	return s.f(res), nil
}

// TryCall makes the inner service's non-blocking call (see [service.Next.TryCall])
// and, if it succeeds, returns f of its response.
func (s *MapResponseStage[Req, A, B]) TryCall(ctx context.Context, req Req) (B, error) {
	res, err := s.Next.TryCall(ctx, req)
	if err != nil {
		var zero B
		return zero, err
	}
	for _, g := range s.pre {
		res = g(res)
	}
	return s.f(res), nil
}
