// Package actor runs a Service as an actor: one bounded mailbox drained by a fixed
// number of worker goroutines, each calling the service for one message at a time.
//
// With one worker an actor has strict actor semantics: calls are served one at a
// time in arrival order, so the service may keep state without locks. With more
// workers the actor is a worker pool on one mailbox.
//
// An [Actor] is itself a [service.Service], and so is its [Ref], the address handed
// to callers (a Ref can call but not stop). Its readiness is free mailbox capacity.
// A call on a full mailbox waits for room (bounded by ctx) or, with the
// [mailbox.FailFast] overflow policy, fails at once with an error matching
// service.ErrOverloaded; [Actor.TryCall] always fails at once.
//
// # Contracts
//
//   - Exactly one reply: every call the mailbox accepted ends with exactly one
//     response or error, through cancellation, panics, failure and Stop.
//   - Context: the service runs with the caller's ctx, so deadlines and cancellation
//     reach it. A caller whose ctx ends gets ctx.Err() at once; a call still queued is
//     then skipped, and a reply that comes later is discarded without blocking the
//     worker.
//   - Panics: a panic in the service is recovered on the worker. The caller gets a
//     *service.PanicError carrying the value and the stack, the owner gets an
//     EventPanicked event, and the worker goes on with the next message.
//   - Failure: if the service implements service.Readier, a worker waits for its
//     readiness before each call. A readiness error that matches
//     service.ErrOverloaded or a context error is that call's answer; any other
//     readiness error means the service failed: the actor answers that call, every queued call
//     and every later call with a *service.FailedError that unwraps to the cause, and
//     emits EventFailed. A supervisor replaces a failed actor.
//   - Stop: [Actor.Stop] closes the mailbox, lets workers serve what is queued until
//     the drain deadline (ctx), then answers every call still queued with an error
//     matching service.ErrClosed. [Actor.Done] is closed when the last worker has
//     ended.
//
// # Cost
//
// A call allocates nothing in steady state: envelopes and their reply channels are
// pooled. A round trip costs one channel send, one channel receive and a goroutine
// hand-off each way, about what a hand-written request/reply channel pair costs.
package actor
