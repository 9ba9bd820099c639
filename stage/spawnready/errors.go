package spawnready

import "github.com/tower-go/tower/service"

// Errors returned by the stage. A readiness failure of the inner service is
// reported as a *service.FailedError that unwraps to the inner error.
var (
	// ErrNotReady reports that the inner service is not ready and the stage is
	// driving its readiness in the background. It matches service.ErrOverloaded.
	ErrNotReady = service.NewError("spawnready: not ready", service.ErrOverloaded)
	// ErrClosed reports that the stage was stopped. It matches service.ErrClosed.
	ErrClosed = service.NewError("spawnready: closed", service.ErrClosed)
)
