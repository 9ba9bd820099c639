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
	"context"
	"fmt"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
)

// New starts a buffer of the given capacity in front of inner: an actor (see
// actor.Spawn, whose options it takes) named "buffer", so that its errors say
// "buffer: ...". capacity must be at least 1 and at most mailbox.MaxCapacity. Stop
// the buffer with its Stop method; inner is not stopped.
//
// Workers: see actor.Spawn for the default and for WithWorkers (a fixed pool) and
// WithMaxWorkers (a pool that grows while calls wait): a buffer in front of a
// service whose calls block (I/O, a sleep, a concurrency limit) needs as many
// workers as calls it should have in flight.
//
// Choosing capacity: it bounds how many calls wait beyond those being served.
// Give it at least the number of goroutines that call at once, so that callers wait
// for the service rather than for the mailbox, and no more than the queueing delay
// you accept divided by the service time.
func New[Req, Res any](inner service.Service[Req, Res], capacity int, opts ...actor.Option) (*actor.Actor[Req, Res], error) {
	return actor.Spawn(inner, capacity, append([]actor.Option{actor.WithName("buffer")}, opts...)...)
}

// Layer returns a layer that puts a buffer of the given capacity in front of the
// inner service (see [New]). The buffer is handed to the scope the layer is applied
// in, which stops it; the stage callers get is the buffer's address (actor.Ref),
// which calls it but cannot stop it.
func Layer[Req, Res any](capacity int, opts ...actor.Option) service.Layer[Req, Res] {
	return func(sc *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		a, err := New(inner, capacity, opts...)
		if err != nil {
			return nil, err
		}
		if err := sc.Own(context.Background(), a); err != nil {
			_ = a.Stop(context.Background())
			return nil, fmt.Errorf("buffer: %w", err)
		}
		return a.Ref(), nil
	}
}
