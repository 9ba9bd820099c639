package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	"github.com/go-kit/kit/sd/lb"
)

// go-kit's sd/lb balancers for W5: round robin and random over a fixed set of
// endpoints (sd.FixedEndpointer). go-kit has no load-aware balancer and no
// buffer, so these rows lack both; each endpoint is a plain function the caller
// runs (go-kit endpoints are functions, not actors).

func init() {
	registerImpl("W5", Impl{Name: "gokit-rr", Run: func(_ context.Context, s Spec) (Result, error) {
		return w5Gokit(s, func(e sd.Endpointer) lb.Balancer { return lb.NewRoundRobin(e) }, "go-kit lb.NewRoundRobin; no buffer, no load metric")
	}})
	registerImpl("W5", Impl{Name: "gokit-random", Run: func(_ context.Context, s Spec) (Result, error) {
		return w5Gokit(s, func(e sd.Endpointer) lb.Balancer { return lb.NewRandom(e, time.Now().UnixNano()) }, "go-kit lb.NewRandom; no buffer, no load metric")
	}})
}

func w5Gokit(s Spec, mk func(sd.Endpointer) lb.Balancer, note string) (Result, error) {
	served := make([]atomic.Int64, w5Endpoints)
	eps := make(sd.FixedEndpointer, w5Endpoints)
	for i := range eps {
		f := w5Sleep(i, true, served)
		eps[i] = endpoint.Endpoint(func(ctx context.Context, req any) (any, error) { return f(ctx, req.(uint64)) })
	}
	bal := mk(eps)
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		return func(ctx context.Context, x uint64) error {
			e, err := bal.Endpoint()
			if err != nil {
				return err
			}
			res, err := e(ctx, x)
			if err != nil {
				return err
			}
			return checkEcho(x, res.(uint64), nil)
		}
	})
	w5Shares(&r, served)
	r.Note(note)
	return r, nil
}
