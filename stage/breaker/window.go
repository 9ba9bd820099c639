package breaker

import (
	"sync"
	"sync/atomic"
	"time"
)

// numBuckets is how many buckets the failure-rate window is cut into.
const numBuckets = 10

// window counts successes and failures over a rolling time window, in numBuckets
// buckets of width nanoseconds each. A bucket holds the counts of one epoch
// (now/width); it is reset, under mu, when the first outcome of a newer epoch
// lands in it. Adding is lock-free otherwise. Under concurrency an outcome may now
// and then land in the bucket of a neighbouring epoch; the rate is approximate to
// that degree, and exact when outcomes do not race with a bucket's reset.
type window struct {
	width     int64
	rate      float64
	minVolume int64
	mu        sync.Mutex // serialises bucket resets
	buckets   [numBuckets]bucket
}

type bucket struct {
	epoch atomic.Int64
	ok    atomic.Int64
	fail  atomic.Int64
}

func newWindow(rate float64, d time.Duration, minVolume int) *window {
	return &window{width: int64(d) / numBuckets, rate: rate, minVolume: int64(minVolume)}
}

// add counts one outcome at time now (nanoseconds since the breaker started).
func (w *window) add(now int64, failed bool) {
	e := now / w.width
	bk := &w.buckets[e%numBuckets]
	if be := bk.epoch.Load(); be != e {
		if be > e {
			return // this goroutine was descheduled for a whole window: drop it
		}
		w.mu.Lock()
		if bk.epoch.Load() < e {
			bk.ok.Store(0)
			bk.fail.Store(0)
			bk.epoch.Store(e)
		}
		w.mu.Unlock()
	}
	if failed {
		bk.fail.Add(1)
	} else {
		bk.ok.Add(1)
	}
}

// tripped reports whether the window at time now holds at least minVolume
// outcomes of which at least the share rate are failures.
func (w *window) tripped(now int64) bool {
	e := now / w.width
	var ok, fail int64
	for i := range w.buckets {
		bk := &w.buckets[i]
		if be := bk.epoch.Load(); be > e-numBuckets && be <= e {
			ok += bk.ok.Load()
			fail += bk.fail.Load()
		}
	}
	total := ok + fail
	return total >= w.minVolume && float64(fail) >= w.rate*float64(total)
}

// reset forgets every outcome.
func (w *window) reset() {
	w.mu.Lock()
	for i := range w.buckets {
		w.buckets[i].ok.Store(0)
		w.buckets[i].fail.Store(0)
	}
	w.mu.Unlock()
}
