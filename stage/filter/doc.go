// Package filter provides Tower's filter and async filter: stages that check each
// request with a predicate and either pass it on to the inner service or reject it
// at once with an error, without calling the inner service.
//
// # Predicates
//
// A predicate returns nil to accept a request and an error to reject it. Four forms
// cover the uses:
//
//   - [New] / [Layer]: func(Req) error, a synchronous check (a size limit, a
//     header that must be present). It should not block.
//   - [NewAsync] / [AsyncLayer]: func(context.Context, Req) error, a check that may
//     block (an auth lookup, a quota service). It gets the caller's ctx and must
//     honour it.
//   - [NewTransform] / [TransformLayer] and [NewAsyncTransform] /
//     [AsyncTransformLayer]: the same, returning the request to pass on, so that a
//     check can also rewrite it (normalise, attach what the lookup found), as
//     Tower's predicates do.
//
// Tower needs two stages because its async predicate returns a future; in Go every
// predicate runs on the caller's goroutine, and the async form differs only in
// taking ctx and being allowed to block. No filter starts a goroutine.
//
// # Rejection
//
// A rejected call gets a *[RejectedError] that matches [ErrRejected] and
// service.ErrRejected under errors.Is, and unwraps to the predicate's error, so
// that a caller can branch on the kind (rejected by a filter) and still reach the
// reason with errors.Is or errors.As. The inner service is not called and the
// response is the zero value. Each rejection emits a service.EventRejected event
// (Stage "filter", Err the predicate's error) to the [WithEvents] function, on the
// Call and the TryCall path alike: a rejection is the filter's own decision, not a
// lack of capacity, so a load shedder in front passes it through without an event
// of its own (one decision, one event). A refusal by the inner service's
// non-blocking call passes through the filter with no event of the filter's; the
// stage that asked for the non-blocking call reports it.
//
// Any error from a predicate is a rejection, including a failed lookup: a predicate
// that wants a failure of its own to reach the caller differently should accept and
// let a later stage fail. The one exception is cancellation: when an async
// predicate returns an error matching the caller's ctx.Err() after ctx ended, the
// caller gets that error unchanged, not a rejection, and no event is emitted.
// Errors of the inner service pass through unchanged.
//
// # Readiness
//
// A filter has no bound of its own: it embeds its inner service's service.Next, so
// readiness (Ready, TryReady) and Unwrap are the inner service's. TryCall runs the predicate first (so a rejected request never asks
// the inner service for capacity) and then makes the inner service's non-blocking
// call; with an async predicate, TryCall therefore waits for the predicate, bounded
// by ctx, and only the capacity decision is made at once.
//
// # Panics
//
// A filter is plain middleware: it does not recover panics. A panic in a predicate
// unwinds into the caller, or into the actor that runs the pipeline, which recovers
// it.
//
// # Cost
//
// An accepted call costs the predicate and one indirect call and allocates nothing
// (about 5 ns over the bare call on the reference machine; see bench_test.go). A
// rejection allocates the *RejectedError.
package filter
