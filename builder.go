package tower

import (
	"context"
	"time"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage"
	"github.com/tower-go/tower/stage/adaptive"
	"github.com/tower-go/tower/stage/breaker"
	"github.com/tower-go/tower/stage/buffer"
	"github.com/tower-go/tower/stage/fallback"
	"github.com/tower-go/tower/stage/filter"
	"github.com/tower-go/tower/stage/hedge"
	"github.com/tower-go/tower/stage/limit"
	"github.com/tower-go/tower/stage/loadshed"
	"github.com/tower-go/tower/stage/observe"
	"github.com/tower-go/tower/stage/ratelimit"
	"github.com/tower-go/tower/stage/retry"
	"github.com/tower-go/tower/stage/spawnready"
	"github.com/tower-go/tower/stage/timeout"
)

// For returns an empty pipeline of services from Req to Res: the typed builder,
// Tower's ServiceBuilder. The type arguments are written once, here; every method
// adds one stage inside those already listed (outermost first) and returns the
// extended pipeline, so a whole stack is one expression:
//
//	st, err := tower.For[Req, Res]().
//		Timeout(time.Second).
//		ConcurrencyLimit(64).
//		Retry(3).
//		Service(client)
//
// Methods take plain values; a bad one (a zero capacity, a nil function) is
// reported once, by Service, ServiceFunc or the layer of AsLayer when the pipeline
// is built, never as a panic. Each method documents the stage package it uses.
func For[Req, Res any]() Pipeline[Req, Res] { return Pipeline[Req, Res]{} }

// Layer adds a layer of any kind: a user-written one, or a pipeline nested with
// AsLayer (Tower's layer).
func (p Pipeline[Req, Res]) Layer(l service.Layer[Req, Res]) Pipeline[Req, Res] {
	return p.With(l)
}

// OptionLayer adds l if it is not nil, and nothing otherwise (Tower's option_layer):
// for stages that configuration may leave out.
func (p Pipeline[Req, Res]) OptionLayer(l service.Layer[Req, Res]) Pipeline[Req, Res] {
	if l == nil {
		return p
	}
	return p.With(l)
}

// Stage adds a user-written stage: a function of the call's ctx, its request and
// the next service, which forwards every ability of the services inside it (see
// service.Stage).
func (p Pipeline[Req, Res]) Stage(f service.StageFunc[Req, Res]) Pipeline[Req, Res] {
	return p.With(service.Stage(f))
}

// Buffer adds an actor boundary: a bounded mailbox of the given capacity drained by
// worker goroutines, which the pipeline owns and stops (see package buffer).
func (p Pipeline[Req, Res]) Buffer(capacity int, opts ...actor.Option) Pipeline[Req, Res] {
	return p.With(buffer.Layer[Req, Res](capacity, opts...))
}

// ConcurrencyLimit adds a limit of n calls in flight (see package limit).
func (p Pipeline[Req, Res]) ConcurrencyLimit(n int, opts ...limit.Option) Pipeline[Req, Res] {
	return p.With(limit.Layer[Req, Res](n, opts...))
}

// SharedConcurrencyLimit adds a limit whose permits are shared with every other
// service given the same limit.Shared (see package limit).
func (p Pipeline[Req, Res]) SharedConcurrencyLimit(shared *limit.Shared, opts ...limit.Option) Pipeline[Req, Res] {
	return p.With(limit.SharedLayer[Req, Res](shared, opts...))
}

// AdaptiveLimit adds a concurrency limit that moves with observed latency (see
// package adaptive).
func (p Pipeline[Req, Res]) AdaptiveLimit(opts ...adaptive.Option) Pipeline[Req, Res] {
	return p.With(adaptive.Layer[Req, Res](opts...))
}

// LoadShed adds load shedding: a call the stages inside cannot take at once fails
// at once with an error matching service.ErrOverloaded (see package loadshed).
func (p Pipeline[Req, Res]) LoadShed(opts ...loadshed.Option) Pipeline[Req, Res] {
	return p.With(loadshed.Layer[Req, Res](opts...))
}

// RateLimit adds a token bucket of perSecond tokens a second and the given burst,
// owned by this stage (see package ratelimit).
func (p Pipeline[Req, Res]) RateLimit(perSecond float64, burst int, opts ...ratelimit.Option) Pipeline[Req, Res] {
	return p.With(ratelimit.LayerRate[Req, Res](perSecond, burst, opts...))
}

// SharedRateLimit adds a rate limit drawing on lim, which may be shared by many
// services (see package ratelimit).
func (p Pipeline[Req, Res]) SharedRateLimit(lim *ratelimit.Limiter, opts ...ratelimit.Option) Pipeline[Req, Res] {
	return p.With(ratelimit.Layer[Req, Res](lim, opts...))
}

// Timeout adds a per-call deadline of d (see package timeout).
func (p Pipeline[Req, Res]) Timeout(d time.Duration, opts ...timeout.Option) Pipeline[Req, Res] {
	return p.With(timeout.Layer[Req, Res](d, opts...))
}

