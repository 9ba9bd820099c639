package servicetest

import (
	"errors"

	"github.com/tower-go/tower/service"
)

// Errors reported by the mock and its handle.
var (
	// ErrNotReady: the mock is gated (see Handle.Allow) and has no permit left.
	// Returned by TryReady and TryCall; matches service.ErrOverloaded.
	ErrNotReady = service.NewError("servicetest: not ready", service.ErrOverloaded)
	// ErrClosed: the handle was closed. Every unanswered call, every later call and
	// readiness check, and Handle.Next get it; matches service.ErrClosed.
	ErrClosed = service.NewError("servicetest: closed", service.ErrClosed)
	// ErrAnswered: Respond or Error was called on a request that already had its
	// answer (from an earlier Respond or Error, or from Handle.Close). The second
	// answer is discarded.
	ErrAnswered = errors.New("servicetest: request answered twice")
)
