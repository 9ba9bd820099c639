// Package hedge provides Tower's hedge: a stage that sends a slow call a second
// time and answers with whichever attempt succeeds first, to cut tail latency.
//
// # Semantics
//
// The stage keeps a rolling histogram of the latencies of the calls it served: two
// windows of one period each (see [WithPeriod]); calls record into one while the
// other, the last complete period, is read. When a period ends, the stage computes
// the latency at the configured percentile ([WithPercentile]) of the period just
// finished, if it holds at least the minimum number of data points
// ([WithMinDataPoints]); that is the hedge delay until the next period ends. So no
// call is hedged during the first period, nor while the last period had too few
// calls, nor after a gap of two periods or more without calls. The delay is rounded
// up to the histogram's bucket, at most 6.25% above the true percentile.
//
// A call whose first attempt has not answered after the hedge delay gets one hedge:
// the request (or its clone, see [WithClone]) is sent to the inner service again,
// if the budget allows it ([WithBudgetPercent], [WithBudget]) and the inner service
// is ready at once (a hedge never queues behind an overloaded service: it is sent
// with the inner service's non-blocking call). The call returns the first success. The losing attempt's
// ctx is cancelled: each attempt runs with a child ctx of the caller's. If every
// attempt fails, the call returns the first attempt's error (the one a caller would
// have got without the stage). A call that fails before the hedge delay is not
// hedged: hedging is for slowness, retrying errors is the retry stage's job.
//
// Latencies of successful attempts are recorded, each measured from its own start;
// errors are not (a quick failure would drag the percentile down). The hedge is sent
// at most once per call.
//
// # Exactly once and leaks
//
// Call returns only when every attempt it started has returned. When one attempt
// wins, the other's ctx is cancelled and Call waits for it to return, which by the
// service contract is prompt. This guarantees that no attempt outlives its call
// (nothing leaks, nothing answers after the caller moved on) at the price that a
// hedged service which ignores cancellation delays its callers: hedge only services
// that honour ctx.
//
// # Readiness and overload
//
// The stage has no bound of its own: it forwards the inner service's readiness.
// TryCall makes the first attempt with the inner service's non-blocking call; a
// refusal (an error matching service.ErrOverloaded) is returned at once, with no
// hedge. Hedges add load, at most the budget's percentage of calls plus its burst;
// the budget is what keeps a slow service from being hedged into collapse. The
// [Budget] interface is retry.Budget: a *retry.TpsBudget bounds hedges (and may be
// shared with retry stages), and a [PercentBudget] may bound retries.
//
// # Cancellation
//
// Both attempts run under the caller's ctx: when it ends, both end, and Call
// returns (with the first attempt's error, normally ctx.Err()).
//
// # Panics
//
// Plain middleware does not recover panics. The first attempt runs on the caller's
// goroutine, so a panic there unwinds the caller as it would without the stage (the
// stage cancels and waits for a running hedge first). A panic in the hedge (the
// inner service or the clone function) happens on the hedge's goroutine; the stage
// recovers it there and re-panics on the caller's goroutine with a
// *service.PanicError that carries the original value and stack, so that whoever
// would have seen the panic still does.
//
// # Cost
//
// Until the stage hedges (first period, too few data points) a call costs two
// clock reads, one atomic add for the budget and one for the histogram, and no
// allocation. Once it hedges, every call also arms a pooled timer and runs its
// first attempt under context.WithCancel (two allocations, 96 bytes, for the child
// ctx and its cancel func; about 100ns more when the caller's ctx is itself
// cancellable, to register the child with it): the first
// attempt runs on the caller's goroutine while the timer waits, so a call answered
// before the hedge delay starts no goroutine. A call slower than the delay costs one
// goroutine (the timer's), which sends the hedge, plus a second child ctx. The
// histogram is two windows of 624 counters (about 10 KB per stage); a rotation, once
// per period, scans them on one caller's goroutine. The delay is a runtime timer:
// when the process is otherwise idle, Linux wakes it about a millisecond late at
// worst, so delays well below a millisecond are approximate.
package hedge
