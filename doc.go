// Package tower is Tower for Go, on actors: small composable parts for building
// robust request/response clients and servers.
//
// Everything is a [Service]: an asynchronous function from request to response. A
// [Layer] wraps a service in a stage (a timeout, a limit, a retry, a buffer) and
// returns a service. A [Pipeline] lists stages outermost first, as Tower's
// ServiceBuilder does, and materializes them over a terminal service either inline,
// as one fused service that runs in the caller's goroutine ([Pipeline.Service]), or
// behind an actor, a bounded mailbox drained by worker goroutines
// ([Pipeline.Spawn]).
//
// Stages that need no goroutine of their own run fused in their neighbour's
// goroutine, so N stages do not cost N channel hops. Stages that are boundaries
// (buffer, actors) own goroutines; the pipeline that built them stops them
// ([Stack.Stop]).
//
// The contract lives in the leaf package service; the names here are aliases of it,
// so tower.Service and service.Service are the same type. Stage packages live under
// stage/, the actor runtime in actor/ and mailbox/.
package tower
