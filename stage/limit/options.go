package limit

import (
	"errors"

	"github.com/tower-go/tower/service"
)

// Option configures a concurrency limit at [New], [NewWithShared], [Layer] or
// [SharedLayer]. A nil Option is an error at construction.
type Option func(*config)

type config struct {
	reject   bool
	priority bool
	events   service.EventFunc
}

// WithPriority orders the calls that wait for a permit by their priority
// (service.PriorityOf(ctx), read only by a call that has to wait): a released
// permit goes to the oldest waiting call of the highest priority, so under
// overload the lowest priorities wait longest and are the ones whose deadlines
// end in the queue. Without it the wait list is first in, first out.
func WithPriority() Option { return func(c *config) { c.priority = true } }

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
