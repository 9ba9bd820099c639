// Package tower is Tower for Go, on actors: small composable parts for building
// robust request/response clients and servers.
//
// The contract lives in package service: a service.Service is an asynchronous
// function from request to response, a service.Layer wraps a service in a stage (a
// timeout, a limit, a retry, a buffer) and returns a service. This package builds
// pipelines of stages. [For] is the typed builder, Tower's ServiceBuilder: the type
// arguments are written once and every built-in stage is a method, outermost first:
//
//	st, err := tower.For[Req, Res]().
//		LoadShed().
//		ConcurrencyLimit(64).
//		Timeout(time.Second).
//		Service(client)
//
// Configuration errors surface once, when the pipeline is built ([Pipeline.Service]).
// [NewPipeline] takes layers as they are, user-written ones included.
//
// Stages that need no goroutine of their own run fused in the caller's goroutine, so
// N stages do not cost N channel hops. Stages that start goroutines (a buffer, a
// background readiness driver) hand them to the [Stack]'s service.Scope as they are
// built, and [Stack.Stop] stops them all; after Stop every call on the stack fails at
// once with [ErrStopped], which matches service.ErrClosed.
//
// Stage packages live under stage/, the actor runtime in actor/ and mailbox/.
package tower
