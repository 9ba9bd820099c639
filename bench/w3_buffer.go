package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/buffer"
)

// W3 buffer-par: 64 callers share one buffered service over echo, closed loop.

func init() {
	register(Workload{
		ID:          "W3",
		Name:        "buffer-par",
		Description: "64 callers, 1,000,000 calls total: one shared buffer(1024), concurrency_limit(64), timeout(1s) over echo",
		Callers:     64,
		Calls:       1_000_000,
		Metric:      MetricRPS,
		Impls: []Impl{
			{Name: ImplTower, Run: w3Tower},
			{Name: ImplRaw, Run: w3Raw},
		},
	})
}

// stopTimeout bounds how long a workload waits for a service it started to stop.
const stopTimeout = 10 * time.Second

// w3Tower runs the calls through stage/buffer, called through the service.Service
// interface.
func w3Tower(_ context.Context, s Spec) (Result, error) {
	a, err := buffer.New(newEchoService(), 1024)
	if err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = a
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		return func(ctx context.Context, x uint64) error {
			res, err := svc.Call(ctx, x)
			if err != nil {
				return err
			}
			if res != x+1 {
				return errWrongAnswer
			}
			return nil
		}
	})
	r.Note("buffer alone: concurrency_limit(64) and timeout(1s) come with the middleware issue")
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := a.Stop(ctx); err != nil {
		return r, fmt.Errorf("stopping the buffer: %w", err)
	}
	return r, nil
}

// w3Raw is the raw-Go floor: server goroutines read one request channel (capacity
// 1024, as the buffer's) and answer on a reply channel each caller owns and reuses.
// No ctx, no readiness, no error path beyond echo's. It runs with one server
// goroutine and with GOMAXPROCS of them and reports the faster run, so that the floor
// is the best raw Go does here.
func w3Raw(_ context.Context, s Spec) (Result, error) {
	counts := []int{1}
	if p := runtime.GOMAXPROCS(0); p > 1 {
		counts = append(counts, p)
	}
	var best Result
	var tried string
	for i, workers := range counts {
		r := w3RawWith(s, workers)
		r.Set("workers", workers)
		if tried != "" {
			tried += ", "
		}
		tried += fmt.Sprintf("workers=%d: %.0f rps", workers, r.RPS)
		if s.Progress != nil && len(counts) > 1 {
			s.Progress("  raw with %d server goroutine(s): %.0f rps", workers, r.RPS)
		}
		if i == 0 || r.RPS > best.RPS {
			best = r
		}
	}
	if len(counts) > 1 {
		best.Note("best of " + tried)
	}
	return best, nil
}

type rawReq struct {
	x     uint64
	reply chan rawRes
}

type rawRes struct {
	v   uint64
	err error
}

// w3RawWith runs the raw floor with the given number of server goroutines.
func w3RawWith(s Spec, workers int) Result {
	reqs := make(chan rawReq, 1024)
	done := make(chan struct{})
	for range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			ctx := context.Background()
			for q := range reqs {
				v, err := echo(ctx, q.x)
				q.reply <- rawRes{v, err}
			}
		}()
	}
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		reply := make(chan rawRes, 1)
		return func(_ context.Context, x uint64) error {
			reqs <- rawReq{x, reply}
			res := <-reply
			if res.err != nil {
				return res.err
			}
			if res.v != x+1 {
				return errWrongAnswer
			}
			return nil
		}
	})
	close(reqs)
	for range workers {
		<-done
	}
	return r
}
