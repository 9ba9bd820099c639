// Package limit provides Tower's concurrency limit: a stage that lets at most n
// calls be in flight through the service it wraps.
//
// # Semantics
//
// [Concurrency] holds a counting semaphore of n permits. Call takes a permit, calls
// the inner service, and gives the permit back when the inner call returns. Every
// call in flight holds one permit, so at most n are in flight, whatever the number
// of goroutines calling. With [NewShared], one [Shared] limit is passed to many
// stages ([NewWithShared], [SharedLayer]), and the services they wrap have at most
// n calls in flight together: a global limit, such as one on connections to a
// database used by several services.
//
// # Readiness
//
// A concurrency limit has its own bound, so it implements service.Readier itself:
// Ready waits until a permit is free and then for the inner service's readiness;
// TryReady answers both at once. As everywhere in this library, readiness reserves
// nothing (see package service): a permit is taken only by Call and given back when
// Call returns. Tower's rule that "a permit taken by readiness and never used is
// released" thus holds by construction — readiness takes none to forget.
//
// A caller that wants Tower's guarantee — once ready, the next call will not wait —
// reserves a permit explicitly with [Concurrency.Acquire] (waiting, bounded by ctx)
// or [Concurrency.TryAcquire] (not waiting). The returned [Permit] makes exactly one
// call with its Call method, which gives the permit back afterwards. A reservation
// that is not used must be given back with [Permit.Release], which does nothing
// once Call has run, so `defer p.Release()` is always right. Copies of a Permit
// share its state: the permit is given back once, by the first Call or Release
// through any copy; a second Release does nothing (it never panics, and never gives
// back a permit that someone else holds), a second Call fails with [ErrPermitUsed].
//
// # Overload
//
// By default a Call that finds no permit free waits for one. Waiters are served
// first in, first out; while anyone waits, newcomers queue behind them instead of
// taking a permit that is being handed over. With [WithReject] the stage fails such
// a Call at once with [ErrLimited] (which matches service.ErrOverloaded). Whatever
// the mode, [Concurrency.TryCall] never waits: it takes a permit or fails with
// ErrLimited, in one atomic step, and then makes the inner service's non-blocking
// call. That makes the stage the atomic decision point for load shedding: package
// loadshed over a limit of 32 sheds exactly when 32 calls are in flight.
//
// Priorities: [WithPriority] orders the wait list by the callers' priority
// (service.PriorityOf), highest first. [WithReserve] keeps permits for higher
// priorities on the refusing paths: a lower-priority TryCall (so load shedding
// over the limit) or reject-mode Call is refused with [ErrReserved] (which matches
// ErrLimited and service.ErrOverloaded) when taking a permit would leave fewer
// than the reserve free, while a higher one takes any free permit. Under
// overload the lowest priorities are thus shed first.
//
// # Events
//
// One decision, one event. The stage reports the decisions it makes in its own
// Call ([WithEvents]): service.EventShed for a refusal in reject mode, and
// service.EventTimedOut (with Elapsed, the time queued) for a Call whose deadline
// passed while it waited for a permit. A refusal on the TryCall path is made on
// behalf of the stage that asked for the non-blocking call (package loadshed),
// and that stage reports it, with an error that wraps ErrLimited (or ErrReserved);
// a reject-mode refusal for a reserve is an EventShed whose Err is ErrReserved, with
// no Elapsed (nothing waited). The limit emits
// nothing for it.
//
// # Cancellation
//
// Waiting for a permit is bounded by the caller's ctx: when ctx ends, the waiter
// leaves the queue and gets ctx.Err(), holding nothing. A permit that is free is
// taken without looking at ctx; the inner service then sees the ended ctx and
// answers for it.
//
// # Panics
//
// Plain middleware does not recover panics (actors do, see package actor). A panic
// in the inner service propagates through Call, but the permit is given back on the
// way out (a deferred release), so a panicking call does not shrink the limit.
// Releasing a permit of a [Shared] that is not held ([Shared.Release] called more
// often than Acquire) is a bug, and panics; a [Permit] cannot cause it.
//
// # Cost
//
// Taking and giving back a free permit is lock-free and allocation-free: one atomic
// load, one compare-and-swap and one atomic add, on a counter padded to a cache line
// of its own (see the package benchmarks; a few nanoseconds over calling the inner
// service directly). A caller that has to wait allocates a small waiter and the
// channel it blocks on, and takes a mutex to join and leave the wait list; a release that
// finds waiters takes the same mutex to hand its permit over. A [Permit] takes its
// shared state from a sync.Pool, so reserving one allocates nothing in the steady
// state. The stage starts no goroutine. The semaphore is the module's one permit
// queue (internal/permits), which package adaptive uses too, with a moving limit.
//
// golang.org/x/sync/semaphore was measured as the semaphore and not chosen: it takes
// a mutex on every acquire and release (about 11-18 ns per uncontended pair against
// about 5-8 ns here, 14 against 9 ns with two cores sharing it) and allocates a list
// element and a channel for each waiter (about 290 ns per pair when four goroutines
// contend for one permit, against about 10 ns here, where a release that finds no
// waiter registered stays lock-free).
package limit
