// Package ratelimit provides Tower's rate limit: a stage that lets calls through at
// most as fast as a token bucket allows.
//
// # Semantics
//
// A [Limiter] is a token bucket of burst tokens that refills at a fixed rate per
// second. It is created once and shared: every [Throttle] stage built on it (with
// [New] or [Layer]), on however many services and goroutines, takes its tokens from
// the same bucket, so over any span of time T the calls admitted through all of
// them together number at most rate×T + burst. Each call takes one token, spent
// when the inner service is called, whatever the inner service answers.
// [LayerRate] takes the rate and burst as plain values and builds a bucket of its
// own for each application, reporting bad values when it is applied.
//
// The bucket is golang.org/x/time/rate's Limiter, a well-kept implementation. It
// reads time through time.Now and time.NewTimer, so tests drive it with
// testing/synctest's fake clock. Its cost is mostly one wall-clock read and a mutex
// (see Cost).
//
// # Waiting and failing fast
//
// By default a Call that finds no token waits for one, bounded by its ctx. Waiters
// are served in arrival order: each reserves the next token to accrue. If ctx has a
// deadline that comes before the caller's token would, Call fails at once with
// [ErrLimited] instead of sleeping uselessly until the deadline; if ctx ends while
// the call waits, the reservation is given back and Call returns ctx.Err(). With
// [WithFailFast], a Call that finds no token fails at once with ErrLimited.
// [Throttle.TryCall] never waits, whatever the mode. ErrLimited matches
// service.ErrOverloaded.
//
// # Events
//
// One decision, one event. The stage reports the decisions it makes in its own
// Call: every Call that did not find a token at once emits
// service.EventRateLimited (see [WithEvents]), with Elapsed the time it waited.
// A refusal on the TryCall path is made on behalf of the stage that asked for the
// non-blocking call (package loadshed), and that stage reports it: loadshed's
// EventShed carries an Err that wraps ErrLimited, so errors.Is(ev.Err,
// ErrLimited) tells a metrics hook that the shed call was rate limited. The rate
// limit emits nothing for it, so a pipeline loadshed → ratelimit reports each
// refused call once.
//
// # Readiness
//
// The stage has its own bound, so it implements service.Readier itself. Ready waits
// until the bucket holds a whole token, without taking it, and then for the inner
// service's readiness; it fails at once with ErrLimited if ctx's deadline comes
// before the token would. TryReady answers at once. Readiness reserves nothing
// (see package service): after Ready, other callers may take the token first, and
// Call then waits or fails as its mode says.
//
// # Panics
//
// Plain middleware does not recover panics (actors do, see package actor); a panic
// in the inner service propagates through Call, with its token spent.
//
// # Cost
//
// A call that finds a token costs what rate.Limiter.Allow costs over the inner
// call — a time.Now, an uncontended mutex and some float arithmetic, about 90 ns on
// the 2-core machine the benchmarks ran on, where time.Now alone is about 47 ns —
// and allocates nothing. A lock-free GCRA on the monotonic clock measured about
// 30 ns there; that saving was judged not worth a home-made bucket, with its own
// reservation, cancellation and refund logic, for a stage whose purpose is to hold
// calls to a rate far below that. A call that waits allocates a reservation and a
// timer. The stage starts no goroutine. All stages sharing a Limiter contend on its
// mutex; give independent services independent limiters.
package ratelimit
