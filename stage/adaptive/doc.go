// Package adaptive provides an adaptive concurrency limit: a concurrency limit
// whose limit moves with the latency and the overload the inner service shows, as
// Netflix's concurrency-limits and Envoy's adaptive concurrency filter do. It finds
// how many calls the service can take at once without queueing, instead of making
// the user guess a number, and follows it as it changes.
//
// # Behaviour
//
// A [Limiter] behaves like a fixed concurrency limit: each call holds a permit
// while the inner service runs it; when every permit is taken, Call waits for one,
// in arrival order, bounded by its ctx, or with [WithReject] fails at once with
// [ErrLimitReached]. TryCall never waits. The limit starts at the initial limit
// and stays within [WithMinLimit] and [WithMaxLimit]. [Limiter.Limit] reports it.
//
// Each call that ends feeds a [Sample] to the [Algorithm]: the inner service's
// latency (from the permit to the answer; waiting for a permit is not counted),
// the number of calls in flight when it started, the current limit, and whether it
// was dropped. A success is a normal sample; an error accepted by the drop
// predicate ([WithIsDrop]; by default one matching service.ErrOverloaded or
// context.DeadlineExceeded) is a dropped sample; any other error, including
// cancellation, gives no sample. The algorithm returns a new limit; the limiter
// clamps it to the bounds. When it grows, waiting calls are let in at once. When
// it shrinks, no call is cut short: new calls wait until fewer than the new limit
// are in flight.
//
// Two algorithms come with the package, and [WithAlgorithm] takes your own:
//
//   - [Gradient] (the default; Vegas / Netflix Gradient2): compares each call's
//     latency with a long-term average; the limit falls as latency rises beyond a
//     tolerance and creeps up while it does not.
//   - [AIMD] (TCP's additive increase, multiplicative decrease): grows by one per
//     successful call while the limiter is busy, shrinks by a ratio on a drop or a
//     call slower than a threshold.
//
// # Readiness
//
// The limiter has its own bound, so it implements service.Readier itself: TryReady
// returns ErrLimitReached when no permit is free (or callers are queued for them)
// and otherwise forwards the inner service's TryReady; Ready waits for a free
// permit, then for the inner service. Readiness reserves nothing. It implements
// service.TryCaller: TryCall takes a permit only if one is free, then calls the
// inner service's non-blocking call. The limiter reaches its inner service through
// an embedded service.Next.
//
// # Overload and errors
//
// [ErrLimitReached] matches service.ErrOverloaded, so load-shedding callers and
// stages treat it like any other lack of capacity. The inner service's responses
// and errors are returned unchanged. The number of waiting calls is bounded by the
// number of calling goroutines, each blocked on its own call; use WithReject, or a
// load-shedding stage in front, to refuse instead of queueing.
//
// # Events
//
// [WithEvents] receives EventLimitChanged (Event.Limit is the new limit) each time
// the limit moves, emitted in order under the limiter's algorithm lock, and
// EventShed for each Call refused at once in [WithReject] mode. One decision, one
// event: a refusal on the TryCall path is made on behalf of the stage that asked
// for the non-blocking call (package loadshed), which reports it with an error
// wrapping ErrLimitReached, so the limiter emits nothing for it. A panic in the
// hook, the drop predicate or the algorithm leaves the limiter working: the
// call's permit is given back and the lock released on the way out.
//
// # Cancellation
//
// A call waiting for a permit returns ctx.Err() as soon as its ctx ends; a permit
// handed to it at that moment is passed on to the next waiter. Once it holds a
// permit, the call's ctx is the inner service's business.
//
// # Panics
//
// Plain middleware does not recover panics (actors do). If the inner service
// panics, the limiter gives the permit back, without a sample, and the panic goes
// on up the stack.
//
// # Cost
//
// Measuring latency needs two clock reads per call. The permits are the module's
// one permit queue, the semaphore of package limit with a moving limit: a free
// permit is taken and given back lock-free, and a mutex is held only to queue a
// waiter and hand it a permit. Each sample takes the algorithm's mutex once. On a
// 2-core AMD EPYC VM, where one time.Now costs ~40 ns, a call with a free permit
// costs about 85-100 ns over the bare inner call, about what a buffered-channel
// semaphore plus the same two clock reads costs; see the package benchmarks. No
// allocation per call: each limiter reuses the waiters of calls that waited.
package adaptive
