package filter

import "github.com/tower-go/tower/service"

// ErrRejected matches every error a filter returns for a rejected request. It
// matches service.ErrRejected too.
var ErrRejected = service.NewError("filter: rejected", service.ErrRejected)

// RejectedError is the error a caller gets when a filter's predicate rejected its
// request. Err is the predicate's error. It matches [ErrRejected] and
// service.ErrRejected, and unwraps to Err, so errors.Is and errors.As also see the
// predicate's reason.
type RejectedError struct {
	Err error
}

// Error returns the error message.
func (e *RejectedError) Error() string { return "filter: rejected: " + e.Err.Error() }

// Unwrap returns the predicate's error.
func (e *RejectedError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrRejected] or service.ErrRejected.
func (e *RejectedError) Is(target error) bool {
	return target == ErrRejected || target == service.ErrRejected
}
