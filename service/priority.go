package service

import (
	"context"
	"fmt"
)

// Priority is how much a call matters when there is not capacity for every call:
// the stages that manage overload (an actor's or a buffer's mailbox with
// priorities, load shedding, a concurrency limit's queue) serve higher priorities
// first and shed the lowest first. A call carries its priority in its context
// ([WithPriority]); a context that carries none has [PriorityNormal].
//
// There are [NumPriorities] levels, from [PriorityLow] (0) to [PriorityCritical];
// a small number on purpose: each level is a queue of its own in the stages that
// order by priority. The zero value is PriorityLow.
type Priority uint8

// The priority levels, lowest first.
const (
	PriorityLow      Priority = iota // background work, shed first
	PriorityNormal                   // the priority of a context that carries none
	PriorityHigh                     // interactive work, shed only after every lower call
	PriorityCritical                 // shed last: health checks, control traffic
)

// NumPriorities is the number of priority levels.
const NumPriorities = int(PriorityCritical) + 1

// priorityKey is the context key of a call's priority.
type priorityKey struct{}

// WithPriority returns a copy of ctx that carries priority p. A p above
// [PriorityCritical] is taken as PriorityCritical. It allocates one context value,
// like context.WithValue; do it once per call, where the call starts.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, min(p, PriorityCritical))
}

// PriorityOf returns the priority ctx carries, or [PriorityNormal] if it carries
// none. It is a context value lookup: its cost grows with the depth of ctx (a few
// nanoseconds per layer), so stages read it only when priorities are turned on.
func PriorityOf(ctx context.Context) Priority {
	if p, ok := ctx.Value(priorityKey{}).(Priority); ok {
		return p
	}
	return PriorityNormal
}

// String returns "low", "normal", "high" or "critical".
func (p Priority) String() string {
	switch p {
	case PriorityLow:
		return "low"
	case PriorityNormal:
		return "normal"
	case PriorityHigh:
		return "high"
	case PriorityCritical:
		return "critical"
	}
	return fmt.Sprintf("Priority(%d)", uint8(p))
}
