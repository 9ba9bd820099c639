package limit

import "github.com/tower-go/tower/service"

// Option configures a concurrency limit at [New], [NewWithShared], [Layer] or
// [SharedLayer].
type Option func(*config)

type config struct {
	reject bool
	events service.EventFunc
}

// WithReject makes Call fail at once with [ErrLimited] when no permit is free,
// instead of waiting for one, and emit a service.EventShed event. Without it Call
// waits, bounded by its ctx. Acquire, TryAcquire, TryCall and readiness behave the
// same in both modes.
func WithReject() Option { return func(c *config) { c.reject = true } }

// WithEvents sets the hook that receives the stage's events: service.EventShed, with
// Err set to [ErrLimited], each time a Call in reject mode is refused. A nil f
// discards events.
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}
