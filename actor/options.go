package actor

import (
	"time"

	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
)

// MaxWorkers is the most worker goroutines an actor may have, fixed or grown.
const MaxWorkers = 1 << 16

// Option configures an actor at [Spawn]. A nil Option is an error at Spawn.
type Option func(*options)

type options struct {
	overflow mailbox.Overflow
	events   service.EventFunc
	name     string
	workers  int // 0: not set
	max      int // 0: not set
	setW     bool
	setMax   bool

	target, interval time.Duration
	setDelay         bool
	priorities       bool
}

// WithWorkers sets how many worker goroutines the actor starts with. Alone, it
// makes a fixed pool of n workers: WithWorkers(1) gives strict actor semantics
// (calls served one at a time, in arrival order, so the service may keep state
// without locks). With [WithMaxWorkers] the pool starts at n and may grow. n must
// be between 1 and [MaxWorkers].
func WithWorkers(n int) Option { return func(c *options) { c.workers, c.setW = n, true } }

// WithMaxWorkers lets the pool grow, up to max workers, while calls wait behind
// workers that are all busy and not getting through the queue: when, over a
// growth period (about a millisecond), the workers served fewer calls than were
// queued at its start, so the queued calls would wait longer than that period. The
// pool then doubles (bounded by max and by the queue). A fast service, whose workers
// clear the queue within the period however long it is, stays at its starting
// workers; a service whose calls block (I/O, a concurrency limit) grows until the
// queue drains, while its own readiness still bounds how many calls are in flight.
// The pool does not shrink before Stop. max must be between 1 and [MaxWorkers] and
// at least the starting worker count ([WithWorkers], default 1).
//
// Tracking growth costs the worker two uncontended atomic additions per call and the
// caller three atomic loads, paid only by actors that may grow.
func WithMaxWorkers(max int) Option { return func(c *options) { c.max, c.setMax = max, true } }

// WithOverflow sets what a call on a full mailbox does: mailbox.Wait (the default)
// or mailbox.FailFast.
func WithOverflow(o mailbox.Overflow) Option { return func(c *options) { c.overflow = o } }

// WithEvents sets the hook that receives the actor's EventPanicked and EventFailed
// events, the way its owner (a supervisor) learns that it degraded. The hook is
// user code: a panic in it is recovered and dropped, so it cannot end a worker or
// lose a reply.
func WithEvents(f service.EventFunc) Option { return func(c *options) { c.events = f } }

// WithName names the actor: the Stage its events carry and the prefix of the errors
// it returns ("buffer: stopped"). The default is "actor". The name must not be empty.
func WithName(name string) Option { return func(c *options) { c.name = name } }

// WithQueueDelay makes the mailbox shed by queueing delay (CoDel) and serve newest
// first while it is above its target (adaptive LIFO); see mailbox.WithQueueDelay
// for the rule and for how to choose target (about the service time) and interval
// (5 to 20 service times). A call shed is answered with an error matching
// [ErrQueueDelay] (and service.ErrOverloaded), named after the actor ("buffer: shed
// for queue delay"), and the actor emits service.EventShed with that error and
// Elapsed set to the time the call waited. Below target nothing is shed.
//
// Queue delay is measured in the mailbox, so the queue must be there: give the
// actor as many workers as calls should run at once ([WithWorkers]), not a pool
// that grows, whose extra workers would take the calls out of the mailbox to wait
// elsewhere (in a concurrency limit's queue, say). target and interval must be
// between 1 ns and mailbox.MaxQueueDelay.
//
// Cost: the mailbox becomes a queue under a mutex beside two token channels, and
// reads the clock once per send and once per receive (about 40 ns each here); an
// actor without this option or [WithPriorities] pays nothing.
func WithQueueDelay(target, interval time.Duration) Option {
	return func(c *options) { c.target, c.interval, c.setDelay = target, interval, true }
}

// WithPriorities orders the mailbox by each call's priority
// (service.PriorityOf(ctx), read once per call): workers take the highest priority
// first, a full mailbox sheds its oldest call of the lowest priority below the new
// one's (answered with an error matching [ErrPriority], with service.EventShed),
// and queue-delay shedding ([WithQueueDelay]) takes the lowest priority first. A
// call of the lowest priority queued meets a full mailbox as the overflow policy
// says. The cost is WithQueueDelay's, plus a context lookup per call.
func WithPriorities() Option { return func(c *options) { c.priorities = true } }
