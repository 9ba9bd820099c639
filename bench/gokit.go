package main

import (
	"context"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	"github.com/go-kit/kit/sd/lb"
)

// The go-kit peer (github.com/go-kit/kit): an endpoint.Endpoint is
// func(ctx, request any) (response any, err error), and middleware wraps one
// endpoint in another (endpoint.Middleware), chained outermost first by
// endpoint.Chain. Requests and responses travel as interface values, so a uint64
// above 255 is boxed (one allocation) each time it is put in one.

const implGokit = "gokit"

func init() {
	registerImpl("W2", Impl{Name: implGokit, Run: w2Gokit})
	registerImpl("W6", Impl{Name: implGokit, Run: w6Gokit})
}

// echoEndpoint is echo as a go-kit endpoint.
func echoEndpoint(ctx context.Context, req any) (any, error) {
	return echo(ctx, req.(uint64))
}

// gokitMapRequest is map_request as endpoint middleware.
func gokitMapRequest(f func(uint64) uint64) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			return next(ctx, f(req.(uint64)))
		}
	}
}

// gokitMapResponse is map_response as endpoint middleware.
func gokitMapResponse(f func(uint64) uint64) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			res, err := next(ctx, req)
			if err != nil {
				return nil, err
			}
			return f(res.(uint64)), nil
		}
	}
}

// gokitLimit is a concurrency limit as endpoint middleware, written here because
// go-kit has none: a buffered channel of n as the semaphore, waiting for a slot
// bounded by ctx.
func gokitLimit(n int) endpoint.Middleware {
	sem := make(chan struct{}, n)
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			defer func() { <-sem }()
			return next(ctx, req)
		}
	}
}

// gokitTimeout is a timeout as endpoint middleware, written here because go-kit has
// none outside its transports: context.WithTimeout around the call.
func gokitTimeout(d time.Duration) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			ctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			return next(ctx, req)
		}
	}
}

func w2Gokit(ctx context.Context, s Spec) (Result, error) {
	ep := endpoint.Chain(
		gokitMapRequest(inc),
		gokitLimit(w2Limit),
		gokitTimeout(w2Timeout),
		gokitMapResponse(inc),
	)(echoEndpoint)
	r := measureSeq(s.Calls, func(n int) int64 {
		var ok int64
		var sum uint64
		for x := range uint64(n) {
			v, err := ep(ctx, x)
			if err != nil {
				continue
			}
			res := v.(uint64)
			if res == x+3 {
				ok++
			}
			sum += res
		}
		sink += sum
		return ok
	})
	r.Note("endpoint.Chain of middleware written here: go-kit has no concurrency limit (its ratelimit package limits rate, not calls in flight) " +
		"and no timeout middleware; limit = channel semaphore, timeout = context.WithTimeout; interface{} requests box the uint64")
	return r, nil
}

// w6Gokit uses go-kit's only retry, lb.Retry, which retries over a balancer: here a
// round robin over one fixed endpoint. It must have a timeout for the whole call
// (a context.WithTimeout per call; one minute, never reached) and runs each attempt
// on a new goroutine.
func w6Gokit(ctx context.Context, s Spec) (Result, error) {
	f := &flaky{}
	flakyEndpoint := func(ctx context.Context, req any) (any, error) {
		return f.call(ctx, req.(uint64))
	}
	ep := lb.Retry(w6Attempts, time.Minute, lb.NewRoundRobin(sd.FixedEndpointer{flakyEndpoint}))
	r := w6Loop(ctx, s, func(ctx context.Context, x uint64) (uint64, error) {
		v, err := ep(ctx, x)
		if err != nil {
			return 0, err
		}
		return v.(uint64), nil
	})
	r.Set("attempts", f.n)
	r.Note("lb.Retry(3) over a round robin of one sd.FixedEndpointer endpoint: go-kit's retry is tied to a balancer, " +
		"runs each attempt on a new goroutine and needs a whole-call timeout (context.WithTimeout, 1 min, never reached)")
	return r, nil
}
