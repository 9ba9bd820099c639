package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
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
		Rounds:      5,
		Impls: []Impl{
			{Name: ImplTower, Run: w3Tower},
			{Name: "tower-buffer", Run: w3BufferAlone},
			{Name: ImplRaw, Run: w3Raw},
		},
	})
}

const (
	w3Capacity = 1024
	w3Limit    = 64
	w3Timeout  = time.Second
)

// stopTimeout bounds how long a workload waits for a service it started to stop.
const stopTimeout = 10 * time.Second

// w3Tower runs the calls through the whole stack, buffer(1024), concurrency_limit(64),
// timeout(1s), built by the pipeline builder and called through the service.Service
// interface.
func w3Tower(_ context.Context, s Spec) (Result, error) {
	return w3Run(s, tower.For[uint64, uint64]().
		Buffer(w3Capacity).
		ConcurrencyLimit(w3Limit).
		Timeout(w3Timeout))
}

// w3BufferAlone is the buffer boundary with no stage behind it: what the actor
// runtime itself costs against the raw floor (the core issue's W3 bar).
func w3BufferAlone(_ context.Context, s Spec) (Result, error) {
	r, err := w3Run(s, tower.For[uint64, uint64]().Buffer(w3Capacity))
	r.Note("buffer(1024) alone, no concurrency_limit or timeout")
	return r, err
}

func w3Run(s Spec, p tower.Pipeline[uint64, uint64]) (Result, error) {
	st, err := p.Service(newEchoService())
	if err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = st
	r := measurePar(s.Callers, s.Calls, echoCaller(svc))
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := st.Stop(ctx); err != nil {
		return r, fmt.Errorf("stopping the pipeline: %w", err)
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
	reqs := make(chan rawReq, w3Capacity)
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
