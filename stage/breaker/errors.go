package breaker

import "github.com/tower-go/tower/service"

// ErrOpen is the error a call gets, at once and without reaching the inner service,
// while the breaker is open, or while it is half-open and every probe slot is taken.
// It is the "circuit open" failure kind: test for it with errors.Is(err, ErrOpen).
//
// It also matches [service.ErrOverloaded]. An open breaker is a temporary refusal,
// not a permanent failure, and the [service.Readier] contract has TryReady report
// temporary refusals with an error of that kind; so a caller or stage that sheds
// load, retries elsewhere or balances over endpoints treats an open breaker as it
// treats any other lack of capacity, without knowing about this package.
var ErrOpen = service.NewError("breaker: open", service.ErrOverloaded)
