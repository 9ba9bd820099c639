package main

import (
	"context"
	"sync"
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
		return w5Gokit(s, func(e sd.Endpointer, _ int64) lb.Balancer { return lb.NewRoundRobin(e) }, false,
			"go-kit lb.NewRoundRobin shared by the callers; no buffer, no load metric")
	}})
	registerImpl("W5", Impl{Name: "gokit-random", Run: func(_ context.Context, s Spec) (Result, error) {
		// lb.NewRandom's rand.Rand is not safe for concurrent use (the race
		// detector reports it), so each caller gets its own balancer over the
		// shared endpoints, as a go-kit user must do.
		return w5Gokit(s, func(e sd.Endpointer, seed int64) lb.Balancer { return lb.NewRandom(e, seed) }, true,
			"go-kit lb.NewRandom, one per caller (it is not safe for concurrent use); no buffer, no load metric")
	}})
}

func w5Gokit(s Spec, mk func(sd.Endpointer, int64) lb.Balancer, perCaller bool, note string) (Result, error) {
	served := make([]atomic.Int64, w5Endpoints)
	eps := make(sd.FixedEndpointer, w5Endpoints)
	for i := range eps {
		f := w5Sleep(i, true, served)
		eps[i] = endpoint.Endpoint(func(ctx context.Context, req any) (any, error) { return f(ctx, req.(uint64)) })
	}
	seed := time.Now().UnixNano()
	shared := mk(eps, seed)
	var mu sync.Mutex
	r := measurePar(s.Callers, s.Calls, func(i int) func(context.Context, uint64) error {
		bal := shared
		if perCaller {
			mu.Lock()
			bal = mk(eps, seed+int64(i)+1)
			mu.Unlock()
		}
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
