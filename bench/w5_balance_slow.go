package main

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/balance"
	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

// W5 balance-slow: 64 callers through buffer(1024) and a balancer over 8
// endpoints, endpoint 0 sleeping 10 ms and the others 1 ms. slow_share is the
// share of calls endpoint 0 served; served lists every endpoint's count.

const (
	w5Endpoints = 8
	w5Slow      = 10 * time.Millisecond
	w5Fast      = time.Millisecond
	w5Capacity  = 1024
	// Each endpoint is one actor with a worker pool as large as the callers,
	// so that it serves concurrently as a remote server would; its mailbox (64)
	// is its readiness.
	w5EndpointCap = 64
)

func init() {
	register(Workload{
		ID:          "W5",
		Name:        "balance-slow",
		Description: "64 callers, 64,000 calls total: buffer(1024), balancer over 8 endpoint actors; endpoint 0 sleeps 10 ms, endpoints 1..7 sleep 1 ms",
		Callers:     64,
		Calls:       64_000,
		Metric:      MetricRPS,
		Impls: []Impl{
			{Name: ImplTower, Run: func(_ context.Context, s Spec) (Result, error) {
				return w5Tower(s, balance.P2C, w5PeakEWMA, true, "p2c + peak-EWMA (default RTT 1 ms, decay 1 s)")
			}},
			{Name: "tower-pending", Run: func(_ context.Context, s Spec) (Result, error) {
				return w5Tower(s, balance.P2C, w5Pending, true, "p2c + pending requests")
			}},
			{Name: "tower-rr", Run: func(_ context.Context, s Spec) (Result, error) {
				return w5Tower(s, balance.RoundRobin, w5Constant, true, "round robin")
			}},
			{Name: "tower-least", Run: func(_ context.Context, s Spec) (Result, error) {
				return w5Tower(s, balance.LeastLoaded, w5PeakEWMA, true, "least loaded (full scan) + peak-EWMA")
			}},
			{Name: "tower-allfast", Run: func(_ context.Context, s Spec) (Result, error) {
				return w5Tower(s, balance.P2C, w5PeakEWMA, false, "p2c + peak-EWMA, all 8 endpoints sleep 1 ms: the p99 reference")
			}},
			{Name: ImplRaw, Run: w5Raw},
		},
	})
}

func w5PeakEWMA(s service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
	return service.Built[uint64, uint64](load.NewPeakEWMA(s, load.WithDefaultRTT(time.Millisecond), load.WithDecay(time.Second)))
}

func w5Pending(s service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
	return service.Built[uint64, uint64](load.NewPending(s))
}

func w5Constant(s service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
	return service.Built[uint64, uint64](load.NewConstant(s, 1))
}

// w5Sleep returns the sleeping echo of endpoint i and its served counter.
func w5Sleep(i int, slow bool, served []atomic.Int64) func(context.Context, uint64) (uint64, error) {
	d := w5Fast
	if slow && i == 0 {
		d = w5Slow
	}
	return func(_ context.Context, x uint64) (uint64, error) {
		time.Sleep(d)
		served[i].Add(1)
		return x + 1, nil
	}
}

func w5Tower(s Spec, policy balance.Policy, metric func(service.Service[uint64, uint64]) (service.Service[uint64, uint64], error), slow bool, note string) (Result, error) {
	served := make([]atomic.Int64, w5Endpoints)
	entries := make([]discover.Entry[int, discover.Endpoint[uint64, uint64]], w5Endpoints)
	for i := range entries {
		a, err := actor.Spawn[uint64, uint64](service.Func[uint64, uint64](w5Sleep(i, slow, served)), w5EndpointCap,
			actor.WithWorkers(s.Callers), actor.WithName("endpoint-"+strconv.Itoa(i)))
		if err != nil {
			return Result{}, err
		}
		sc := new(service.Scope)
		_ = sc.Own(context.Background(), a)
		svc, err := metric(a.Ref())
		if err != nil {
			return Result{}, err
		}
		entries[i] = discover.Entry[int, discover.Endpoint[uint64, uint64]]{Key: i, Value: discover.Endpoint[uint64, uint64]{Service: svc, Scope: sc}}
	}
	src, err := discover.NewStatic(entries...)
	if err != nil {
		return Result{}, err
	}
	bal, err := balance.New(src, balance.WithPolicy(policy))
	if err != nil {
		return Result{}, err
	}
	if err := waitEndpoints(bal.Len, w5Endpoints); err != nil {
		return Result{}, err
	}
	st, err := tower.For[uint64, uint64]().Buffer(w5Capacity).Service(bal)
	if err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = st
	r := measurePar(s.Callers, s.Calls, echoCaller(svc))
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := st.Stop(ctx); err != nil {
		return r, fmt.Errorf("stopping the buffer: %w", err)
	}
	if err := bal.Stop(ctx); err != nil {
		return r, fmt.Errorf("stopping the balancer: %w", err)
	}
	w5Shares(&r, served)
	if _, ok := entries[0].Value.Service.(*load.PeakEWMA[uint64, uint64]); ok {
		rtts := make([]float64, len(entries))
		for i, e := range entries {
			rtts[i] = round(float64(e.Value.Service.(*load.PeakEWMA[uint64, uint64]).RTT())/1e3, 1)
		}
		r.Set("rtt_est_us", rtts) // each endpoint's peak-EWMA RTT estimate at the end
	}
	r.Note(note)
	return r, nil
}

// waitEndpoints waits until a balancer's set has n endpoints.
func waitEndpoints(size func() int, n int) error {
	deadline := time.Now().Add(10 * time.Second)
	for size() < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("the balancer has %d of %d endpoints", size(), n)
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// w5Shares sets slow_share and served from the endpoints' counters, and the
// report's per-endpoint chart.
func w5Shares(r *Result, served []atomic.Int64) {
	counts := make([]int64, len(served))
	labels := make([]string, len(served))
	values := make([]float64, len(served))
	var total int64
	for i := range served {
		counts[i] = served[i].Load()
		total += counts[i]
		labels[i] = strconv.Itoa(i)
		values[i] = float64(counts[i])
	}
	share := 0.0
	if total > 0 {
		share = float64(counts[0]) / float64(total)
	}
	r.Set("slow_share", round(share, 4))
	r.Set("served", counts)
	r.Series = append(r.Series, Series{Title: "calls served per endpoint (0 is the slow one)", Unit: "calls", Labels: labels, Values: values})
}

// w5Raw is the floor: each caller runs the endpoints' sleeping functions
// itself, picked round robin by an atomic counter. No buffer, no actor, no load.
func w5Raw(_ context.Context, s Spec) (Result, error) {
	served := make([]atomic.Int64, w5Endpoints)
	fs := make([]func(context.Context, uint64) (uint64, error), w5Endpoints)
	for i := range fs {
		fs[i] = w5Sleep(i, true, served)
	}
	var next atomic.Uint64
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		return func(ctx context.Context, x uint64) error {
			res, err := fs[next.Add(1)%w5Endpoints](ctx, x)
			return checkEcho(x, res, err)
		}
	})
	w5Shares(&r, served)
	r.Note("the sleeping functions called by the callers, round robin by an atomic counter")
	return r, nil
}
