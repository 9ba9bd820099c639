// Package callall runs a stream of requests through a service with bounded
// concurrency: Tower's call_all, the way a worker embeds a pipeline. Requests come
// in on a channel and results go out on a channel ([Calls.Results]), either in
// input order ([Ordered]) or as they complete ([Unordered]). Ordered and Unordered
// return a [Calls], the handle on the run's goroutines: it can be stopped
// ([Calls.Stop]) and waited for ([Calls.Wait], [Calls.Done]).
//
// # Workers
//
// A run starts exactly concurrency worker goroutines (in a conc.WaitGroup) and one
// feeder goroutine that owns them; it never starts a goroutine per request. The feeder takes requests from the input
// channel one at a time, numbers them (a Result's Index is the request's position
// in the input, from 0) and hands each to a free worker; the worker waits for the
// service's readiness (service.Ready), calls the service, and delivers the
// [Result]. At most concurrency calls are in flight at once, and at most
// concurrency requests are ever taken from the input and not yet delivered: the
// feeder takes a request only when one of those slots is free. The output
// channel's buffer holds up to concurrency delivered results that the consumer
// has not received yet.
//
// # Ordered and unordered
//
// [Unordered] delivers each result as soon as its call returns. [Ordered] delivers
// results in input order: a result that finishes before an earlier one is parked,
// its worker goes on with the next request, and the worker that finishes the
// earliest undelivered request delivers it and every parked result after it. Since
// parked results hold their slots, one slow request holds back those after it:
// while it runs, at most concurrency-1 later requests can be taken, so fewer calls
// are in flight as they finish. Choose a larger concurrency for a wider window.
//
// # Readiness and errors
//
// A worker waits for the service's readiness before each call (through a
// service.Next, which looks the service's readiness up once). If readiness fails,
// that error is the request's result and the service is not called; the next
// request waits for readiness again (a service whose readiness failed for good
// fails every remaining request at once). A call's error is delivered as it is in
// Result.Err. Nothing stops the run but the input's end or ctx's end: one failed
// request does not fail the others.
//
// # End and cancellation
//
// The results channel is closed, and then [Calls.Done], once the feeder and every
// worker have returned, which happens when:
//
//   - the input channel is closed and every request taken from it has its result
//     delivered; or
//   - ctx ends. From then on no request is taken from the input (if a request
//     arrives in the very instant ctx ends and the feeder's receive wins the race,
//     it is taken and treated as below). Every request already taken still gets
//     exactly one result: if its call had not begun (it was being handed to a
//     worker, or waiting for readiness), the service is not called and Result.Err
//     is ctx.Err(); if its call was running, the call sees ctx end and its result
//     (normally ctx.Err(), by the service contract) is delivered. That is at most
//     concurrency more results, and they come as fast as the service honours ctx;
//   - [Calls.Stop] is called (see there): no more requests are taken, those taken
//     but not yet called get [ErrStopped] (matching service.ErrClosed), calls in
//     flight finish until Stop's ctx ends and are then cancelled.
//
// Until Stop, results are never dropped: a worker waits to deliver its result until
// the consumer receives it. So a consumer either receives from the results channel
// until it is closed, also after ctx ends (for range over it does that), or calls
// Stop: a consumer that stops receiving without Stop leaves the workers that hold
// undelivered results blocked. From Stop on, delivery never waits: a result goes on
// the channel if its buffer has room at that moment and is dropped otherwise, so
// Stop ends the run even if nobody reads; what was already buffered stays readable.
// Requests left in the input channel stay there, untouched.
//
// # Panics
//
// callall owns its goroutines, so there is no caller to hand a panic to: a panic in
// the service's Call or Ready is recovered, and that request's Result.Err is a
// *service.PanicError (matching service.ErrPanicked, with the stack); the worker
// goes on with the next request. A panic in callall's own code (a bug) is caught by
// the conc.WaitGroup, ends the run and is returned by [Calls.Wait] and
// [Calls.Stop]: never a crashed process.
//
// # Cost
//
// Per request: three channel hand-offs (input to feeder, feeder to worker, worker
// to output) plus a slot token taken and given back, the readiness check, the call
// and a deferred recover; Ordered adds a short critical section to park and
// deliver. No allocation per request. With a trivial service on the 2-core
// reference machine that is 0.35 to 0.55 µs per request, against 0.13 to 0.19 µs for
// bare worker goroutines that do none of the numbering, bounding, readiness or
// recovery (see bench_test.go); with real work behind the service it is noise.
// All blocking is on channels, so runs behave inside testing/synctest bubbles.
package callall
