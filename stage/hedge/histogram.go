package hedge

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// Bucket layout: log-linear, as in an HDR histogram. Values below subCount
// nanoseconds have a bucket each; above, every power of two is split into subCount
// buckets, so a bucket's width is at most 1/subCount (6.25%) of its values. Values
// of 2^(maxExp+1) ns (about 73 minutes) and more share the last bucket.
const (
	subBits  = 4
	subCount = 1 << subBits
	maxExp   = 41
	nBuckets = (maxExp - subBits + 2) << subBits
)

// window counts latencies per bucket.
type window [nBuckets]atomic.Uint64

// histogram is a rotating latency histogram: two windows of one period each. Calls
// record into the write window; when a period ends the write window becomes the read
// window, and the hedge delay is computed from it once and cached, so a call reads
// one atomic word instead of scanning buckets. Recording is one atomic add;
// rotation, once per period, takes a mutex that only the rotating goroutine holds
// (the others skip it).
type histogram struct {
	epoch      time.Time // monotonic origin of now
	period     int64     // ns
	percentile float64
	minData    uint64

	delay atomic.Int64  // hedge delay in ns from the last complete window; 0: no hedging
	next  atomic.Int64  // when the write window's period ends, ns since epoch
	gen   atomic.Uint64 // the write window is win[gen&1]
	mu    sync.Mutex    // held while rotating
	win   [2]window
}

func (h *histogram) init(period time.Duration, percentile float64, minData int) {
	h.epoch = time.Now()
	h.period = int64(period)
	h.percentile = percentile
	h.minData = uint64(minData)
	h.next.Store(h.period)
}

// now returns the monotonic time since the histogram was made, in ns.
func (h *histogram) now() int64 { return int64(time.Since(h.epoch)) }

// record adds one latency to the write window.
func (h *histogram) record(ns int64) {
	h.win[h.gen.Load()&1][bucketOf(ns)].Add(1)
}

// tick rotates the windows if the write window's period has ended at now. Like
// Tower's RotatingHistogram, if two periods or more have passed, both windows are
// stale and the stage stops hedging until a full period has been recorded again.
func (h *histogram) tick(now int64) {
	if now < h.next.Load() || !h.mu.TryLock() {
		return
	}
	defer h.mu.Unlock()
	next := h.next.Load()
	if now < next {
		return // another goroutine rotated
	}
	periods := (now-next)/h.period + 1
	w := h.gen.Load() & 1
	h.win[w^1].reset() // the old read window becomes the write window
	h.gen.Add(1)
	d := int64(0)
	if periods == 1 {
		d = h.win[w].quantile(h.percentile, h.minData)
	}
	h.delay.Store(d)
	h.next.Store(next + periods*h.period)
}

func (w *window) reset() {
	for i := range w {
		w[i].Store(0)
	}
}

// quantile returns the latency at quantile p of w, rounded up to its bucket's
// highest value, or 0 if w holds fewer than minData values.
func (w *window) quantile(p float64, minData uint64) int64 {
	var n uint64
	for i := range w {
		n += w[i].Load()
	}
	if n == 0 || n < minData {
		return 0
	}
	rank := uint64(math.Ceil(p * float64(n)))
	rank = max(rank, 1)
	var seen uint64
	for i := range w {
		if seen += w[i].Load(); seen >= rank {
			return max(bucketHigh(i), 1)
		}
	}
	return max(bucketHigh(nBuckets-1), 1) // counts moved while scanning
}

// bucketOf returns the bucket index of a latency of ns nanoseconds.
func bucketOf(ns int64) int {
	if ns < subCount {
		return int(max(ns, 0))
	}
	v := uint64(ns)
	e := bits.Len64(v) - 1
	if e > maxExp {
		return nBuckets - 1
	}
	return (e-subBits+1)<<subBits + int(v>>(e-subBits))&(subCount-1)
}

// bucketHigh returns the highest latency that falls in bucket i.
func bucketHigh(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	e := i>>subBits + subBits - 1
	m := int64(i & (subCount - 1))
	step := int64(1) << (e - subBits)
	return (subCount+m)*step + step - 1
}
