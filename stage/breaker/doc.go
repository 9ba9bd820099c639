// Package breaker provides a circuit breaker stage: it stops calling an inner
// service that keeps failing, fails calls at once instead, and after a while lets a
// few probe calls through to learn whether the service has recovered.
//
// # States
//
// A [Breaker] starts closed. Closed, it passes every call and counts outcomes. It
// trips open on either rule that is configured (both may be):
//
//   - [WithConsecutiveFailures](n): n calls in a row failed. This is the default
//     rule, with n = [DefaultConsecutiveFailures], when no rule is given.
//   - [WithFailureRate](rate, window, minVolume): over the last window, at least
//     minVolume calls ended and a share of at least rate of them failed. The window
//     rolls in ten buckets, so it forgets the oldest tenth at once.
//
// Open, it fails every call at once with [ErrOpen], without calling the inner
// service, for the open timeout ([WithOpenTimeout]). Then it turns half-open and
// lets exactly m probe calls through ([WithProbes]); every other call still gets
// ErrOpen. It closes once all m probes succeeded and re-opens (for another open
// timeout) at the first probe that failed. Every transition starts a new
// generation: a call that started under an earlier one (a slow call from before
// the breaker opened, the other probes of a failed round) does not count when it
// ends.
//
// # Failures
//
// A call that returned nil is a success. An error is a failure if the predicate of
// [WithIsFailure] says so, and is not counted at all otherwise. The default,
// [IsFailure], counts every error except context.Canceled (a caller that gave up
// says nothing about the service); context.DeadlineExceeded counts.
//
// # Errors
//
// [ErrOpen] is the "circuit open" failure kind, and it also matches
// service.ErrUnavailable (not service.ErrOverloaded): an open breaker refuses every
// call for a while whatever the load. Retry's default policy does not retry it, so
// retries are not spent against an open circuit; a balancer or a caller that can
// go elsewhere should. Errors of the inner service are returned unchanged.
//
// # Readiness
//
// A closed breaker forwards the inner service's readiness. Open, or half-open with
// every probe slot taken, TryReady returns ErrOpen at once, while Ready waits
// (bounded by its ctx) until the breaker would let a call through, and then waits
// for the inner service. Ready does not return ErrOpen because errors from Ready
// mean a permanent failure: a buffer or actor in front of the breaker would treat
// it as its service having failed for good. A balancer that checks TryReady skips
// an open endpoint; a buffer waits out the open timeout. The breaker also
// implements service.TryCaller: TryCall fails at once while open and otherwise
// calls the inner service's TryCall.
//
// # Events
//
// [WithEvents] receives an EventStateChanged event per transition, Event.State
// set to "closed", "open" or "half-open" and Event.Err to the failure that opened
// the breaker. [WithOnStateChange] receives (from, to). Both run in the order of
// the transitions, on the goroutine that caused them, under the breaker's lock:
// keep them quick and do not call into the same breaker from them (State is fine).
// A hook that panics does not break the breaker: the transition has been made, the
// lock is released, and the panic goes on up the goroutine that caused it.
// Refused calls are not reported as events: the caller sees ErrOpen.
// [WithLogger] writes each transition to a *slog.Logger (silent by default):
// open at Warn with its cause, half-open and closed at Info; a panic in the
// logger's handler is dropped.
//
// # Cancellation
//
// The breaker never waits during a call, so a call's ctx only matters to the inner
// service. Ready honours ctx.
//
// # Panics
//
// Plain middleware does not recover panics (actors do). A panic in a user hook
// (events, state change, failure predicate) leaves the breaker working: its lock
// is released by deferred unlocks. A probe whose inner
// service panics counts as a failed probe and the panic propagates; in the closed
// state a panic propagates uncounted, so that the closed path needs no deferred
// function.
//
// # Cost
//
// The closed state is lock-free: a call loads one atomic word before and one after
// the inner call, and with the consecutive rule adds to a shared counter only on
// failure. With a failure-rate rule every call also reads the monotonic clock and
// adds to the current bucket's counter. Measured on a 2-core AMD EPYC VM, over an
// inner call of ~2 ns: closed with the consecutive rule ~7 ns/op (~3.7 ns/op with
// two cores calling); with the failure-rate rule ~40 ns/op (~30 ns/op on two
// cores; the clock read is most of it); a call refused while open ~29 ns/op (a
// clock read, no lock); 0 allocations in all cases. The half-open state and the
// transitions take a mutex.
//
// # Why not sony/gobreaker
//
// github.com/sony/gobreaker/v2 (v2.4.0) was evaluated as the engine, wrapped as
// this stage would wrap it (Execute around the inner call, same rules). It takes a
// mutex and reads the wall clock twice per call, in every state. Same machine,
// same service: closed ~121 ns/op against ~7 here (two cores: ~134 against ~3.7,
// its mutex serialising the callers); with a 10-bucket rolling window ~132 ns/op
// against ~40; refused while open ~56 ns/op against ~29. It also fits the
// contracts less well: it cannot wait for the open timeout (Ready), its
// consecutive-failure count decays with the rolling window, and it recovers and
// re-panics in every call. So the breaker is written here, in about 400 lines,
// with gobreaker's semantics where they agree: generations, exactly m probes
// admitted, ignored outcomes that free a probe slot.
package breaker
