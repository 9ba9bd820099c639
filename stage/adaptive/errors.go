package adaptive

import "github.com/tower-go/tower/service"

// ErrLimitReached is the error a call gets when every permit is taken and the
// limiter was told not to wait: TryCall always, Call with [WithReject]. It matches
// service.ErrOverloaded, and TryReady returns it when no permit is free.
var ErrLimitReached = service.NewError("adaptive: concurrency limit reached", service.ErrOverloaded)
