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
// inner service's TryCall.
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
// the limit moves, emitted in order under the limiter's lock, and EventShed for
// each call refused at once.
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
// Measuring latency needs two clock reads per call, and the permits are a mutex
// with a FIFO list of waiters (taken twice per call). On a 2-core AMD EPYC VM,
// where one time.Now costs ~40 ns, a call with a free permit costs ~85 ns (AIMD)
// to ~100 ns (Gradient) over the bare inner call, about what a buffered-channel
// semaphore plus the same two clock reads costs (~90 ns); ~70 ns/op from two
// cores; a call that queues and is handed a permit ~0.3 µs; a refusal ~6 ns. No
// allocation per call: each limiter reuses the waiters of calls that waited.
package adaptive
