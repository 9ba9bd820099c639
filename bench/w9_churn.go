package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/balance"
	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

// W9 churn: 64 callers through a p2c + pending balancer over 8 endpoint actors
// that sleep 100 µs, while one endpoint is removed and a new one inserted every
// 10 ms through a channel source. lost counts calls that got no answer within
// w9Lost; errors counts calls answered with an error; rerouted counts calls the
// balancer moved off a removed endpoint before it served them.

const (
	w9Endpoints = 8
	w9Sleep     = 100 * time.Microsecond
	w9Every     = 10 * time.Millisecond
	w9Lost      = 10 * time.Second // a call unanswered after this long counts as lost
	w9Cap       = 16               // each endpoint's mailbox
	w9Workers   = 4                // each endpoint's workers
)

func init() {
	register(Workload{
		ID:          "W9",
		Name:        "churn",
		Description: "64 callers, 200,000 calls total: p2c + pending over 8 endpoint actors (sleep 100 µs; 4 workers, mailbox 16), one removed and one inserted every 10 ms",
		Callers:     64,
		Calls:       200_000,
		Metric:      MetricRPS,
		Impls:       []Impl{{Name: ImplTower, Run: w9Tower}, {Name: ImplRaw, Run: w9Raw}},
	})
}

func w9Endpoint() (discover.Endpoint[uint64, uint64], error) {
	a, err := actor.Spawn[uint64, uint64](service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) {
		time.Sleep(w9Sleep)
		return x + 1, nil
	}), w9Cap, actor.WithWorkers(w9Workers))
	if err != nil {
		return discover.Endpoint[uint64, uint64]{}, err
	}
	sc := new(service.Scope)
	_ = sc.Own(context.Background(), a)
	p, err := load.NewPending[uint64, uint64](a.Ref())
	if err != nil {
		return discover.Endpoint[uint64, uint64]{}, err
	}
	return discover.Endpoint[uint64, uint64]{Service: p, Scope: sc}, nil
}

func w9Tower(_ context.Context, s Spec) (Result, error) {
	ch := make(chan discover.Change[int, discover.Endpoint[uint64, uint64]], 2*w9Endpoints)
	src, err := discover.NewChannel(ch)
	if err != nil {
		return Result{}, err
	}
	bal, err := balance.New(src)
	if err != nil {
		return Result{}, err
	}
	for i := range w9Endpoints {
		ep, err := w9Endpoint()
		if err != nil {
			return Result{}, err
		}
		ch <- discover.Insert(i, ep)
	}
	if err := waitEndpoints(bal.Len, w9Endpoints); err != nil {
		return Result{}, err
	}

	stop := make(chan struct{})
	var churn sync.WaitGroup
	var changes int
	var churnErr error
	churn.Go(func() {
		t := time.NewTicker(w9Every)
		defer t.Stop()
		oldest, next := 0, w9Endpoints
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			ep, err := w9Endpoint()
			if err != nil {
				churnErr = err
				return
			}
			ch <- discover.Remove[int, discover.Endpoint[uint64, uint64]](oldest)
			ch <- discover.Insert(next, ep)
			oldest++
			next++
			changes++
		}
	})

	var lostMu sync.Mutex
	var lost int64
	var svc service.Service[uint64, uint64] = bal
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		return func(ctx context.Context, x uint64) error {
			ctx, cancel := context.WithTimeout(ctx, w9Lost)
			defer cancel()
			res, err := svc.Call(ctx, x)
			if errors.Is(err, context.DeadlineExceeded) {
				lostMu.Lock()
				lost++
				lostMu.Unlock()
			}
			return checkEcho(x, res, err)
		}
	})
	close(stop)
	churn.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := bal.Stop(ctx); err != nil {
		return r, fmt.Errorf("stopping the balancer: %w", err)
	}
	if churnErr != nil {
		return r, churnErr
	}
	r.Errors -= lost // a lost call is reported as lost, not as an error
	r.Set("lost", lost)
	r.Set("rerouted", bal.Rerouted())
	r.Set("changes", changes)
	r.Note("every " + w9Every.String() + " one endpoint removed and one inserted (" + strconv.Itoa(changes) + " times); lost = no answer within " + w9Lost.String())
	return r, nil
}

// w9Raw is the floor: no endpoints and no churn, the callers sleep 100 µs
// themselves: the throughput the sleep allows 64 callers.
func w9Raw(_ context.Context, s Spec) (Result, error) {
	sleep := func(_ context.Context, x uint64) (uint64, error) {
		time.Sleep(w9Sleep)
		return x + 1, nil
	}
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		return func(ctx context.Context, x uint64) error {
			res, err := sleep(ctx, x)
			return checkEcho(x, res, err)
		}
	})
	r.Set("lost", 0)
	r.Set("rerouted", 0)
	r.Note("no balancer and no churn: the callers sleep 100 µs themselves")
	return r, nil
}
