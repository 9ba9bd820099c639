package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/supervisor"
)

// S1 spawn: what an idle supervised actor costs. 100,000 children under one
// supervisor, each an actor over echo, started one after another and then all
// stopped (the supervisor's Stop: reverse start order, each drained). The floor:
// as many goroutines, each blocked receiving on its own channel, started and ended
// the same way (closing each channel, waiting for all to end).

func init() {
	register(Workload{
		ID:          "S1",
		Name:        "spawn",
		Description: "100,000 idle actors under one supervisor, then stop them all; raw: goroutines blocked on a receive",
		Callers:     1,
		Calls:       100_000,
		Metric:      MetricNs,
		Impls: []Impl{
			{Name: ImplTower, Run: func(ctx context.Context, s Spec) (Result, error) { return s1Tower(ctx, s, 1) }},
			{Name: "tower-elastic", Run: func(ctx context.Context, s Spec) (Result, error) { return s1Tower(ctx, s, 0) }},
			{Name: ImplRaw, Run: s1Raw},
		},
	})
}

// s1Mem is the memory a phase holds: heap and goroutine stacks in use.
func s1Mem() (uint64, uint64) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse, m.Mallocs
}

// s1Result turns the two timed phases and the memory held in between into a row.
func s1Result(n int, spawn, stop time.Duration, bytes, mallocs uint64, goroutines int) Result {
	r := rates(int64(n), int64(n), spawn+stop)
	r.Set("allocs_per_call", round(float64(mallocs)/float64(n), 3))
	r.Set("ns_per_actor", round(float64((spawn+stop).Nanoseconds())/float64(n), 1))
	r.Set("bytes_per_actor", round(float64(bytes)/float64(n), 1))
	r.Set("spawn_ns_per_actor", round(float64(spawn.Nanoseconds())/float64(n), 1))
	r.Set("stop_ns_per_actor", round(float64(stop.Nanoseconds())/float64(n), 1))
	r.Set("goroutines_per_actor", round(float64(goroutines)/float64(n), 3))
	return r
}

func s1Tower(_ context.Context, s Spec, workers int) (Result, error) {
	sup, err := supervisor.New(supervisor.Config{Name: "s1"})
	if err != nil {
		return Result{}, err
	}
	defer sup.Stop(context.Background())
	echoSvc := newEchoService()
	factory := func(context.Context) (service.Service[uint64, uint64], error) { return echoSvc, nil }
	ctx := context.Background()
	runtime.GC()
	g0 := runtime.NumGoroutine()
	mem0, mal0 := s1Mem()
	t0 := time.Now()
	for i := range s.Calls {
		if _, err := supervisor.Add(ctx, sup, supervisor.Spec[uint64, uint64]{
			Name: fmt.Sprint(i), Factory: factory, Workers: workers,
		}); err != nil {
			return Result{}, err
		}
	}
	spawn := time.Since(t0)
	mem1, mal1 := s1Mem()
	g1 := runtime.NumGoroutine()
	t1 := time.Now()
	if err := sup.Stop(ctx); err != nil {
		return Result{}, err
	}
	stop := time.Since(t1)
	r := s1Result(s.Calls, spawn, stop, mem1-min(mem0, mem1), mal1-mal0, g1-g0)
	if workers == 1 {
		r.Note("each child a one-worker actor (WithWorkers(1)); memory is heap + stacks in use with all alive")
	} else {
		r.Note("each child on the actor's default (elastic) pool")
	}
	return r, nil
}

func s1Raw(_ context.Context, s Spec) (Result, error) {
	chans := make([]chan struct{}, s.Calls)
	done := make(chan struct{}, s.Calls)
	runtime.GC()
	g0 := runtime.NumGoroutine()
	mem0, mal0 := s1Mem()
	t0 := time.Now()
	for i := range chans {
		ch := make(chan struct{})
		chans[i] = ch
		go func() { // joined below through done
			<-ch
			done <- struct{}{}
		}()
	}
	spawn := time.Since(t0)
	mem1, mal1 := s1Mem()
	g1 := runtime.NumGoroutine()
	t1 := time.Now()
	for i := len(chans) - 1; i >= 0; i-- {
		close(chans[i])
	}
	for range chans {
		<-done
	}
	stop := time.Since(t1)
	r := s1Result(s.Calls, spawn, stop, mem1-min(mem0, mem1), mal1-mal0, g1-g0)
	r.Note("a goroutine blocked on its own channel; ended by closing it")
	return r, nil
}
