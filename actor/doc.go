// Package actor runs a Service as an actor: one bounded mailbox drained by worker
// goroutines, each calling the service for one message at a time. [Spawn] is the one
// constructor of an actor boundary (a buffer is an actor named "buffer").
//
// The default pool starts with one worker and grows, up to the mailbox capacity,
// only while calls wait behind busy workers that are not getting through the queue
// (see [WithMaxWorkers]): a fast service keeps one worker, a blocking one is called
// concurrently. [WithWorkers](1) gives strict actor semantics: calls are served one
// at a time in arrival order, so the service may keep state without locks.
// WithWorkers(n) is a fixed pool of n.
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
//     EventPanicked event, and the worker goes on with the next message. A service
//     that ends its goroutine with runtime.Goexit (as t.FailNow does) gives its
//     caller a *service.PanicError of [ErrGoexit], and a new worker takes the
//     ended one's place. The events hook is user code too: a panic in it is
//     dropped, and it runs after the caller was answered.
//   - Failure: if the service implements service.Readier, a worker waits for its
//     readiness before each call. A readiness error that matches
//     service.ErrOverloaded or a context error is that call's answer; any other
//     readiness error means the service failed: the actor answers that call, every queued call
//     and every later call with a *service.FailedError that unwraps to the cause,
//     emits EventFailed and closes [Actor.Failed]; its goroutines then end ([Actor.Done]
//     closes) without Stop. A supervisor watches Failed and replaces a failed actor.
//   - Stop: [Actor.Stop] closes the mailbox, lets workers serve what is queued until
//     the drain deadline (ctx), then answers every call still queued with an error
//     matching [ErrStopped] and service.ErrClosed, named after the actor ("buffer:
//     stopped"). Stop is bounded by its ctx even while callers keep calling.
//     [Actor.Done] is closed when the last goroutine has ended.
//
// # Cost
//
// A call allocates nothing in steady state: envelopes and their reply channels are
// pooled. A round trip costs one channel send, one channel receive and a goroutine
// hand-off each way, about what a hand-written request/reply channel pair costs.
package actor
