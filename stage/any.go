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
// Readiness and TryCall are forwarded. Errors of the inner service pass through
// unchanged, with a nil response.
//
// The zero value is not usable. It is safe for concurrent use if the inner service
// is. A call costs a type assertion and one indirect call, plus whatever boxing the
// response into an interface costs: nothing for pointers and for small or zero
// values, one allocation for others.
type AnyService[Req, Res any] struct {
	service.Forward
	next  link[Req, Res]
	nilOK bool
}

var (
	_ service.Service[any, any]   = (*AnyService[int, int])(nil)
	_ service.Readier             = (*AnyService[int, int])(nil)
	_ service.TryCaller[any, any] = (*AnyService[int, int])(nil)
)

// Any returns inner with its types erased; see [AnyService]. It returns an error if
// inner is nil.
func Any[Req, Res any](inner service.Service[Req, Res]) (*AnyService[Req, Res], error) {
	if inner == nil {
		return nil, errors.New("stage: any: inner service is nil")
	}
	return &AnyService[Req, Res]{Forward: service.ForwardReady(inner), next: newLink(inner), nilOK: nilable[Req]()}, nil
}

// Call calls the inner service with req if it is a Req, and returns its response as
// an any. It returns a *TypeError if req is not a Req.
func (s *AnyService[Req, Res]) Call(ctx context.Context, req any) (any, error) {
	r, err := assert[Req](req, s.nilOK, "request")
	if err != nil {
		return nil, err
	}
	res, err := s.next.svc.Call(ctx, r)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// TryCall is Call with the inner service's non-blocking call (see service.TryCall).
// A request of the wrong type is refused before the inner service is asked.
func (s *AnyService[Req, Res]) TryCall(ctx context.Context, req any) (any, error) {
	r, err := assert[Req](req, s.nilOK, "request")
	if err != nil {
		return nil, err
	}
	res, err := s.next.tryCall(ctx, r)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Unwrap returns the typed inner service.
func (s *AnyService[Req, Res]) Unwrap() service.Service[Req, Res] { return s.next.svc }

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
// Readiness and TryCall are forwarded. The zero value is not usable. It is safe for
// concurrent use if the erased service is. A call costs one indirect call and a type
// assertion, plus boxing the request into an interface (see [AnyService]).
type TypedService[Req, Res any] struct {
	service.Forward
	direct link[Req, Res] // set when the erased service is an *AnyService[Req, Res]
	next   link[any, any]
	nilOK  bool
}

var (
	_ service.Service[int, int]   = (*TypedService[int, int])(nil)
	_ service.Readier             = (*TypedService[int, int])(nil)
	_ service.TryCaller[int, int] = (*TypedService[int, int])(nil)
)

// Typed returns erased with the types Req and Res; see [TypedService]. It returns an
// error if erased is nil.
func Typed[Req, Res any](erased service.Service[any, any]) (*TypedService[Req, Res], error) {
	if erased == nil {
		return nil, errors.New("stage: typed: inner service is nil")
	}
	s := &TypedService[Req, Res]{Forward: service.ForwardReady(erased), next: newLink(erased), nilOK: nilable[Res]()}
	if a, ok := erased.(*AnyService[Req, Res]); ok && a != nil {
		s.direct = a.next
	}
	return s, nil
}

// Call calls the erased service with req and returns its response as a Res. It
// returns a *TypeError if the response is not a Res.
func (s *TypedService[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if s.direct.svc != nil {
		return s.direct.svc.Call(ctx, req)
	}
	v, err := s.next.svc.Call(ctx, req)
	if err != nil {
		var zero Res
		return zero, err
	}
	return assert[Res](v, s.nilOK, "response")
}

// TryCall is Call with the erased service's non-blocking call (see
// service.TryCall).
func (s *TypedService[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if s.direct.svc != nil {
		return s.direct.tryCall(ctx, req)
	}
	v, err := s.next.tryCall(ctx, req)
	if err != nil {
		var zero Res
		return zero, err
	}
	return assert[Res](v, s.nilOK, "response")
}

// Unwrap returns the erased service.
func (s *TypedService[Req, Res]) Unwrap() service.Service[any, any] { return s.next.svc }