// Retry adds retries under a policy of at most maxAttempts attempts in all (see
// package retry).
func (p Pipeline[Req, Res]) Retry(maxAttempts int, opts ...retry.PolicyOption) Pipeline[Req, Res] {
	return p.With(retry.Layer[Req, Res](retry.Attempts[Req, Res](maxAttempts, opts...)))
}

// RetryPolicy adds retries under a policy of one's own (see package retry).
func (p Pipeline[Req, Res]) RetryPolicy(policy retry.Policy[Req, Res], opts ...retry.Option) Pipeline[Req, Res] {
	return p.With(retry.Layer[Req, Res](policy, opts...))
}

// Hedge adds hedged requests: a second copy after the observed latency percentile,
// bounded by a budget (see package hedge).
func (p Pipeline[Req, Res]) Hedge(opts ...hedge.Option) Pipeline[Req, Res] {
	return p.With(hedge.Layer[Req, Res](opts...))
}

// Breaker adds a circuit breaker (see package breaker).
func (p Pipeline[Req, Res]) Breaker(opts ...breaker.Option) Pipeline[Req, Res] {
	return p.With(breaker.Layer[Req, Res](opts...))
}

// Fallback adds a function that answers when the stages inside fail (see package
// fallback).
func (p Pipeline[Req, Res]) Fallback(fn fallback.Func[Req, Res], opts ...fallback.Option) Pipeline[Req, Res] {
	return p.With(fallback.Layer[Req, Res](fn, opts...))
}

// SpawnReady adds a stage that drives a slow service's readiness in a background
// goroutine the pipeline owns (see package spawnready).
func (p Pipeline[Req, Res]) SpawnReady(opts ...spawnready.Option) Pipeline[Req, Res] {
	return p.With(spawnready.Layer[Req, Res](opts...))
}

// Filter adds a predicate: a request for which it returns an error is rejected with
// an error matching service.ErrRejected (see package filter).
func (p Pipeline[Req, Res]) Filter(pred func(Req) error, opts ...filter.Option) Pipeline[Req, Res] {
	return p.With(filter.Layer[Req, Res](pred, opts...))
}

// FilterAsync adds a predicate that may block, bounded by the call's ctx (see
// package filter).
func (p Pipeline[Req, Res]) FilterAsync(pred func(context.Context, Req) error, opts ...filter.Option) Pipeline[Req, Res] {
	return p.With(filter.AsyncLayer[Req, Res](pred, opts...))
}

// MapRequest adds a function applied to every request.
func (p Pipeline[Req, Res]) MapRequest(f func(Req) Req) Pipeline[Req, Res] {
	return p.With(stage.MapRequest[Req, Res](f))
}

// MapResponse adds a function applied to every successful response.
func (p Pipeline[Req, Res]) MapResponse(f func(Res) Res) Pipeline[Req, Res] {
	return p.With(stage.MapResponse[Req, Res](f))
}

// MapErr adds a function applied to every error.
func (p Pipeline[Req, Res]) MapErr(f func(error) error) Pipeline[Req, Res] {
	return p.With(stage.MapErr[Req, Res](f))
}

// MapResult adds a function applied to every result, success or error.
func (p Pipeline[Req, Res]) MapResult(f func(Res, error) (Res, error)) Pipeline[Req, Res] {
	return p.With(stage.MapResult[Req, Res](f))
}

// Then adds a function run after every call, success or error, that may block
// (bounded by ctx).
func (p Pipeline[Req, Res]) Then(f func(context.Context, Res, error) (Res, error)) Pipeline[Req, Res] {
	return p.With(stage.Then[Req, Res](f))
}

// AndThen adds a function run after every successful call, that may block (bounded
// by ctx).
func (p Pipeline[Req, Res]) AndThen(f func(context.Context, Res) (Res, error)) Pipeline[Req, Res] {
	return p.With(stage.AndThen[Req, Res](f))
}

// If adds a stage that sends the requests for which pred is true through l and the
// others straight on (see stage.If). l's goroutines are owned by this pipeline.
func (p Pipeline[Req, Res]) If(pred func(Req) bool, l service.Layer[Req, Res]) Pipeline[Req, Res] {
	return p.With(stage.If[Req, Res](pred, l))
}

// Observe adds a hook that gets every call's outcome (elapsed time, error) as seen
// at this point of the pipeline: what metrics are built on (see package observe).
func (p Pipeline[Req, Res]) Observe(f observe.Func) Pipeline[Req, Res] {
	return p.With(observe.Layer[Req, Res](f))
}

// AsLayer returns the whole pipeline as one layer, so that pipelines nest: its
// stages are built in the scope of the pipeline it is added to, which stops them.
func (p Pipeline[Req, Res]) AsLayer() service.Layer[Req, Res] {
	return func(sc *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return p.build(sc, inner)
	}
}
