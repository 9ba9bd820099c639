package loadshed

import "github.com/tower-go/tower/service"

// ErrShed reports that the stage refused a call because the inner service had no
// capacity at once. It matches service.ErrOverloaded under errors.Is. The error a
// shed call returns matches ErrShed and wraps the inner service's refusal (such as
// limit.ErrLimited or mailbox.ErrFull), so errors.Is sees both.
var ErrShed = service.NewError("loadshed: overloaded", service.ErrOverloaded)

// shedError is the error of a shed call: ErrShed, wrapping the inner refusal.
type shedError struct {
	cause error
}

func (e *shedError) Error() string { return "loadshed: overloaded: " + e.cause.Error() }

// Is reports whether target is ErrShed (or a kind ErrShed matches).
func (e *shedError) Is(target error) bool {
	return target == ErrShed || target == service.ErrOverloaded
}

// Unwrap returns the inner service's refusal.
func (e *shedError) Unwrap() error { return e.cause }
