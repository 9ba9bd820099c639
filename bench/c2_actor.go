package main

import (
	"context"

	"github.com/tower-go/tower/actor"
)

// C2 actor-rt: the core issue's bar for the actor runtime. One caller makes
// request/reply round trips through a one-worker actor, against the hand-written
// floor: a goroutine reading one request channel and answering on a reply channel
// the caller owns. Sequential.

func init() {
	register(Workload{
		ID:          "C2",
		Name:        "actor-rt",
		Description: "1 caller, 1,000,000 calls: request/reply through a one-worker actor over echo",
		Callers:     1,
		Calls:       1_000_000,
		Metric:      MetricNs,
		Impls: []Impl{
			{Name: ImplTower, Run: c2Tower},
			{Name: ImplRaw, Run: c2Raw},
		},
	})
}

func c2Tower(_ context.Context, s Spec) (Result, error) {
	a, err := actor.Spawn(newEchoService(), 1024, actor.WithWorkers(1))
	if err != nil {
		return Result{}, err
	}
	defer a.Stop(context.Background())
	ctx := context.Background()
	return measureSeq(s.Calls, func(n int) int64 {
		var ok int64
		for x := range uint64(n) {
			r, err := a.Call(ctx, x)
			if err == nil && r == x+1 {
				ok++
			}
		}
		return ok
	}), nil
}

func c2Raw(_ context.Context, s Spec) (Result, error) {
	type msg struct {
		x     uint64
		reply chan uint64
	}
	reqs := make(chan msg, 1024)
	done := make(chan struct{})
	go func() { // joined below through done
		defer close(done)
		ctx := context.Background()
		for m := range reqs {
			v, _ := echo(ctx, m.x)
			m.reply <- v
		}
	}()
	reply := make(chan uint64, 1)
	r := measureSeq(s.Calls, func(n int) int64 {
		var ok int64
		for x := range uint64(n) {
			reqs <- msg{x, reply}
			if <-reply == x+1 {
				ok++
			}
		}
		return ok
	})
	close(reqs)
	<-done
	r.Note("a goroutine reading one request channel (cap 1024), a reply channel owned by the caller")
	return r, nil
}
