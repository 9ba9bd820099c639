package limit

import (
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
)

// Option configures a concurrency limit at [New], [NewWithShared], [Layer] or
// [SharedLayer]. A nil Option is an error at construction.
type Option func(*config)

type config struct {
	reject   bool
	priority bool
	events   service.EventFunc
	reserve  [service.NumPriorities]int // permits a call of each priority must leave free
	reserved bool                       // some reserve is set
	err      error
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

// WithReserve keeps n permits for calls of priority p and above
// (service.PriorityOf(ctx)): where the stage refuses instead of waiting — TryCall
// (so load shedding over the limit), and Call with [WithReject] — a call of a
// lower priority is refused with [ErrReserved] when taking a permit would leave
// fewer than n free, while a call of priority p or above takes any free permit. So
// under overload the lowest priorities are shed first and the reserved permits
// stay for the calls that matter. Several reserves stack: a call must leave free
// the largest reserve of any WithReserve whose p is above its priority, e.g.
// WithReserve(service.PriorityNormal, 8) and WithReserve(service.PriorityHigh, 4)
// make low calls leave 8 free and normal ones 4, while high and critical calls
// take any free permit.
//
// Choose n about the number of permits the protected priorities need at their
// peak; permits they leave unused are lost to lower priorities only while fewer
// than n are free. With a reserve set, every non-waiting call reads its ctx's
// priority (a context lookup). The reserve does not apply to a Call that waits
// (order the wait list with [WithPriority]) nor to Acquire and TryAcquire, which
// have no ctx. p must be above service.PriorityLow and at most
// service.PriorityCritical, and 1 <= n < the limit (checked at construction).
func WithReserve(p service.Priority, n int) Option {
	return func(c *config) {
		switch {
		case p == service.PriorityLow || p > service.PriorityCritical:
			c.err = fmt.Errorf("limit: reserve priority must be above low and at most critical, got %v", p)
			return
		case n < 1:
			c.err = fmt.Errorf("limit: reserve must be at least 1, got %d", n)
			return
		}
		for q := range p {
			c.reserve[q] = max(c.reserve[q], n)
		}
		c.reserved = true
	}
}

func newConfig(opts []Option) (config, error) {
	var c config
	for _, o := range opts {
		if o == nil {
			return c, errors.New("limit: option is nil")
		}
		o(&c)
		if c.err != nil {
			return c, c.err
		}
	}
	return c, nil
}
