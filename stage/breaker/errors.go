package breaker

import "github.com/tower-go/tower/service"

// ErrOpen is the error a call gets, at once and without reaching the inner service,
// while the breaker is open, or while it is half-open and every probe slot is taken.
// It is the "circuit open" failure kind: test for it with errors.Is(err, ErrOpen).
//
// It also matches [service.ErrUnavailable], not [service.ErrOverloaded]: an open
// circuit refuses every call for a while whatever the load, which is not "busy,
// try again now". So retry's default policy does not retry it (during an outage
// a retry stage over a breaker sends each call once and spends no retry budget
// against the open circuit), while a balancer or a caller that routes elsewhere
// treats it as any other unavailable endpoint, without knowing about this package.
var ErrOpen = service.NewError("breaker: open", service.ErrUnavailable)
