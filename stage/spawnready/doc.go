// Package spawnready provides Tower's spawn_ready: a stage that drives a not-ready
// inner service to readiness on a goroutine of its own, so that callers are not
// blocked by one slow endpoint.
//
// # Semantics
//
// Some services make progress toward readiness only while someone waits in their
// Ready: a reconnecting client dials there, a pool warms up there. Waiting in it on
// the caller's goroutine blocks that caller; in a balancer it blocks a request that
// another endpoint could have served. The stage moves the wait to its own goroutine:
//
//   - TryReady asks the inner service. Ready: nil. Not ready (an error matching
//     service.ErrOverloaded): the stage starts a drive — its goroutine calls the inner
//     Ready — and reports [ErrNotReady], which matches service.ErrOverloaded, until
//     the drive ends; a balancer skips it meanwhile. When the inner Ready returns nil
//     the stage is idle again and TryReady asks the inner service anew.
//   - Ready returns at once if the inner service is ready, and otherwise waits for
//     the drive to end, bounded by its ctx. Many callers share one drive, and a
//     caller whose ctx ends leaves the drive running for the next one: readiness work
//     is never lost to an impatient caller.
//   - Call forwards to the inner service; TryCall forwards only when TryReady is nil.
//
// Readiness is advisory, as everywhere: the inner service may be full again by the
// time a caller calls.
//
// # Failure
//
// An error from the inner Ready that matches service.ErrOverloaded,
// context.Canceled or context.DeadlineExceeded (a timeout stage that bounds
// readiness, say) concerns that wait only, as the service.Readier contract says: the
// callers waiting in Ready get it, the stage turns idle again, and the next TryReady
// asks the inner service anew (starting another drive if it is still not ready).
//
// If the inner readiness fails (any other error from the inner Ready, except the
// stage stopping, or a TryReady error that does not match service.ErrOverloaded), the
// stage has failed: the error is recorded, an EventFailed is emitted, and TryReady,
// Ready, Call and TryCall all return a *service.FailedError that matches
// service.ErrFailed and unwraps to the inner error. A supervisor replaces a failed service.
//
// # Goroutines and Stop
//
// The stage owns one goroutine (not one per call or per drive), started by [New]
// when the inner service implements service.Readier (an inner service without
// readiness is always ready and gets none); whoever calls New owns it. [Layer]
// hands the stage, a service.Stopper, to the service.Scope it is applied in, so the
// pipeline that built it stops it with its scope; nothing probes the stage for a
// Stop method. [SpawnReady.Stop] cancels the drive in progress through the ctx
// given to the inner Ready, wakes waiting callers with [ErrClosed], and joins the
// goroutine; from then on every method returns ErrClosed. The inner service is not
// stopped. The goroutine runs under a conc panics.Catcher, so even a bug in the
// driver's own code is reported by Stop instead of crashing the process.
//
// # Panics
//
// Plain middleware does not recover panics, and a panic in a call or in TryReady
// unwinds the caller. The inner Ready, though, runs on the stage's own goroutine,
// where a panic would crash the process: the stage recovers it, emits EventPanicked
// (after the recover, not inside it), and fails with a *service.FailedError whose
// cause is the *service.PanicError (so errors.Is(err, service.ErrPanicked) holds).
// The events hook is user code too, called on the stage's goroutine or a caller's,
// always outside the stage's lock: a panic in it is recovered and discarded (the
// event is lost), so it can neither break the stage nor crash the process.
//
// # Cost
//
// A ready stage costs one atomic load and the inner TryReady per TryReady, one atomic
// load per Call, and allocates nothing. A drive costs one channel send, the inner
// Ready, and two small allocations (the round that waiters share, and its
// channel).
package spawnready
