package actor

import (
	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
)

// Option configures an actor at [Spawn].
type Option func(*options)

type options struct {
	overflow mailbox.Overflow
	events   service.EventFunc
	name     string
	max      int
}

// WithMaxWorkers lets the actor grow its worker pool, up to max goroutines, when a
// call is queued behind more calls than there are idle workers. The pool does not
// shrink before Stop; max bounds it. Tracking busy workers costs two atomic operations per call, paid
// only by actors that may grow. It suits a service whose calls block (I/O, a
// concurrency limit), so that one slow call does not hold up the queue, while the
// service's own readiness still bounds how many calls are in flight. max below the
// initial worker count is raised to it.
func WithMaxWorkers(max int) Option { return func(c *options) { c.max = max } }

// WithOverflow sets what a call on a full mailbox does: mailbox.Wait (the default)
// or mailbox.FailFast.
func WithOverflow(o mailbox.Overflow) Option { return func(c *options) { c.overflow = o } }

// WithEvents sets the hook that receives the actor's EventPanicked and EventFailed
// events, the way its owner (a supervisor) learns that it degraded.
func WithEvents(f service.EventFunc) Option { return func(c *options) { c.events = f } }

// WithName sets the Stage name the actor's events carry. The default is "actor".
func WithName(name string) Option { return func(c *options) { c.name = name } }
