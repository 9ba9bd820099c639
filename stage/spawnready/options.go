package spawnready

import "github.com/tower-go/tower/service"

// Option configures the stage at [New] or [Layer].
type Option func(*config)

type config struct {
	events service.EventFunc
}

// WithEvents sets the hook that receives the stage's events: service.EventFailed,
// with Err set to the inner error, when the inner service's readiness fails, and
// service.EventPanicked, with Err set to the *service.PanicError, just before, if
// it failed by panicking. It runs on the stage's goroutine or on the goroutine
// that found the failure, never under the stage's lock. A panic in f is recovered
// and discarded (that event is lost; the stage and the process go on). A nil f
// discards events.
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }
