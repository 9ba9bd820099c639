package stage

import (
	"context"
	"errors"

	"github.com/tower-go/tower/service"
)

// MapRequestStage is a fused stage that applies a function to every request before
// its inner service sees it, Tower's MapRequest. The request type may change from A
// to B ([MapRequestTo]); [MapRequest] and [NewMapRequest] keep it.
//
// Adjacent MapRequest stages fuse: built over another MapRequestStage whose request
// type is B, a stage takes over its functions and calls its inner service
// directly, applying its own function and then theirs in order. Callers see the same
// requests, results, readiness, load and TryCall as without fusion; only Unwrap
// differs, returning the service below the fused stages.
//
// It embeds the [service.Next] of the service it calls, so its readiness, load and
// Unwrap are that service's.
//
// The zero value is not usable: build one with [NewMapRequest] or [MapRequestTo]. It
// is safe for concurrent use if its functions are. A call costs its functions and
// one indirect call, and allocates nothing.
type MapRequestStage[A, B, Res any] struct {
	service.Next[B, Res]
	f    func(A) B
	then []func(B) B // the functions of fused inner stages, applied after f in order
}

var (
	_ service.Service[int, int]   = (*MapRequestStage[int, int, int])(nil)
	_ service.Readier             = (*MapRequestStage[int, int, int])(nil)
	_ service.TryCaller[int, int] = (*MapRequestStage[int, int, int])(nil)
	_ service.Loader              = (*MapRequestStage[int, int, int])(nil)
)

// MapRequest returns a layer that applies f to every request; see
// [MapRequestStage]. A nil f is reported when the layer is applied.
func MapRequest[Req, Res any](f func(Req) Req) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewMapRequest(inner, f))
	}
}

// NewMapRequest returns a stage that applies f to every request before inner sees
// it. It returns an error if inner or f is nil.
func NewMapRequest[Req, Res any](inner service.Service[Req, Res], f func(Req) Req) (*MapRequestStage[Req, Req, Res], error) {
	return newMapRequest(inner, f, "map request")
}

// MapRequestTo returns a service that takes requests of type A and calls inner,
// which takes B, with f(req): a stage that changes the request type. There is no
// layer form, since a [service.Layer] keeps both types; apply it to a materialized
// pipeline instead. It returns an error if inner or f is nil.
func MapRequestTo[A, B, Res any](inner service.Service[B, Res], f func(A) B) (*MapRequestStage[A, B, Res], error) {
	return newMapRequest(inner, f, "map request to")
}

func newMapRequest[A, B, Res any](inner service.Service[B, Res], f func(A) B, name string) (*MapRequestStage[A, B, Res], error) {
	next, err := nextOf(name, inner, f == nil)
	if err != nil {
		return nil, err
	}
	if in, ok := inner.(*MapRequestStage[B, B, Res]); ok {
		if in.f == nil {
			return nil, errors.New("stage: " + name + ": inner service is a zero MapRequestStage (build it with NewMapRequest)")
		}
		then := append(append(make([]func(B) B, 0, 1+len(in.then)), in.f), in.then...)
		return &MapRequestStage[A, B, Res]{Next: in.Next, f: f, then: then}, nil
	}
	return &MapRequestStage[A, B, Res]{Next: next, f: f}, nil
}

// Call calls the inner service with f(req).
func (s *MapRequestStage[A, B, Res]) Call(ctx context.Context, req A) (Res, error) {
	r := s.f(req)
	for _, g := range s.then {
		r = g(r)
	}
	return s.Next.Call(ctx, r)
}

// TryCall applies f, then makes the inner service's non-blocking call with the
// result (see [service.Next.TryCall]): f runs even if the inner service then
// refuses.
func (s *MapRequestStage[A, B, Res]) TryCall(ctx context.Context, req A) (Res, error) {
	r := s.f(req)
	for _, g := range s.then {
		r = g(r)
	}
	return s.Next.TryCall(ctx, r)
}
