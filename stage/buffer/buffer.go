// Package buffer provides Tower's buffer as an actor boundary: a bounded mailbox in
// front of a service, drained by a worker goroutine that waits for the service's
// readiness and then calls it.
//
// Many goroutines share one buffered service. A call waits for room in the mailbox
// (or fails at once with the fail-fast overflow policy) and then for its reply;
// the buffer's readiness is free mailbox capacity. If the inner service's readiness
// fails, the buffer has failed: that call, every queued call and every later call
// get a *service.FailedError that matches service.ErrFailed and still unwraps to the
// inner error, so errors.Is and errors.As see the cause (Tower's buffer erases it).
// Every other contract is the actor's; see package actor.
package buffer

import (
	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
)

// New starts a buffer of the given capacity in front of inner. capacity must be at
// least 1. Stop the buffer with its Stop method; inner is not stopped.
//
// Like Tower's buffer, whose worker does not wait for one call to finish before
// taking the next, the buffer starts with one worker goroutine and grows its pool,
// up to capacity workers, while calls are waiting (see actor.WithMaxWorkers), so a
// blocking inner service is called concurrently and its own readiness (a
// concurrency limit, say) bounds what is in flight. Pass actor.WithMaxWorkers(1)
// for one call at a time.
//
// Choosing capacity: it bounds how many calls wait beyond the one being served.
// Give it at least the number of goroutines that call at once, so that callers wait
// for the service rather than for the mailbox, and no more than the queueing delay
// you accept divided by the service time.
func New[Req, Res any](inner service.Service[Req, Res], capacity int, opts ...actor.Option) (*actor.Actor[Req, Res], error) {
	return NewPool(inner, capacity, 1, append([]actor.Option{actor.WithMaxWorkers(capacity)}, opts...)...)
}

// NewPool is New with a fixed pool of workers goroutines draining the mailbox
// (unless an option lets it grow).
func NewPool[Req, Res any](inner service.Service[Req, Res], capacity, workers int, opts ...actor.Option) (*actor.Actor[Req, Res], error) {
	return actor.Spawn(inner, capacity, workers, append([]actor.Option{actor.WithName("buffer")}, opts...)...)
}

// Layer returns a layer that puts a buffer of the given capacity in front of the
// inner service. The pipeline that applies it stops it.
func Layer[Req, Res any](capacity int, opts ...actor.Option) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, capacity, opts...))
	}
}

// LayerPool is Layer with a fixed pool of workers goroutines; see NewPool.
func LayerPool[Req, Res any](capacity, workers int, opts ...actor.Option) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewPool(inner, capacity, workers, opts...))
	}
}
