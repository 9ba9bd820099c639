// Package servicetest provides a scripted mock service for testing stages: Tower's
// tower-test mock, for Go.
//
// [New] returns a [Mock], which is the service under the stage being tested, and a
// [Handle], with which the test scripts it. The mock answers nothing by itself:
// every call it accepts waits until the test takes it from the handle ([Handle.Next]
// or [Handle.TryNext]) and answers it ([Request.Respond] or [Request.Error]), or
// until the caller's ctx ends, or until the handle is closed. [Handle.Serve] answers
// calls with a function, for tests that only need a working inner service.
//
// # Readiness
//
// The mock implements [service.Readier] and [service.TryCaller]. By default its
// readiness is unlimited: Ready and TryReady return nil and every call is accepted.
// [Handle.Allow] switches it to gated mode, in which the handle counts permits:
// each accepted call consumes one, Allow adds more, and with none left Ready waits,
// TryReady and TryCall fail at once with [ErrNotReady] (which matches
// service.ErrOverloaded), and Call waits for a permit, bounded by its ctx.
// [Handle.Fail] makes readiness fail for good: Ready, TryReady, Call and TryCall all
// return the given error from then on.
//
// # Cancellation and shutdown
//
// A caller whose ctx ends gets ctx.Err() at once. Its request stays with the handle
// (its Ctx reports the end), and an answer given to it later is discarded without
// blocking anyone. [Handle.Close] answers every request not yet answered with
// [ErrClosed] (which matches service.ErrClosed), wakes everything waiting on the mock
// or the handle, and makes every later call fail with ErrClosed. The mock owns no
// goroutine, so a test that closes its handle (or answers every call) leaks none.
//
// # Recording
//
// The handle records every accepted request, in arrival order: [Handle.Calls],
// [Handle.Requests] and [Handle.Pending] report them. Memory grows with the number
// of calls, which suits tests, not long benchmarks.
//
// Everything here is safe for concurrent use and works with the race detector and
// inside testing/synctest bubbles (create the mock inside the bubble).
package servicetest
