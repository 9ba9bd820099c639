package main

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The helpers in this file are what a workload file is built from: the echo service,
// the sequential and the parallel measuring loops, and the latency histograms.

// echo is the service of the standard workloads: req -> req + 1. It is not inlined, so that the raw
// floor is a real function call, as a call through an interface is.
//
//go:noinline
func echo(_ context.Context, x uint64) (uint64, error) { return x + 1, nil }

// errWrongAnswer is what a call that returned without an error but with a reply
// other than the expected one counts as.
var errWrongAnswer = errors.New("bench: wrong answer")

// sink keeps the sequential loops' results alive, so that the compiler cannot drop
// the calls whose results nothing else reads.
var sink uint64

// measureSeq measures a sequential workload: loop(n) makes n calls one after another
// and returns how many succeeded. ns_per_call is the loop's wall time divided by n
// (no clock read per call); allocs_per_call is runtime.MemStats.Mallocs over the
// loop divided by n. The heap is collected first, so that every implementation
// starts from the same state.
func measureSeq(calls int, loop func(n int) (ok int64)) Result {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	ok := loop(calls)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	r := rates(int64(calls), ok, elapsed)
	r.Set("allocs_per_call", round(float64(after.Mallocs-before.Mallocs)/float64(calls), 3))
	return r
}

// measurePar measures a closed-loop parallel workload: callers goroutines share the
// calls (as evenly as they divide) and each makes its share one after another
// through the call func that newCaller(i) returned for it (before the clock starts;
// a caller may keep state in it, such as its own reply channel). call returns nil for
// a correct reply. Every call is timed into the
// caller's own HDR histogram (no sharing on the hot path); the histograms are merged
// afterwards into p50_us, p99_us and the percentile curve. secs is the wall time
// from the moment all callers are released to the moment the last one finishes.
// allocs_per_call is Mallocs over that span divided by calls.
func measurePar(callers, calls int, newCaller func(i int) func(ctx context.Context, x uint64) error) Result {
	if callers < 1 {
		callers = 1
	}
	ctx := context.Background()
	hists := make([]*hdrhistogram.Histogram, callers)
	oks := make([]int64, callers)
	for i := range hists {
		hists[i] = newHist()
	}
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		n := calls / callers
		if i < calls%callers {
			n++
		}
		ready.Add(1)
		done.Go(func() {
			call := newCaller(i)
			h := hists[i]
			x := uint64(i) << 32 // distinct requests per caller
			var ok int64
			ready.Done()
			<-start
			for range n {
				t0 := time.Now()
				err := call(ctx, x)
				record(h, time.Since(t0))
				if err == nil {
					ok++
				}
				x++
			}
			oks[i] = ok
		})
	}
	ready.Wait()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	close(start)
	done.Wait()
	elapsed := time.Since(t0)
	runtime.ReadMemStats(&after)

	var ok int64
	merged := newHist()
	for i, h := range hists {
		ok += oks[i]
		merged.Merge(h)
	}
	r := rates(int64(calls), ok, elapsed)
	r.Set("allocs_per_call", round(float64(after.Mallocs-before.Mallocs)/float64(calls), 3))
	withLatency(&r, merged)
	return r
}

// rates fills the counts and the rates of a result from a wall time.
func rates(calls, ok int64, elapsed time.Duration) Result {
	secs := elapsed.Seconds()
	r := Result{Calls: calls, OK: ok, Errors: calls - ok, Secs: secs}
	if calls > 0 {
		r.NsPerCall = float64(elapsed.Nanoseconds()) / float64(calls)
	}
	if secs > 0 {
		r.RPS = float64(calls) / secs
	}
	return r
}

// Latency histograms hold nanoseconds from 1 ns to 100 s with 3 significant digits.
const (
	histMin    = 1
	histMax    = int64(100 * time.Second)
	histDigits = 3
)

// newHist returns an empty latency histogram (about 200 KB).
func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(histMin, histMax, histDigits) }

// record adds one latency to h, clamped to the histogram's range.
func record(h *hdrhistogram.Histogram, d time.Duration) {
	v := d.Nanoseconds()
	if v < histMin {
		v = histMin
	} else if v > histMax {
		v = histMax
	}
	_ = h.RecordValue(v) // in range by construction
}

// withLatency sets p50_us, p99_us and the percentile curve of r from h.
func withLatency(r *Result, h *hdrhistogram.Histogram) {
	if h.TotalCount() == 0 {
		return
	}
	r.P50us = ptr(float64(h.ValueAtQuantile(50)) / 1e3)
	r.P99us = ptr(float64(h.ValueAtQuantile(99)) / 1e3)
	r.Set("max_us", round(float64(h.Max())/1e3, 3))
	r.Latency = percentileCurve(h)
}

// percentileCurve samples h at percentiles spaced evenly on the log(1/(1-p)) axis
// the report draws, from 0 up to the highest percentile the sample size supports,
// then the maximum, placed at the percentile of the last of n samples, 100(1-1/n).
func percentileCurve(h *hdrhistogram.Histogram) []LatencyPoint {
	n := float64(h.TotalCount())
	var pts []LatencyPoint
	const perDecade = 20
	for i := 0; ; i++ {
		t := float64(i) / perDecade // t = log10(1/(1-p))
		if math.Pow(10, t) > n || t > 6 {
			break
		}
		p := 100 * (1 - math.Pow(10, -t))
		pts = append(pts, LatencyPoint{Percentile: p, US: float64(h.ValueAtQuantile(p)) / 1e3})
	}
	pts = append(pts, LatencyPoint{Percentile: 100 * (1 - 1/n), US: float64(h.Max()) / 1e3})
	return pts
}
