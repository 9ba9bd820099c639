// Package stage holds Tower's utility stages: small fused stages that map requests,
// responses and errors, run follow-up work on results, apply a layer to some
// requests only, leave a layer out, and box or erase a service's type.
//
// # Stages
//
//   - [MapRequest], [MapResponse], [MapErr], [MapResult]: apply a function to each
//     request, to each successful response, to each error, or to each result
//     (response and error together).
//   - [AndThen] runs a function on each successful response; [Then] runs one on
//     every result. Both get the call's ctx, so the function may do more work that
//     can fail or block.
//   - [If] sends the requests that match a predicate through a layer and the
//     others straight to the inner service. [Optional] turns a nil layer into
//     [Identity], the layer that adds nothing.
//   - [Box] hides a service's concrete type; [Any] erases its request and response
//     types to any, and [Typed] restores them.
//
// Each comes as a layer (MapRequest(f), for pipelines) and as a constructor over a
// service (NewMapRequest(inner, f)) that returns the concrete stage type. A
// [service.Layer] keeps the request and response types, so the stages that change
// them are constructors only: [MapRequestTo], [MapResponseTo], [AndThenTo],
// [ThenTo]. Apply them to a materialized pipeline:
//
//	st, err := tower.NewPipeline(layers...).Service(db) // a Service[Query, Row]
//	byID, err := stage.MapRequestTo(st, func(id int) Query { return Query{ID: id} })
//
// A nil service (a nil interface, a nil service.Func or a typed nil pointer; the
// error wraps service.ErrNilService), function, predicate, layer or scope is
// reported as an error prefixed with "stage:" by the constructor, or when the layer
// is applied; no stage panics in a call for bad configuration.
//
// # Fused, no goroutines
//
// Every stage here is fused: it runs in its caller's goroutine, owns no goroutine,
// and has no Stop. [If] applies its branch's layer in the [service.Scope] it is
// itself applied in, so a boundary in the branch (a buffer) hands its goroutines to
// the pipeline's scope and stops with the pipeline. Adjacent [MapRequest] stages of one request type go further and
// fuse into one stage that applies their functions in a row and makes one call to
// the service below them, and so do adjacent [MapResponse] stages; callers observe
// the same results, readiness and TryCall either way.
//
// # Readiness and TryCall
//
// Every stage embeds the [service.Next] of its inner service, so readiness (Ready,
// TryReady), load and Unwrap are the inner service's (a [Boxed] service hides
// Unwrap), and a pipeline of these stages is as ready as the first stage below them
// that has a bound. Every stage also has TryCall: it does its own request-side work
// (the mapping) and then makes the inner service's non-blocking call through
// [service.Next.TryCall] — the inner service's own TryCall when it has one, looked
// up once at construction, otherwise TryReady and Call — and then its response-side
// work. So
// a refusal (an error matching service.ErrOverloaded) passes through MapErr,
// MapResult and Then functions like any other error: a function that replaces
// errors instead of wrapping them (fmt.Errorf's %w) hides the overload from the
// caller. [If] is ready only when both of its branches are; see [IfStage].
//
// # Errors and cancellation
//
// A stage never loses an inner error: MapResponse and AndThen pass it through
// unchanged (with the zero response), MapErr, MapResult and Then hand it to their
// function. The stages add no errors of their own in calls, except the
// *[TypeError] (matching [ErrWrongType]) of an erased service given a value of the
// wrong type. They do not watch ctx themselves: the inner service does, and
// functions that take ctx (AndThen, Then) must honour it if they block.
//
// # Panics
//
// These stages are plain middleware: they do not recover panics. A panic in a
// function given to a stage unwinds into the caller, or into the actor that runs
// the pipeline, which recovers it and answers with a *service.PanicError.
//
// # Boxing
//
// A Go interface value already is a box: Service[Req, Res] holds any service
// behind a type word and a pointer, and calling through it is one indirect call.
// Tower's BoxService and BoxCloneService exist to name the type of a deep stack of
// generic middleware and to clone it; in Go the interface type names any stack, and
// services are shared by reference, never cloned. What [Box] adds is hiding: a
// type assertion cannot reach the boxed service, its Stop or its Unwrap, only its
// calls, readiness and load. [Any] goes further and erases the types themselves, for
// registries of services of many types.
//
// # Cost
//
// A stage costs its function plus one indirect call and allocates nothing (except
// [AnyService], which boxes each response into an interface). On the reference
// machine (2 shared cores, go test -bench) the echo service costs 1.6 ns through
// its interface; five fused MapRequest stages over it cost 14 ns (2.4 ns a stage),
// and five stages that do not fuse (MapRequest, MapResponse, MapErr, AndThen, Then)
// 20 ns (3.7 ns a stage).
package stage
