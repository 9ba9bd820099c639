package service

import (
	"context"
	"errors"
	"reflect"
)

// Next is a stage's handle on its inner service: the one place where the inner
// service's optional abilities are looked up and forwarded. [NewNext] looks them up
// once, at construction, so that a call pays no type assertion.
//
// Every built-in stage embeds a Next. Embedding gives the stage the inner service's
// readiness ([Next.Ready], [Next.TryReady]), its load ([Next.Load]) and
// [Next.Unwrap] by promotion; the stage
// defines its own Call and TryCall and reaches the inner service through
// s.Next.Call and s.Next.TryCall. A stage that defines Call must define TryCall too,
// or its promoted TryCall would bypass it (every built-in stage asserts both at
// compile time). When an ability is added to the contract, it is added here, and
// every stage forwards it.
//
// A user-written stage does not need Next: [Stage] turns a function of (ctx, request,
// next) into a stage that forwards every ability.
//
// The zero value is not usable; build one with [NewNext]. A Next is safe for
// concurrent use if its inner service is, and costs one indirect call per method.
type Next[Req, Res any] struct {
	svc   Service[Req, Res]
	try   TryCaller[Req, Res] // nil when svc has no TryCall of its own
	ready Readier             // nil when svc has no bound: always ready
	load  Loader              // nil when svc reports no load
}

var (
	_ Service[int, int]   = (*Next[int, int])(nil)
	_ Readier             = (*Next[int, int])(nil)
	_ TryCaller[int, int] = (*Next[int, int])(nil)
	_ Loader              = (*Next[int, int])(nil)
)

// ErrNilService is the error for a missing service: a nil interface, a nil [Func],
// or a typed nil pointer, map, channel or function stored in a Service. Constructors
// and pipelines return an error that wraps it.
var ErrNilService = errors.New("service is nil")

// NewNext returns a handle on inner with its abilities looked up once. It returns an
// error wrapping [ErrNilService] if inner is nil (see [CheckService]).
func NewNext[Req, Res any](inner Service[Req, Res]) (Next[Req, Res], error) {
	if err := CheckService(inner); err != nil {
		return Next[Req, Res]{}, err
	}
	try, _ := inner.(TryCaller[Req, Res])
	ready, _ := inner.(Readier)
	load, _ := inner.(Loader)
	return Next[Req, Res]{svc: inner, try: try, ready: ready, load: load}, nil
}

// CheckService returns nil if s can serve calls, and [ErrNilService] if it is a nil
// interface, a nil [Func], or a typed nil pointer, map, channel, slice or function
// (a method on such a value would panic on the first call). It uses reflection, so
// call it at construction, not per call.
func CheckService[Req, Res any](s Service[Req, Res]) error {
	if s == nil {
		return ErrNilService
	}
	if isNil(s) {
		return ErrNilService
	}
	return nil
}

// isNil reports whether v holds a nil pointer, map, channel, slice, function or
// interface.
func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Slice, reflect.Func, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// Call calls the inner service.
func (n *Next[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return n.svc.Call(ctx, req)
}

// TryCall makes the inner service's non-blocking call: its own TryCall when it has
// one (an atomic decision), otherwise its TryReady (advisory) and then Call. A
// service with no bound is always ready, so TryCall is then Call.
func (n *Next[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if n.try != nil {
		return n.try.TryCall(ctx, req)
	}
	if n.ready != nil {
		if err := n.ready.TryReady(); err != nil {
			var zero Res
			return zero, err
		}
	}
	return n.svc.Call(ctx, req)
}

// Ready waits for the inner service's readiness (see [Readier]); an inner service
// with no bound is always ready.
func (n *Next[Req, Res]) Ready(ctx context.Context) error {
	if n.ready == nil {
		return nil
	}
	return n.ready.Ready(ctx)
}

// TryReady reports the inner service's readiness at once.
func (n *Next[Req, Res]) TryReady() error {
	if n.ready == nil {
		return nil
	}
	return n.ready.TryReady()
}

// Bounded reports whether the inner service has a readiness of its own (implements
// [Readier]). A stage that sheds or steers by readiness can skip its checks when
// it has none.
func (n *Next[Req, Res]) Bounded() bool { return n.ready != nil }

// Load returns the inner service's load (see [Loader]), or 0 if it reports none.
func (n *Next[Req, Res]) Load() float64 {
	if n.load == nil {
		return 0
	}
	return n.load.Load()
}

// Unwrap returns the inner service.
func (n *Next[Req, Res]) Unwrap() Service[Req, Res] { return n.svc }
