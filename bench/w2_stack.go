package main

import (
	"context"
	"time"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
)

// W2 stack-seq: what a stack of four fused stages costs a sequential caller:
// map_request(+1), concurrency_limit(64), timeout(1s), map_response(+1) over echo.
// Every implementation answers x+3 for x.

const (
	w2Limit   = 64
	w2Timeout = time.Second
)

func init() {
	register(Workload{
		ID:          "W2",
		Name:        "stack-seq",
		Description: "1 caller, 1,000,000 calls: map_request(+1), concurrency_limit(64), timeout(1s), map_response(+1) over echo",
		Callers:     1,
		Calls:       1_000_000,
		Metric:      MetricNs,
		Impls: []Impl{
			{Name: ImplTower, Run: w2Tower},
			{Name: ImplRaw, Run: w2Raw},
		},
	})
}

func inc(x uint64) uint64 { return x + 1 }

// w2Tower builds the stack with the pipeline builder and calls it through the
// service.Service interface (Call only: the limit's Call waits for a permit itself).
func w2Tower(ctx context.Context, s Spec) (Result, error) {
	st, err := tower.For[uint64, uint64]().
		MapRequest(inc).
		ConcurrencyLimit(w2Limit).
		Timeout(w2Timeout).
		MapResponse(inc).
		Service(newEchoService())
	if err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = st
	r := measureSeq(s.Calls, func(n int) int64 {
		var ok int64
		var sum uint64
		for x := range uint64(n) {
			res, err := svc.Call(ctx, x)
			if err == nil && res == x+3 {
				ok++
			}
			sum += res
		}
		sink += sum
		return ok
	})
	return r, st.Stop(ctx)
}

// w2Raw is the same work by hand, as a Go programmer would write it inline: +1, a
// buffered channel of 64 as the semaphore (it waits when full, as the limit does),
// context.WithTimeout around the call, +1.
func w2Raw(ctx context.Context, s Spec) (Result, error) {
	sem := make(chan struct{}, w2Limit)
	call := func(ctx context.Context, x uint64) (uint64, error) {
		x++
		sem <- struct{}{}
		cctx, cancel := context.WithTimeout(ctx, w2Timeout)
		res, err := echo(cctx, x)
		cancel()
		<-sem
		if err != nil {
			return 0, err
		}
		return res + 1, nil
	}
	r := measureSeq(s.Calls, func(n int) int64 {
		var ok int64
		var sum uint64
		for x := range uint64(n) {
			res, err := call(ctx, x)
			if err == nil && res == x+3 {
				ok++
			}
			sum += res
		}
		sink += sum
		return ok
	})
	r.Note("by hand: +1, a buffered channel of 64 as semaphore, context.WithTimeout(1s), +1")
	return r, nil
}
