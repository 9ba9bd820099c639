package mailbox

import (
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
)

// Errors of a managed mailbox (see [WithQueueDelay] and [WithPriority]), handed to
// the drop function with the message they shed. Both match service.ErrOverloaded.
var (
	// ErrQueueDelay: the message waited longer than the target delay while the
	// mailbox was overloaded (its queue had stood above the target for an
	// interval), so it was shed instead of received.
	ErrQueueDelay = service.NewError("mailbox: shed for queue delay", service.ErrOverloaded)
	// ErrPriority: the mailbox was full and the message was shed to make room for
	// one of a higher priority.
	ErrPriority = service.NewError("mailbox: shed for a higher priority", service.ErrOverloaded)
)

// MaxQueueDelay is the largest target or interval [WithQueueDelay] accepts.
const MaxQueueDelay = time.Hour

// DropFunc receives a message that a managed mailbox shed instead of handing it to
// a receiver: err is [ErrQueueDelay] or [ErrPriority], waited is how long the
// message was queued. It runs on the goroutine whose receive (queue delay) or send
// (priority) shed the message, outside the mailbox's lock; it must be quick and
// must not block (answer the message's sender and return).
type DropFunc[T any] func(v T, err error, waited time.Duration)

// Option configures a mailbox at [New]. A nil Option is an error at New.
type Option[T any] func(*config[T])

type config[T any] struct {
	target, interval time.Duration
	setDelay         bool
	priority         func(T) service.Priority
	setPriority      bool
	drop             DropFunc[T]
}

// WithQueueDelay turns on queue-delay shedding (CoDel, as in Facebook's "Fail at
// Scale") and adaptive LIFO:
//
//   - While the oldest queued message has waited at most target, the mailbox is a
//     plain first-in, first-out queue and sheds nothing.
//   - Once the oldest message has waited longer than target, the mailbox is above
//     target: receivers get the newest message first (LIFO), so that fresh calls
//     meet their deadlines while stale ones wait. It goes back to FIFO as soon as a
//     receive finds the oldest message at or below target.
//   - Once the mailbox has been above target for interval without a break (a
//     standing queue, not a burst), it is overloaded: every receive first sheds
//     the messages that have waited longer than target, lowest priority first,
//     handing each to the drop function with [ErrQueueDelay]. Within an interval
//     of the last shedding, going above target again sheds at once (the overload
//     has not ended, the queue only dipped).
//   - While overloaded, the mailbox also bounds its queue to what the receivers
//     took in the last target-long window: a send that finds that many messages
//     queued is refused at once with [ErrQueueDelay] (or, with [WithPriority],
//     takes the place of a lower-priority message), so that a sender is not
//     parked only to be woken and shed later. Without this bound, waking every
//     shed sender kept a 2-core machine so busy that W7's goodput fell to a tenth
//     of the raw floor's.
//
// Choosing them: target about the service time (one call's time at the median):
// a call that has waited that long has doubled its latency, and a healthy queue
// drains in less; a target much below the service time sheds work that would have
// been served. interval about 5 to 20 service times, and at least the longest burst
// the mailbox should absorb without shedding (Facebook uses 5 ms and 100 ms for
// services of a few ms). The capacity should hold about interval times the excess
// arrival rate, or a full mailbox refuses calls before queue delay sheds them.
//
// Cost: a managed mailbox keeps its messages in a queue under a mutex, beside two
// token channels that count room and messages, and reads the clock (about 40 ns)
// once per send and once per receive. A mailbox without WithQueueDelay or
// [WithPriority] pays none of it. target and interval must be between 1 ns and
// [MaxQueueDelay]; a [WithDrop] function is required.
func WithQueueDelay[T any](target, interval time.Duration) Option[T] {
	return func(c *config[T]) { c.target, c.interval, c.setDelay = target, interval, true }
}

// WithPriority orders the mailbox by priority: priority(v) gives each message's
// priority when it is sent, receivers take the highest priority first (the order
// within a priority is FIFO, or LIFO while above the target of [WithQueueDelay]),
// a full mailbox sheds its lowest-priority message with [ErrPriority] to take one
// of a higher priority (the oldest of that lowest priority, which is the least
// likely still to be useful), and queue-delay shedding takes the lowest priority
// first. A message of the lowest priority queued meets a full mailbox as the
// overflow policy says. priority must not be nil; a [WithDrop] function is
// required. Priorities outside service's levels are taken as the highest.
func WithPriority[T any](priority func(T) service.Priority) Option[T] {
	return func(c *config[T]) { c.priority, c.setPriority = priority, true }
}

// WithDrop sets the function that receives every message a managed mailbox sheds,
// so that its sender is answered (nothing accepted is lost silently). It is
// required with [WithQueueDelay] or [WithPriority], and f must not be nil.
func WithDrop[T any](f DropFunc[T]) Option[T] {
	return func(c *config[T]) { c.drop = f }
}

// check validates a managed configuration and reports whether the mailbox is
// managed at all.
func (c *config[T]) check() (bool, error) {
	if c.setDelay {
		if c.target <= 0 || c.target > MaxQueueDelay {
			return false, fmt.Errorf("mailbox: WithQueueDelay: target must be between 1ns and %v, got %v", MaxQueueDelay, c.target)
		}
		if c.interval <= 0 || c.interval > MaxQueueDelay {
			return false, fmt.Errorf("mailbox: WithQueueDelay: interval must be between 1ns and %v, got %v", MaxQueueDelay, c.interval)
		}
	}
	if c.setPriority && c.priority == nil {
		return false, errors.New("mailbox: WithPriority: the priority function is nil")
	}
	managed := c.setDelay || c.setPriority
	if managed && c.drop == nil {
		return false, errors.New("mailbox: WithQueueDelay and WithPriority need WithDrop: a shed message's sender must be answered")
	}
	if !managed && c.drop != nil {
		return false, errors.New("mailbox: WithDrop without WithQueueDelay or WithPriority: nothing would be dropped")
	}
	return managed, nil
}
