package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/limit"
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
			{Name: "tower-queue", Run: w7Queue},
			{Name: "tower-priority", Run: w7Priority},
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

// The queue of tower-queue and tower-priority: a buffer of w7Limit workers (so
// that calls wait in its mailbox, where their delay is measured, and not in the
// limit's queue) whose mailbox sheds by queue delay, in front of limit(32). Target
// about the service time, interval five of them; the capacity holds more than an
// interval of the excess arrivals (64 - 32 per ms), and a full mailbox fails fast.
const (
	w7Capacity = 1024
	w7Target   = ioTime
	w7Window   = 5 * ioTime
)

// w7QueueStack builds tower-queue's stack.
func w7QueueStack() (*tower.Stack[uint64, uint64], error) {
	opts := []actor.Option{
		actor.WithWorkers(w7Limit),
		actor.WithQueueDelay(w7Target, w7Window),
		actor.WithOverflow(mailbox.FailFast),
	}
	return tower.For[uint64, uint64]().
		Buffer(w7Capacity, opts...).
		ConcurrencyLimit(w7Limit).
		Service(service.Func[uint64, uint64](sleepEcho))
}

// w7Queue: a short, managed queue instead of refusing at once: calls wait in the
// buffer's mailbox while workers are busy, newest first once the queue stands
// above 1 ms, and those that waited longer than 1 ms are shed once it has stood
// above that for 5 ms.
func w7Queue(_ context.Context, s Spec) (Result, error) {
	st, err := w7QueueStack()
	if err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = st
	var kinds shedKinds
	r := w7Run(s, func(ctx context.Context, x uint64) error {
		res, err := svc.Call(ctx, x)
		kinds.count(err)
		return checkEcho(x, res, err)
	}, isOverloaded)
	kinds.set(&r)
	r.Note(fmt.Sprintf("buffer(%d, 32 workers, queue delay target %v interval %v, fail fast when full), limit(32)", w7Capacity, w7Target, w7Window))
	return r, stopStack(st)
}

// tower-priority's knobs: low-priority calls must leave w7Reserve of the 32
// permits free, and a high-priority call waits for a permit at most w7HighWait.
var (
	w7Reserve  = 8
	w7HighWait = 2 * ioTime
)

// w7Priority: tower's stack with priorities: load_shed sheds only low-priority
// calls (loadshed.WithPriority) and lets high ones wait in limit(32)'s queue,
// which serves them first (limit.WithPriority) and keeps w7Reserve permits for
// them (limit.WithReserve: a low call is shed with limit.ErrReserved when taking a
// permit would leave fewer free). Even attempts are high priority, with a
// deadline of w7HighWait; odd ones low. A high call whose deadline passes in the
// queue counts as shed. The row is built on this stack, not on tower-queue's
// buffer: the buffer's queue-delay shedding drops the overstayed calls of any
// priority, and with 1.1-1.2 ms sleeps the high half alone overfills 32 slots, so
// its queue stands above target and it sheds high calls too (shed_share_high was
// about 0.65 there).
func w7Priority(_ context.Context, s Spec) (Result, error) {
	st, err := tower.For[uint64, uint64]().
		LoadShed(loadshed.WithPriority(service.PriorityHigh)).
		ConcurrencyLimit(w7Limit, limit.WithPriority(), limit.WithReserve(service.PriorityHigh, w7Reserve)).
		Service(service.Func[uint64, uint64](sleepEcho))
	if err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = st
	high := service.WithPriority(context.Background(), service.PriorityHigh)
	low := service.WithPriority(context.Background(), service.PriorityLow)
	var shedReserved, timedOut atomic.Int64
	var shedHigh, shedLow, okHigh atomic.Int64
	isShed := func(err error) bool { return isOverloaded(err) || errors.Is(err, context.DeadlineExceeded) }
	r := w7Run(s, func(_ context.Context, x uint64) error {
		ctx, isHigh := low, x%2 == 0
		cancel := context.CancelFunc(func() {})
		if isHigh {
			ctx, cancel = context.WithTimeout(high, w7HighWait)
		}
		res, err := svc.Call(ctx, x)
		cancel()
		switch {
		case errors.Is(err, limit.ErrReserved):
			shedReserved.Add(1)
		case errors.Is(err, context.DeadlineExceeded):
			timedOut.Add(1)
		}
		err = checkEcho(x, res, err)
		switch {
		case err == nil && isHigh:
			okHigh.Add(1)
		case err != nil && isShed(err) && isHigh:
			shedHigh.Add(1)
		case err != nil && isShed(err):
			shedLow.Add(1)
		}
		return err
	}, isShed)
	r.Set("reserve", w7Reserve)
	r.Set("shed_reserved", shedReserved.Load())
	r.Set("high_timed_out", timedOut.Load())
	nHigh := float64((s.Calls + 1) / 2)
	nLow := float64(s.Calls / 2)
	r.Set("shed_share_high", round(float64(shedHigh.Load())/nHigh, 4))
	r.Set("shed_share_low", round(float64(shedLow.Load())/max(nLow, 1), 4))
	// What the bar can ask of high priority: its offered rate over what the 32
	// slots can serve at the measured sleep, so the share of high calls that no
	// scheduling could serve.
	a, _ := r.Get("achievable_rps")
	offered, _ := r.Get("offered_rps")
	highOffered := offered.(float64) * nHigh / float64(s.Calls)
	r.Set("high_offered_rps", round(highOffered, 0))
	r.Set("shed_share_high_forced", round(max(0, 1-a.(float64)/highOffered), 4))
	// The same with what the stack served in this run instead of what the idle
	// sleep promises: the high share no scheduling could have served had every ok
	// call been a high one.
	g, _ := r.Get("goodput_rps")
	r.Set("shed_share_high_floor", round(max(0, 1-g.(float64)/highOffered), 4))
	r.Set("ok_high", okHigh.Load())
	r.Note(fmt.Sprintf("load_shed(sheds low only), limit(32, priority queue, %d permits reserved for high); even attempts high priority with a %v deadline (timed out = shed), odd low; shed_share_high/low = shed over that class's attempts", w7Reserve, w7HighWait))
	return r, st.Stop(context.Background())
}

// isOverloaded is what tower-queue and tower-priority count as shed: any refusal
// for overload (queue delay, priority, a full mailbox).
func isOverloaded(err error) bool { return errors.Is(err, service.ErrOverloaded) }

func stopStack(st *tower.Stack[uint64, uint64]) error {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	return st.Stop(ctx)
}

// shedKinds counts the refusals of the managed queue by kind.
type shedKinds struct{ delay, priority, full atomic.Int64 }

func (k *shedKinds) count(err error) {
	switch {
	case err == nil:
	case errors.Is(err, actor.ErrQueueDelay):
		k.delay.Add(1)
	case errors.Is(err, actor.ErrPriority):
		k.priority.Add(1)
	case errors.Is(err, actor.ErrFull):
		k.full.Add(1)
	}
}

// set adds shed_delay (shed for queue delay), shed_priority (for a higher
// priority) and shed_full (refused by a full mailbox).
func (k *shedKinds) set(r *Result) {
	r.Set("shed_delay", k.delay.Load())
	r.Set("shed_priority", k.priority.Load())
	r.Set("shed_full", k.full.Load())
}
