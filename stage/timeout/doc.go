// Package timeout bounds how long a call may take: Tower's timeout, as a fused stage.
//
// A [Timeout] of duration d calls its inner service with a context whose deadline is
// d after the call started: ctx.Deadline returns it and ctx.Done closes at it. An
// inner service that honours its context (every actor, buffer and well-behaved
// client does) therefore gives up at the deadline, and the caller gets an error
// matching [ErrElapsed], which also matches context.DeadlineExceeded:
//
//	svc, err := timeout.New(inner, time.Second)
//	...
//	res, err := svc.Call(ctx, req)
//	if errors.Is(err, timeout.ErrElapsed) { ... }
//
// # What the caller gets
//
//   - The inner service answered in time: its answer, success or error, untouched.
//   - The deadline passed and the inner service failed with the context's error:
//     [ErrElapsed] itself. If it failed with an error of its own, an
//     [*ElapsedError] that matches ErrElapsed and unwraps to that error.
//   - The deadline passed and the inner service then succeeded anyway: the
//     success. The work is done; dropping it would help no one.
//   - The caller's own context ended first (canceled, or an earlier deadline): what
//     the inner service returned, normally ctx.Err(). If the caller's context
//     already ends no later than d from now, the stage passes it through untouched
//     and adds nothing, so ErrElapsed always means this stage's deadline.
//
// When the call returns, the context the inner service saw is canceled (Err
// returns context.Canceled unless it had already ended), as the cancel function of
// context.WithTimeout would; goroutines the inner service started with it stop.
//
// # Hard and soft deadlines
//
// The stage is fused: it runs on the caller's goroutine and starts none, so it
// cannot preempt an inner service that ignores its context; the caller then waits
// for it and gets ErrElapsed (or the late success) when it returns. To get a hard
// deadline over such a service, put an actor boundary inside the timeout, for
// example timeout(d) over buffer over the service: a caller of an actor stops
// waiting as soon as its context ends and the actor discards the late reply.
//
// # Readiness
//
// Ready and TryReady forward to the inner service. With [WithReady], Ready's wait
// is bounded by d as a call is, and fails with ErrElapsed when it runs out. TryCall
// goes through the inner service's non-blocking call. A huge duration (up to
// math.MaxInt64) means effectively no timeout: it never overflows into a deadline
// in the past.
//
// # Events and panics
//
// With [WithEvents], the stage emits service.EventTimedOut, carrying the error the
// caller gets, whenever it returns ErrElapsed or an *ElapsedError. Plain
// middleware does not recover panics: a panic in the inner service goes up to the
// caller (an actor around the pipeline recovers it); the call's context is still
// canceled on the way.
//
// # Cost
//
// context.WithTimeout costs about four allocations, a timer and two clock reads per
// call. When the caller's context can never end (ctx.Done() is nil: a
// context.Background, as in a worker's loop), this stage gives the inner service a
// context of its own, made for the common case where nothing waits on Done: one allocation (the context) and one
// monotonic clock read per call, no timer, no goroutine. Only when the inner service
// asks for Done (or registers a child context or an AfterFunc) is a timer armed and
// the parent's cancellation propagated, at about what context.WithTimeout costs;
// the timer is stopped when the call returns. A context.WithCancel child of that
// context registers through its AfterFunc method and needs no goroutine. A call
// whose caller's context already ends earlier allocates nothing.
//
// When the caller's context can be cancelled, the stage uses context.WithDeadline
// itself: a differential test (and a fuzz test) against the standard library shows
// the hand-written context exact over parents that never end, and two differences
// over cancelable ones that cannot be fixed outside package context (the order of
// a deadline and a parent cancel that nobody observed; Done closing a moment after
// the parent's cancel returns). So callers always see the standard semantics.
//
// Deadlines are computed from a base reading refreshed every minute plus the
// monotonic time since it, so the deadline's monotonic reading is exact (every
// comparison, time.Until and every timer use it); its wall-clock reading can be off
// by as much as the wall clock was stepped within the last minute.
package timeout
