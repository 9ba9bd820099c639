package main

import (
	"context"
	"fmt"
	"time"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
)

// W4 buffer-io: 256 callers share one buffered service over a service that sleeps
// 1 ms, closed loop. With 256 calls in flight at 1 ms each the ideal is 256,000
// calls per second; ratio_vs_ideal says how close an implementation gets.

const (
	w4Capacity = 1024
	w4Limit    = 256
	// ioTime is the service time of the sleeping echo of W4 and W7.
	ioTime = time.Millisecond
)

// w4IdealRPS is the throughput of w4Limit calls always in flight, each taking ioTime.
const w4IdealRPS = float64(w4Limit) * float64(time.Second/ioTime)

func init() {
	register(Workload{
		ID:          "W4",
		Name:        "buffer-io",
		Description: "256 callers, 256,000 calls total: one shared buffer(1024), concurrency_limit(256) over a service that sleeps 1 ms, then echoes",
		Callers:     256,
		Calls:       256_000,
		Metric:      MetricRPS,
		Rounds:      3,
		Impls: []Impl{
			{Name: ImplTower, Run: w4Tower},
			{Name: ImplRaw, Run: w4Raw},
		},
	})
}

// sleepEcho is the service of W4 and W7: it sleeps ioTime, then answers x+1. It does
// not watch ctx (neither workload has a deadline that could end a call early).
func sleepEcho(_ context.Context, x uint64) (uint64, error) {
	time.Sleep(ioTime)
	return x + 1, nil
}

// checkEcho turns a reply of the echo for x into nil or the error to count.
func checkEcho(x, res uint64, err error) error {
	if err != nil {
		return err
	}
	if res != x+1 {
		return errWrongAnswer
	}
	return nil
}

// echoCaller is the caller every closed-loop workload over an echo service runs:
// one call through svc, its answer checked.
func echoCaller(svc service.Service[uint64, uint64]) func(int) func(context.Context, uint64) error {
	return func(int) func(context.Context, uint64) error {
		return func(ctx context.Context, x uint64) error {
			res, err := svc.Call(ctx, x)
			return checkEcho(x, res, err)
		}
	}
}

// withIdeal sets the ideal throughput of W4 and how close r came to it.
func withIdeal(r *Result) {
	r.Set("ideal_rps", w4IdealRPS)
	r.Set("ratio_vs_ideal", round(r.RPS/w4IdealRPS, 3))
	withAchievable(r, w4Limit, r.RPS)
}

func w4Tower(_ context.Context, s Spec) (Result, error) {
	st, err := tower.For[uint64, uint64]().
		Buffer(w4Capacity).
		ConcurrencyLimit(w4Limit).
		Service(service.Func[uint64, uint64](sleepEcho))
	if err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = st
	r := measurePar(s.Callers, s.Calls, echoCaller(svc))
	withIdeal(&r)
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := st.Stop(ctx); err != nil {
		return r, fmt.Errorf("stopping the pipeline: %w", err)
	}
	return r, nil
}

// w4Raw is the raw-Go floor: a goroutine per request under a semaphore. The caller
// takes one of 256 semaphore slots (waiting while all are taken), starts a goroutine
// that runs the service, gives the slot back and answers on the caller's own reply
// channel, reused from call to call.
func w4Raw(_ context.Context, s Spec) (Result, error) {
	sem := make(chan struct{}, w4Limit)
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		reply := make(chan rawRes, 1)
		return func(ctx context.Context, x uint64) error {
			sem <- struct{}{}
			go func() {
				v, err := sleepEcho(ctx, x)
				<-sem
				reply <- rawRes{v, err}
			}()
			res := <-reply
			return checkEcho(x, res.v, res.err)
		}
	})
	withIdeal(&r)
	r.Note("a goroutine per request under a 256-slot channel semaphore, reply channel per caller")
	return r, nil
}
