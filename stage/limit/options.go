package limit

import (
	"errors"

	"github.com/tower-go/tower/service"
)

// Option configures a concurrency limit at [New], [NewWithShared], [Layer] or
// [SharedLayer]. A nil Option is an error at construction.
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

// WithEvents sets the hook that receives the stage's events, each a decision the
// stage made in its own Call: service.EventShed, with Err set to [ErrLimited], each
// time a Call in reject mode is refused; service.EventTimedOut, with Err the
// ctx's error and Elapsed the time spent queued, each time a waiting Call's
// deadline passes before it gets a permit. TryCall refusals emit nothing (see
// [Concurrency.TryCall]). With a hook set, a Call that has to queue reads the
// clock twice. A nil f discards events.
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }

func newConfig(opts []Option) (config, error) {
	var c config
	for _, o := range opts {
		if o == nil {
			return c, errors.New("limit: option is nil")
		}
		o(&c)
	}
	return c, nil
}
