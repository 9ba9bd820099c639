package main

import (
	"context"
	"errors"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// The open-loop harness of W7: callers arrive on a schedule, whatever the service
// does, and each makes one call.

// openLoop describes an open-loop run: attempts calls, made by batch new goroutines
// (one call each) every interval.
type openLoop struct {
	attempts int
	batch    int
	interval time.Duration
	// call makes one call; isShed says whether an error is the stack refusing the
	// call at once (counted as shed) rather than a failure.
	call   func(ctx context.Context, x uint64) error
	isShed func(err error) bool
}

// errShed is what the raw floor of W7 answers when its semaphore is full.
var errShed = errors.New("bench: shed")

// heapSampleEvery is how often the open-loop harness samples the heap.
const heapSampleEvery = 500 * time.Microsecond

// measureOpen runs an open loop and measures it. The spawner does not drift: at each
// tick it launches every batch due by the time elapsed since the start (batch k is
// due at k intervals), so a late tick is caught up and exactly o.attempts calls are
// made over about ceil(attempts/batch) intervals. Every goroutine is joined before
// the result is made.
//
// calls is the number of attempts, ok the calls that succeeded, errors the rest;
// extra fields: shed (the errors isShed accepted), failed (the other errors),
// goodput_rps (ok per second of wall time), shed_share (shed over attempts),
// offered_rps (attempts per second of the spawn schedule), late_batches (batches
// launched more than one interval after they were due), peak_heap_bytes (the
// highest heap in use, live and garbage, sampled every 500µs through
// runtime/metrics while the loop runs), heap_base_bytes (the heap in use at the
// start, after a collection), peak_goroutines, allocs_per_call.
// p50_us and p99_us are of the calls that succeeded.
func measureOpen(o openLoop) Result {
	ctx := context.Background()
	batches := (o.attempts + o.batch - 1) / o.batch

	var (
		mu      sync.Mutex
		hist    = newHist() // ok calls only; size fixed, whatever the attempts
		ok      atomic.Int64
		shed    atomic.Int64
		failed  atomic.Int64
		callers sync.WaitGroup
	)
	one := func(x uint64) {
		t0 := time.Now()
		err := o.call(ctx, x)
		d := time.Since(t0)
		switch {
		case err == nil:
			ok.Add(1)
			mu.Lock()
			record(hist, d)
			mu.Unlock()
		case o.isShed(err):
			shed.Add(1)
		default:
			failed.Add(1)
		}
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	heapBase := readHeap()
	sampler := startHeapSampler(heapSampleEvery)

	start := time.Now()
	tick := time.NewTicker(o.interval)
	launched, late := 0, 0
	for launched < batches {
		due := min(int(time.Since(start)/o.interval)+1, batches)
		if due-launched > 1 {
			late += due - launched - 1
		}
		for ; launched < due; launched++ {
			first := launched * o.batch
			last := min(first+o.batch, o.attempts)
			for i := first; i < last; i++ {
				callers.Go(func() { one(uint64(i)) })
			}
		}
		if launched < batches {
			<-tick.C
		}
	}
	tick.Stop()
	spawned := time.Since(start)
	callers.Wait()
	elapsed := time.Since(start)
	peakHeap, peakG := sampler.stop()
	runtime.ReadMemStats(&after)

	r := rates(int64(o.attempts), ok.Load(), elapsed)
	r.Set("allocs_per_call", round(float64(after.Mallocs-before.Mallocs)/float64(o.attempts), 3))
	r.Set("shed", shed.Load())
	r.Set("failed", failed.Load())
	r.Set("goodput_rps", round(float64(ok.Load())/elapsed.Seconds(), 1))
	r.Set("shed_share", round(float64(shed.Load())/float64(o.attempts), 4))
	// The schedule spans batches-1 intervals between first and last launch; count
	// the last batch's interval too, so that the figure is attempts per interval.
	r.Set("offered_rps", round(float64(o.attempts)/(spawned+o.interval).Seconds(), 1))
	r.Set("late_batches", late)
	r.Set("peak_heap_bytes", peakHeap)
	r.Set("heap_base_bytes", heapBase)
	r.Set("peak_goroutines", peakG)
	withLatency(&r, hist)
	return r
}

// heapMetrics are the runtime/metrics samples the heap sampler reads.
var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/sched/goroutines:goroutines"}

func readHeap() uint64 {
	s := []metrics.Sample{{Name: heapMetrics[0]}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapSampler records the peak of the heap in use and of the goroutine count from a
// goroutine of its own, until stop, which joins it.
type heapSampler struct {
	done    chan struct{}
	stopped chan struct{}
	peakH   uint64
	peakG   uint64
}

func startHeapSampler(every time.Duration) *heapSampler {
	h := &heapSampler{done: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(h.stopped)
		s := make([]metrics.Sample, len(heapMetrics))
		for i, name := range heapMetrics {
			s[i].Name = name
		}
		sample := func() {
			metrics.Read(s)
			h.peakH = max(h.peakH, s[0].Value.Uint64())
			h.peakG = max(h.peakG, s[1].Value.Uint64())
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			sample()
			select {
			case <-h.done:
				sample()
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// stop ends the sampler, waits for it, and returns the peaks it saw.
func (h *heapSampler) stop() (peakHeap, peakGoroutines uint64) {
	close(h.done)
	<-h.stopped
	return h.peakH, h.peakG
}
