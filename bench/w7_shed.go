package main

import (
	"context"
	"errors"
	"time"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/loadshed"
)

// W7 shed-overload: an open loop offers twice what a concurrency limit of 32 over a
// 1 ms service can serve (64 new callers every 1 ms, one call each); load shedding
// must refuse the excess at once. The ideal: goodput 32,000 calls per second, half
// the attempts shed, ok calls taking about 1 ms, and a heap that does not grow with
// the number of attempts.

const (
	w7Limit    = 32
	w7Batch    = 64
	w7Interval = time.Millisecond
)

// w7IdealGoodput is w7Limit calls always in flight, each taking ioTime.
const w7IdealGoodput = float64(w7Limit) * float64(time.Second/ioTime)

func init() {
	register(Workload{
		ID:   "W7",
		Name: "shed-overload",
		Description: "open loop, 64 new callers every 1 ms for 2 s (128,000 attempts, one call each): " +
			"load_shed, concurrency_limit(32) over a service that sleeps 1 ms, then echoes",
		Callers: w7Batch,
		Calls:   128_000,
		Metric:  MetricGoodput,
		Impls: []Impl{
			{Name: ImplTower, Run: w7Tower},
			{Name: ImplRaw, Run: w7Raw},
		},
	})
}

// w7Run runs the open loop of W7 over call and adds the ideal figures.
func w7Run(s Spec, call func(context.Context, uint64) error, isShed func(error) bool) Result {
	if s.Progress != nil && s.Calls >= 10*w7Batch {
		s.Progress("  open loop: %d attempts, %d every %v, over about %v",
			s.Calls, w7Batch, w7Interval, time.Duration((s.Calls+w7Batch-1)/w7Batch)*w7Interval)
	}
	r := measureOpen(openLoop{
		attempts: s.Calls,
		batch:    w7Batch,
		interval: w7Interval,
		call:     call,
		isShed:   isShed,
	})
	r.Set("ideal_goodput_rps", w7IdealGoodput)
	r.Set("ideal_shed_share", 0.5)
	g, _ := r.Get("goodput_rps")
	share, _ := r.Get("shed_share")
	heap, _ := r.Get("peak_heap_bytes")
	r.Set("ratio_vs_ideal", round(g.(float64)/w7IdealGoodput, 3))
	withAchievable(&r, w7Limit, g.(float64))
	// Charts for the report: the throughput chart of every workload shows attempts
	// per second here, the offered load; these show what the stack made of it.
	r.Series = append(r.Series,
		Series{Title: "goodput (ok calls per second; ideal 32,000)", Unit: "calls/s", Labels: []string{"goodput"}, Values: []float64{g.(float64)}},
		Series{Title: "share of attempts shed (ideal 0.5)", Labels: []string{"shed"}, Values: []float64{share.(float64)}},
		Series{Title: "peak heap in use during the run", Unit: "MiB", Labels: []string{"peak heap"}, Values: []float64{float64(heap.(uint64)) / (1 << 20)}},
	)
	return r
}

// w7Tower: stage/loadshed over stage/limit, built by the pipeline builder; the
// shedder takes a permit with the limit's TryCall, so a call is shed exactly when 32
// are in flight.
func w7Tower(_ context.Context, s Spec) (Result, error) {
	st, err := tower.For[uint64, uint64]().
		LoadShed().
		ConcurrencyLimit(w7Limit).
		Service(service.Func[uint64, uint64](sleepEcho))
	if err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = st
	r := w7Run(s, func(ctx context.Context, x uint64) error {
		res, err := svc.Call(ctx, x)
		return checkEcho(x, res, err)
	}, func(err error) bool { return errors.Is(err, loadshed.ErrShed) })
	return r, st.Stop(context.Background())
}

// w7Raw is the floor: every caller is already a goroutine of its own; it takes one of
// 32 semaphore slots with a non-blocking select, or is shed at once when all are
// taken, runs the service and gives the slot back.
func w7Raw(_ context.Context, s Spec) (Result, error) {
	sem := make(chan struct{}, w7Limit)
	r := w7Run(s, func(ctx context.Context, x uint64) error {
		select {
		case sem <- struct{}{}:
		default:
			return errShed
		}
		res, err := sleepEcho(ctx, x)
		<-sem
		return checkEcho(x, res, err)
	}, func(err error) bool { return errors.Is(err, errShed) })
	r.Note("a goroutine per caller; a 32-slot channel semaphore taken with a non-blocking select, shed when full")
	return r, nil
}
