package supervisor

import (
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
)

// Errors a supervisor and its children return. Match them with errors.Is.
var (
	// ErrStopped: the supervisor was stopped, or the child removed, before the
	// call was served. It matches service.ErrClosed.
	ErrStopped = service.NewError("supervisor: stopped", service.ErrClosed)
	// ErrRestarting: the child has no instance now (it is restarting). Readiness
	// and TryCall return it; Call waits for the new instance instead. It matches
	// service.ErrUnavailable (and not service.ErrOverloaded), so a balancer routes
	// around the child and a retry policy does not hammer it.
	ErrRestarting = service.NewError("supervisor: child is restarting", service.ErrUnavailable)
	// ErrGaveUp: the root of a tree exceeded its restart intensity and terminated
	// its children. Calls to them get an [*EscalationError] that matches it and
	// service.ErrClosed.
	ErrGaveUp = service.NewError("supervisor: restart intensity exceeded", service.ErrClosed)
	// ErrEnded: a child was not restarted (a Temporary child, or a Transient child
	// whose instance ended normally), so its Ref fails every later call. The
	// error wraps the cause. It matches service.ErrClosed.
	ErrEnded = service.NewError("supervisor: child ended", service.ErrClosed)
	// ErrNotFound: no child has that name (Lookup, Remove).
	ErrNotFound = errors.New("supervisor: no such child")
)

// Reason says why a child was restarted.
type Reason uint8

// The reasons a child is degraded (see the package doc).
const (
	ReasonPanic     Reason = iota + 1 // the instance panicked (or called runtime.Goexit)
	ReasonFactory                     // the factory failed (or panicked)
	ReasonReadiness                   // the instance's readiness failed permanently
	ReasonAccrual                     // failure accrual tripped
	ReasonHealth                      // the health check failed
	ReasonEnded                       // the instance ended normally (its readiness says closed)
	ReasonEscalated                   // a child supervisor exceeded its restart intensity
)

var reasonNames = [...]string{
	ReasonPanic: "panic", ReasonFactory: "factory", ReasonReadiness: "readiness",
	ReasonAccrual: "accrual", ReasonHealth: "health", ReasonEnded: "ended", ReasonEscalated: "escalated",
}

// String returns the reason's name, such as "panic".
func (r Reason) String() string {
	if int(r) < len(reasonNames) && reasonNames[r] != "" {
		return reasonNames[r]
	}
	return "unknown"
}

// ChildError is the cause of a child's failure other than a panic: which child,
// why, and the underlying error (the factory's, the readiness', the health
// check's, the last failed call's). It unwraps to Err.
type ChildError struct {
	Child  string // the child's path
	Reason Reason
	Err    error
}

// Error returns the error message.
func (e *ChildError) Error() string {
	return fmt.Sprintf("supervisor: child %s: %s: %v", e.Child, e.Reason, e.Err)
}

// Unwrap returns the underlying error.
func (e *ChildError) Unwrap() error { return e.Err }

// EscalationError reports that a supervisor exceeded its restart intensity. It is
// the cause its parent sees, and, at the root, the error every call to a child
// then gets. It matches [ErrGaveUp] (and service.ErrClosed) and unwraps to the
// failure that made the last restart request.
type EscalationError struct {
	Supervisor string // the path of the supervisor that gave up
	Restarts   int    // its restart intensity (restarts allowed in its period)
	Cause      error
}

// Error returns the error message.
func (e *EscalationError) Error() string {
	return fmt.Sprintf("supervisor: %s: more than %d restarts in the period: %v", e.Supervisor, e.Restarts, e.Cause)
}

// Unwrap returns the last failure.
func (e *EscalationError) Unwrap() error { return e.Cause }

// Is reports whether target is ErrGaveUp or matches it.
func (e *EscalationError) Is(target error) bool { return errors.Is(ErrGaveUp, target) }
