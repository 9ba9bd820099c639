package service

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// Error kinds shared by many stages. Stage packages return their own sentinels or
// typed errors, which also match one of these under errors.Is, so that a caller can
// branch either on the exact failure (mailbox.ErrFull) or on its kind (ErrOverloaded).
var (
	// ErrOverloaded: the service had no capacity and a stage chose to fail fast
	// (a full mailbox with the fail-fast policy, load shedding, a rejecting limit).
	// The condition is momentary: the same service may take a call again soon.
	ErrOverloaded = errors.New("tower: overloaded")
	// ErrUnavailable: the service refuses every call for a while, whatever its load
	// (an open circuit breaker, a child that is restarting). Retrying the same
	// service at once is pointless; another endpoint, or a later attempt, may serve.
	// It does not match ErrOverloaded, so that a retry policy can tell "busy, try
	// again" from "down, go elsewhere".
	ErrUnavailable = errors.New("tower: unavailable")
	// ErrClosed: the service was stopped, or is stopping, and takes no more calls.
	ErrClosed = errors.New("tower: closed")
	// ErrRejected: a filter rejected the request.
	ErrRejected = errors.New("tower: rejected")
	// ErrFailed: the service failed (its readiness failed) and fails every call
	// until it is replaced; see [FailedError].
	ErrFailed = errors.New("tower: service failed")
	// ErrPanicked: user code panicked during the call; see [PanicError].
	ErrPanicked = errors.New("tower: panic in service")
)

// NewError returns a sentinel error with message msg that also matches every error in
// kinds under errors.Is. Stage packages use it to make errors such as
// mailbox.ErrFull, which matches both itself and [ErrOverloaded]. Returning the
// sentinel allocates nothing.
func NewError(msg string, kinds ...error) error {
	return &kindError{msg: msg, kinds: kinds}
}

type kindError struct {
	msg   string
	kinds []error
}

// Error returns the error message.
func (e *kindError) Error() string { return e.msg }

func (e *kindError) Is(target error) bool {
	for _, k := range e.kinds {
		if errors.Is(k, target) {
			return true
		}
	}
	return false
}

// FailedError reports that a service failed and takes no more calls: its readiness
// returned Err. Every call queued for it, and every later call, gets the same
// FailedError. It matches [ErrFailed] and, through Unwrap, the cause, so a caller can
// still test for the inner error with errors.Is or errors.As.
type FailedError struct {
	Err error
}

// Error returns the error message.
func (e *FailedError) Error() string {
	if e.Err == nil {
		return "tower: service failed"
	}
	return "tower: service failed: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *FailedError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrFailed].
func (e *FailedError) Is(target error) bool { return target == ErrFailed }

// PanicError is the error a caller gets when user code panicked while serving its
// call. It carries the panic value and the call stack of the panicking goroutine
// (program counters, taken cheaply when the panic is recovered; [PanicError.Stack]
// formats them). It matches [ErrPanicked] and, when the panic value is an error,
// unwraps to it.
type PanicError struct {
	Value   any
	Callers []uintptr

	once  sync.Once
	stack []byte
}

// NewPanicError captures the current call stack for a recovered panic value. Call
// it from the deferred function that recovered, so that the stack shows where the
// panic was. It costs a runtime.Callers (about a microsecond), not a formatted
// stack dump.
func NewPanicError(value any) *PanicError {
	var pcs [64]uintptr
	n := runtime.Callers(2, pcs[:])
	return &PanicError{Value: value, Callers: append([]uintptr(nil), pcs[:n]...)}
}

// Stack returns the stack of the panicking goroutine as text, one function and its
// file:line per frame, innermost first, formatted on first use.
func (e *PanicError) Stack() []byte {
	e.once.Do(func() {
		var b strings.Builder
		frames := runtime.CallersFrames(e.Callers)
		for {
			f, more := frames.Next()
			if f.Function != "" || f.File != "" {
				fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
			}
			if !more {
				break
			}
		}
		e.stack = []byte(b.String())
	})
	return e.stack
}

// Error returns the error message.
func (e *PanicError) Error() string { return fmt.Sprintf("tower: panic in service: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Is reports whether target is [ErrPanicked].
func (e *PanicError) Is(target error) bool { return target == ErrPanicked }
