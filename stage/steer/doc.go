// Package steer provides Tower's steer: a service that routes each request to one
// of several services, chosen per request by a [Picker] (by key, by shard, by
// method, by tenant).
//
// # Semantics
//
// Call asks the picker for an index, then waits for that service's readiness and
// calls it. An index outside the services is a bug in the picker;
// the call fails with an error matching [ErrBadPick] that says which index and how
// many services there were. The picker is called once per call, on the caller's
// goroutine, and must be safe for concurrent use.
//
// # Readiness: no head-of-line blocking
//
// Tower's Steer is ready only when every inner service is ready, because it does
// not know the request when readiness is asked: one slow service holds back the
// requests for all the others. Here readiness is per request: a call waits only for
// the service it was routed to, and TryCall fails at once only if that one is not
// ready. The Steer itself does not implement service.Readier, so it is always ready:
// without a request, "ready" has no answer that would not either block on one slow
// service (all must be ready) or promise what the routed service may not hold (any
// is ready). A stage in front of a Steer (an actor worker, a buffer) therefore never
// waits on it, and the wait moves to the call, where the target is known.
//
// # Overload, cancellation and errors
//
// The routed service's errors (overload, closed, failed) and cancellation reach the
// caller unchanged. A Steer owns no goroutine and stops nothing: the services stay
// their owner's to stop.
//
// # Panics
//
// Plain middleware does not recover panics: a panic in the picker or in a service
// unwinds the caller.
//
// # Cost
//
// A call costs one picker call, one readiness check of the routed service (its
// service.Next, looked up at construction: nothing for a service without a bound,
// otherwise whatever its Ready costs) and one interface call; it allocates nothing.
package steer
