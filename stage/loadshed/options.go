package loadshed

import (
	"fmt"

	"github.com/tower-go/tower/service"
)

// Option configures a load-shedding stage at [New] or [Layer]. A nil Option is an
// error at construction.
type Option func(*config)

type config struct {
	events   service.EventFunc
	priority bool             // WithPriority was given
	wait     service.Priority // calls of this priority and above wait instead of being shed
	err      error
}

// WithEvents sets the hook that receives the stage's events: service.EventShed, with
// Err set to the shed call's error, each time a call is shed. A nil f discards
// events.
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }

// WithPriority sheds only the calls of a priority below p (service.PriorityOf(ctx),
// read once per Call): a call of priority p or above is not shed but made with the
// inner service's Call, so it waits for capacity, bounded by its ctx. Under
// overload the lower priorities are thus shed at once and the higher ones queue.
// Put a concurrency limit with limit.WithPriority below, so that the waiting calls
// are served highest priority first and lower calls cannot take a permit ahead of
// them, and limit.WithReserve, so that lower calls leave permits free for the next
// burst of higher ones (they are then shed with an error matching
// limit.ErrReserved). Bound the wait with a deadline on the higher calls' ctx: a
// queue without one turns sustained overload into latency. TryCall still never
// waits. p must be above service.PriorityLow and at most
// service.PriorityCritical.
func WithPriority(p service.Priority) Option {
	return func(c *config) {
		if p == service.PriorityLow || p > service.PriorityCritical {
			c.err = fmt.Errorf("loadshed: priority must be above low and at most critical, got %v", p)
			return
		}
		c.priority, c.wait = true, p
	}
}
