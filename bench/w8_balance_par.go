package main

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/balance"
	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

// W8 balance-par: 64 callers share one p2c balancer (pending-requests load)
// over 16 echo endpoint actors, closed loop. The raw floor: the same callers
// pick one of 16 worker goroutines' channels round robin by an atomic counter,
// with a reply channel per caller.

const (
	w8Endpoints = 16
	w8Capacity  = 64 // each endpoint's mailbox, and each raw worker's channel
)

func init() {
	register(Workload{
		ID:          "W8",
		Name:        "balance-par",
		Description: "64 callers, 1,000,000 calls total: p2c + pending requests over 16 echo endpoint actors (one worker, mailbox 64 each)",
		Callers:     64,
		Calls:       1_000_000,
		Metric:      MetricRPS,
		Rounds:      5,
		Impls: []Impl{
			{Name: ImplTower, Run: w8Tower},
			{Name: ImplRaw, Run: w8Raw},
		},
	})
}

func w8Tower(_ context.Context, s Spec) (Result, error) {
	entries := make([]discover.Entry[int, discover.Endpoint[uint64, uint64]], w8Endpoints)
	for i := range entries {
		a, err := actor.Spawn[uint64, uint64](service.Func[uint64, uint64](echo), w8Capacity,
			actor.WithWorkers(1), actor.WithName("endpoint-"+strconv.Itoa(i)))
		if err != nil {
			return Result{}, err
		}
		sc := new(service.Scope)
		_ = sc.Own(context.Background(), a)
		p, err := load.NewPending[uint64, uint64](a.Ref())
		if err != nil {
			return Result{}, err
		}
		entries[i] = discover.Entry[int, discover.Endpoint[uint64, uint64]]{Key: i, Value: discover.Endpoint[uint64, uint64]{Service: p, Scope: sc}}
	}
	src, err := discover.NewStatic(entries...)
	if err != nil {
		return Result{}, err
	}
	bal, err := balance.New(src)
	if err != nil {
		return Result{}, err
	}
	if err := waitEndpoints(bal.Len, w8Endpoints); err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = bal
	r := measurePar(s.Callers, s.Calls, echoCaller(svc))
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := bal.Stop(ctx); err != nil {
		return r, fmt.Errorf("stopping the balancer: %w", err)
	}
	r.Note("p2c + pending over 16 actors (WithWorkers(1), mailbox 64), called through service.Service")
	return r, nil
}

// w8Raw is the floor: 16 worker goroutines, each reading its own channel
// (capacity 64); callers pick one round robin by an atomic counter and wait on
// their own reply channel. No ctx, no readiness, no load.
func w8Raw(_ context.Context, s Spec) (Result, error) {
	chans := make([]chan rawReq, w8Endpoints)
	done := make(chan struct{})
	for i := range chans {
		chans[i] = make(chan rawReq, w8Capacity)
		go func(reqs chan rawReq) {
			defer func() { done <- struct{}{} }()
			ctx := context.Background()
			for q := range reqs {
				v, err := echo(ctx, q.x)
				q.reply <- rawRes{v, err}
			}
		}(chans[i])
	}
	var next atomic.Uint64
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		reply := make(chan rawRes, 1)
		return func(_ context.Context, x uint64) error {
			chans[next.Add(1)%w8Endpoints] <- rawReq{x, reply}
			res := <-reply
			return checkEcho(x, res.v, res.err)
		}
	})
	for _, c := range chans {
		close(c)
	}
	for range chans {
		<-done
	}
	r.Note("16 worker goroutines, one channel (64) each, round robin by an atomic counter")
	return r, nil
}
