package stage

import (
	"context"
	"errors"

	"github.com/tower-go/tower/service"
)

// AnyService erases the request and response types of a service: it is a
// Service[any, any] over a Service[Req, Res], for code that handles services of
// many types alike (a registry, a router keyed by name). A request whose dynamic
// type is not Req gets a *[TypeError] matching [ErrWrongType], not a panic, and the
// inner service is not called; a nil request is accepted as the zero Req when Req is
// an interface, pointer, map, slice, channel or function type. [Typed] is the way
// back, and Unwrap returns the typed service itself.
//
// It embeds the [service.Next] of the typed service, so readiness, load and Unwrap
// are forwarded. Errors of the inner service pass through unchanged, with a nil
// response.
//
// The zero value is not usable. It is safe for concurrent use if the inner service
// is. A call costs a type assertion and one indirect call, plus whatever boxing the
// response into an interface costs: nothing for pointers and for small or zero
// values, one allocation for others.
type AnyService[Req, Res any] struct {
	service.Next[Req, Res]
	nilOK bool
}

var (
	_ service.Service[any, any]   = (*AnyService[int, int])(nil)
	_ service.Readier             = (*AnyService[int, int])(nil)
	_ service.TryCaller[any, any] = (*AnyService[int, int])(nil)
	_ service.Loader              = (*AnyService[int, int])(nil)
)

// Any returns inner with its types erased; see [AnyService]. It returns an error if
// inner is nil.
func Any[Req, Res any](inner service.Service[Req, Res]) (*AnyService[Req, Res], error) {
	next, err := nextOf("any", inner, false)
	if err != nil {
		return nil, err
	}
	return &AnyService[Req, Res]{Next: next, nilOK: nilable[Req]()}, nil
}

// Call calls the inner service with req if it is a Req, and returns its response as
// an any. It returns a *TypeError if req is not a Req.
func (s *AnyService[Req, Res]) Call(ctx context.Context, req any) (any, error) {
	r, err := assert[Req](req, s.nilOK, "request")
	if err != nil {
		return nil, err
	}
	res, err := s.Next.Call(ctx, r)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// TryCall is Call with the inner service's non-blocking call (see
// [service.Next.TryCall]).
// A request of the wrong type is refused before the inner service is asked.
func (s *AnyService[Req, Res]) TryCall(ctx context.Context, req any) (any, error) {
	r, err := assert[Req](req, s.nilOK, "request")
	if err != nil {
		return nil, err
	}
	res, err := s.Next.TryCall(ctx, r)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// TypedService gives an erased Service[any, any] its types back: it is a
// Service[Req, Res] that passes each request on as an any and asserts that each
// response is a Res. A response of another dynamic type gets a *[TypeError]
// matching [ErrWrongType], not a panic; a nil response is accepted as the zero Res
// when Res is an interface, pointer, map, slice, channel or function type. Errors
// of the erased service pass through unchanged, with the zero response.
//
// When the erased service is an [AnyService] of the same types, TypedService calls
// the typed service inside it directly: no boxing, no assertion.
//
// It embeds the [service.Next] of the erased service, so readiness, load and Unwrap
// (which returns the erased service) are forwarded. The zero value is not usable. It is safe for
// concurrent use if the erased service is. A call costs one indirect call and a type
// assertion, plus boxing the request into an interface (see [AnyService]).
type TypedService[Req, Res any] struct {
	service.Next[any, any]
	direct *service.Next[Req, Res] // set when the erased service is an *AnyService[Req, Res]
	nilOK  bool
}

var (
	_ service.Service[int, int]   = (*TypedService[int, int])(nil)
	_ service.Readier             = (*TypedService[int, int])(nil)
	_ service.TryCaller[int, int] = (*TypedService[int, int])(nil)
	_ service.Loader              = (*TypedService[int, int])(nil)
)

// Typed returns erased with the types Req and Res; see [TypedService]. It returns an
// error if erased is nil.
func Typed[Req, Res any](erased service.Service[any, any]) (*TypedService[Req, Res], error) {
	next, err := nextOf("typed", erased, false)
	if err != nil {
		return nil, err
	}
	s := &TypedService[Req, Res]{Next: next, nilOK: nilable[Res]()}
	if a, ok := erased.(*AnyService[Req, Res]); ok {
		if a.Unwrap() == nil {
			return nil, errors.New("stage: typed: inner service is a zero AnyService (build it with Any)")
		}
		s.direct = &a.Next
	}
	return s, nil
}

// Call calls the erased service with req and returns its response as a Res. It
// returns a *TypeError if the response is not a Res.
func (s *TypedService[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if s.direct != nil {
		return s.direct.Call(ctx, req)
	}
	v, err := s.Next.Call(ctx, req)
	if err != nil {
		var zero Res
		return zero, err
	}
	return assert[Res](v, s.nilOK, "response")
}

// TryCall is Call with the erased service's non-blocking call (see
// [service.Next.TryCall]).
func (s *TypedService[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if s.direct != nil {
		return s.direct.TryCall(ctx, req)
	}
	v, err := s.Next.TryCall(ctx, req)
	if err != nil {
		var zero Res
		return zero, err
	}
	return assert[Res](v, s.nilOK, "response")
}
