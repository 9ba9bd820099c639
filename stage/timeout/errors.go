package timeout

import (
	"context"
	"time"

	"github.com/tower-go/tower/service"
)

// ErrElapsed is the error a caller gets when the stage's deadline passed before the
// inner service answered. It also matches context.DeadlineExceeded under errors.Is,
// so code that already tests for a deadline keeps working.
//
// The caller gets ErrElapsed itself when the inner service answered with the
// deadline's own error (context.DeadlineExceeded), and an [*ElapsedError] that
// matches ErrElapsed and unwraps to the inner error when the inner service answered
// with anything else after the deadline. Branch with errors.Is(err, ErrElapsed).
var ErrElapsed = service.NewError("timeout: elapsed", context.DeadlineExceeded)

// ElapsedError reports that the stage's deadline passed and the inner service then
// failed with an error of its own (not the context's), which it carries. It matches
// [ErrElapsed] and context.DeadlineExceeded, and unwraps to Err, so errors.Is and
// errors.As also see the inner error.
type ElapsedError struct {
	Timeout time.Duration // the stage's duration
	Err     error         // what the inner service returned after the deadline
}

// Error returns the error message.
func (e *ElapsedError) Error() string {
	return "timeout: elapsed after " + e.Timeout.String() + ": " + e.Err.Error()
}

// Unwrap returns the inner error.
func (e *ElapsedError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrElapsed] or context.DeadlineExceeded.
func (e *ElapsedError) Is(target error) bool {
	return target == ErrElapsed || target == context.DeadlineExceeded
}
