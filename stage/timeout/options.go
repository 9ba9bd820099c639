package timeout

import "github.com/tower-go/tower/service"

// Option configures a timeout stage. A nil Option is ignored.
type Option func(*config)

type config struct {
	events service.EventFunc
	ready  bool
}

// WithEvents sends the stage's decisions to f: an EventTimedOut, with the error the
// caller gets, each time a call (or, with [WithReady], a wait for readiness) runs
// out of time, with Elapsed the time from the call's (or wait's) start to then. f
// runs on the caller's goroutine. A nil f discards events.
func WithEvents(f service.EventFunc) Option {
	return func(c *config) { c.events = f }
}

// WithReady makes the timeout also bound the wait for readiness: Ready(ctx) waits
// for the inner service's readiness at most the stage's duration and then fails with
// [ErrElapsed]. Without it, Ready forwards to the inner service unchanged (bounded by
// ctx only), which is the right choice when the caller already bounds its wait, as a
// buffer's worker does.
func WithReady() Option {
	return func(c *config) { c.ready = true }
}
