// Package service holds the contract every component of tower is built on: the
// generic [Service], its optional readiness ([Readier]) and non-blocking call
// ([TryCaller]) capabilities, the [Layer] that wraps one service in another, and the
// error kinds that every stage reports with.
//
// It is a leaf package: it imports nothing of tower, so that the root package (which
// re-exports these names as aliases and builds pipelines), the actor runtime and every
// stage package can all depend on it without an import cycle. Most users will spell
// these names through the root package, tower.Service, tower.ServiceFunc and so on;
// the types are identical.
//
// # Calls
//
// A Service is an asynchronous function from request to response. Call blocks until
// the service answers or ctx ends, and it is safe for concurrent use by many
// goroutines unless a type says otherwise. Every call that a service accepted ends
// with exactly one response or error.
//
// # Readiness
//
// A service with bounded capacity (an actor's mailbox, a concurrency limit, a rate
// limit) implements [Readier]. Ready waits, bounded by ctx, until the service has room
// for a call; TryReady answers at once. Because a Go service is shared by many
// goroutines, readiness is advisory: it reserves nothing, and a call made after Ready
// returned may still have to wait. Callers that need an atomic decision use the
// non-blocking [TryCaller.TryCall], which either accepts the request or fails at once
// with an error matching [ErrOverloaded]. The helpers [Ready], [TryReady], [TryCall]
// and [Oneshot] work on any service, using these capabilities when it has them.
//
// A service without bounded capacity is always ready; it need not implement Readier.
// Stages that wrap a service forward its readiness (see [Forward]), so a pipeline's
// readiness is that of the first stage that has a bound.
//
// # Errors
//
// Failures are reported as values a caller can branch on. The kinds shared by many
// stages ([ErrOverloaded], [ErrClosed], [ErrRejected], [ErrFailed], [ErrPanicked]) are
// defined here; stage packages define their own sentinels that also match these kinds
// under errors.Is (see [NewError]). Cancellation is reported as ctx.Err().
package service
