package limit

import (
	"errors"

	"github.com/tower-go/tower/service"
)

// Errors returned by the concurrency limit.
var (
	// ErrLimited reports that no permit was free and the stage chose not to wait:
	// a Call in reject mode (see [WithReject]), a TryCall or a TryAcquire. It matches
	// service.ErrOverloaded under errors.Is.
	ErrLimited = service.NewError("limit: concurrency limit reached", service.ErrOverloaded)
	// ErrReserved reports that a call was refused because the permits still free
	// are reserved for higher priorities (see [WithReserve]). It matches
	// ErrLimited and service.ErrOverloaded under errors.Is, so test for it before
	// ErrLimited to tell the two apart.
	ErrReserved = service.NewError("limit: permits reserved for higher priorities", ErrLimited)
	// ErrPermitUsed reports a call on a [Permit] that was already used, released, or
	// never granted (the zero Permit).
	ErrPermitUsed = errors.New("limit: permit already used or released")
)
