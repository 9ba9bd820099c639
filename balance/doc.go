// Package balance spreads calls over endpoints that a discovery source
// (package balance/discover) adds and removes at run time, routing each call by
// the endpoints' load (package load): Tower's balance module, on actors.
//
// # Picking
//
// A [Balancer] picks a ready endpoint for each call by its [Policy]: [P2C], the
// power of two choices (two distinct endpoints at random, the lower load wins;
// the default), [RoundRobin], [LeastLoaded] (a full scan) or [WeightedP2C]
// (candidates drawn by discover.Endpoint.Weight, the lower load per unit of
// weight wins; a DNS SRV weight becomes that weight). With one ready endpoint it
// is used directly. With none ready, Call waits for one, bounded by its ctx, or
// fails at once with [WithFailFast]; TryCall always fails at once. The errors
// say which: [ErrNoEndpoints] (the set is empty; matches service.ErrUnavailable)
// or [ErrNotReady] (matching service.ErrOverloaded when endpoints were full,
// service.ErrUnavailable when they refuse for a while), wrapped with ctx's error
// after a wait.
//
// Loads are whatever the endpoint services report (service.Loader): wrap each
// endpoint in a metric, load.Pending or load.PeakEWMA, or wrap the source in
// load.PendingDiscover or load.PeakEWMADiscover. A load.PeakEWMA endpoint is
// read with LoadAt, so that a pick reads the clock once for both candidates.
// Reading a load never changes it.
//
// # Concurrency and readiness
//
// Many goroutines call one Balancer; nothing serializes them. The endpoint set
// is an immutable snapshot swapped atomically when discovery changes it, and a
// pick takes no lock and allocates nothing. Endpoints are meant to be actors
// (each behind its own mailbox; one that serves calls concurrently is one actor
// with a worker pool), so an endpoint's readiness is its free mailbox capacity.
// A pick asks each candidate's TryReady; one that refuses is marked not ready and
// skipped by later picks, and a goroutine of the balancer waits on its Ready and
// puts it back when it has room (Tower's balancer behind a buffer does not drive
// unready endpoints: tower-rs issue 824). An endpoint whose readiness fails for
// good — an error that is not transient (service.IsTransient), such as a failed
// or stopped actor — or whose call fails with service.ErrFailed, is evicted: it
// comes back only through discovery (or a supervisor's restart behind the same
// key). Readiness is advisory: a call sent to an endpoint that filled up since
// the pick waits for room there, bounded by its ctx.
//
// # Discovery
//
// The balancer watches its source on a goroutine of its own. An insert under a
// new key joins the set at once. An insert under a key that exists is a
// replacement: the new endpoint joins once its readiness says so, and the old
// one then leaves as a removed one does. A remove takes the endpoint out of the
// set: no pick takes it again, its calls in flight finish, and its scope (the
// discover.Endpoint's Scope) is stopped at once, so that its actor answers the
// calls still queued with actor.ErrStopped. Such a call was never handed to the
// endpoint's service, so the balancer sends it to another endpoint (or, if none
// is left, waits for one or fails as a new call would): every call gets exactly
// one answer, none is dropped ([Balancer.Rerouted] counts them). The scope is
// stopped for good once its calls in flight have finished. Each eviction is
// reported to the source if it is a discover.FailureReporter (a DNS source
// re-resolves early).
//
// # As a service
//
// A Balancer is a service.Service with TryCall, Ready, TryReady (some endpoint
// ready) and Load: the lowest load among the ready endpoints, the load a new call
// would meet, so that an outer balancer can balance over balancers. It owns
// goroutines: stop it with [Balancer.Stop], or build it with [NewIn] to hand it
// to a service.Scope (a pipeline's or a supervisor's). Stop does not stop the
// source; stop a DNS source after the balancer.
//
// # Events and logs
//
// [WithEvents] receives a service.EventFailed per eviction (and per endpoint or
// replacement that could not be used). [WithLogger] writes the set's lifecycle
// to a *slog.Logger, silent by default: endpoints added, removed and replaced at
// Info, evicted at Warn with the cause.
//
// # Panics
//
// The balancer does not recover panics of endpoint services (an actor
// endpoint recovers them on its worker); a panic in the events hook or the logger's handler is dropped.
//
// # Cost
//
// A P2C pick is two random numbers, two TryReady and two Load calls, whatever
// the number of endpoints; LeastLoaded scans them all; WeightedP2C adds two
// binary searches. No pick allocates. A change of the set copies the snapshot
// (O(endpoints)).
package balance
