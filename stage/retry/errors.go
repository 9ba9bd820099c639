package retry

import (
	"strconv"

	"github.com/tower-go/tower/service"
)

// ErrBudgetExhausted matches the error a caller gets when a call failed and the
// policy would have retried it, but the shared [Budget] had no retry left. The
// caller gets a [*BudgetExhaustedError], which matches it and carries the last
// attempt's error.
var ErrBudgetExhausted = service.NewError("retry: budget exhausted")

// BudgetExhaustedError reports that a retry was not sent because the [Budget] was
// empty. It matches [ErrBudgetExhausted] and unwraps to the last attempt's error,
// so errors.Is and errors.As also see the inner failure.
type BudgetExhaustedError struct {
	Attempts int   // attempts sent, all of which failed
	Err      error // the last attempt's error; nil if the policy retried a response
}

// Error returns the error message.
func (e *BudgetExhaustedError) Error() string {
	msg := "retry: budget exhausted after " + strconv.Itoa(e.Attempts) + " attempt"
	if e.Attempts != 1 {
		msg += "s"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the last attempt's error.
func (e *BudgetExhaustedError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrBudgetExhausted].
func (e *BudgetExhaustedError) Is(target error) bool { return target == ErrBudgetExhausted }
