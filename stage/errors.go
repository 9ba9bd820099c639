package stage

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/tower-go/tower/service"
)

// ErrWrongType is matched (errors.Is) by every [TypeError]: a request or response of
// the wrong dynamic type crossed an erased service ([Any], [Typed]).
var ErrWrongType = errors.New("stage: wrong type")

// TypeError reports a request or response of the wrong dynamic type at an erased
// service: a caller of an [AnyService] passed a request that is not its Req, or the
// service under a [TypedService] answered with something that is not its Res. It
// matches [ErrWrongType].
type TypeError struct {
	What string       // "request" or "response"
	Want reflect.Type // the type the service expected
	Got  reflect.Type // the dynamic type it got; nil for a nil interface
}

// Error returns the error message.
func (e *TypeError) Error() string {
	if e.Got == nil {
		return fmt.Sprintf("stage: %s is nil, want %v", e.What, e.Want)
	}
	return fmt.Sprintf("stage: %s of type %v, want %v", e.What, e.Got, e.Want)
}

// Is reports whether target is [ErrWrongType].
func (e *TypeError) Is(target error) bool { return target == ErrWrongType }

// nilable reports whether a nil interface converts to T's zero value: T is an
// interface, pointer, map, slice, channel or function type.
func nilable[T any]() bool {
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan,
		reflect.Func, reflect.UnsafePointer:
		return true
	}
	return false
}

// assert converts v to T. A nil v converts to T's zero value when nilOK (T is
// nilable); any other mismatch is a *TypeError.
func assert[T any](v any, nilOK bool, what string) (T, error) {
	t, ok := v.(T)
	if ok || (v == nil && nilOK) {
		return t, nil
	}
	return t, &TypeError{What: what, Want: reflect.TypeFor[T](), Got: reflect.TypeOf(v)}
}

// nextOf returns the handle on inner for a stage's constructor, or the error it
// returns for a missing inner service or function: a nil inner (a nil interface, a
// nil service.Func, a typed nil pointer) is an error wrapping service.ErrNilService.
func nextOf[Req, Res any](stage string, inner service.Service[Req, Res], fNil bool) (service.Next[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return next, fmt.Errorf("stage: %s: inner %w", stage, err)
	}
	if fNil {
		return next, errors.New("stage: " + stage + ": function is nil")
	}
	return next, nil
}
