package main

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMeasureOpen(t *testing.T) {
	t.Run("every attempt is made once, on schedule, and joined before the result", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			const attempts = 1000 // 15 full batches of 64 and one of 40
			var (
				mu       sync.Mutex
				seen     = map[uint64]time.Duration{}
				inFlight atomic.Int64
				finished atomic.Int64
			)
			start := time.Now()
			r := measureOpen(openLoop{
				attempts: attempts,
				batch:    64,
				interval: time.Millisecond,
				call: func(_ context.Context, x uint64) error {
					mu.Lock()
					seen[x] = time.Since(start)
					mu.Unlock()
					inFlight.Add(1)
					defer inFlight.Add(-1)
					defer finished.Add(1)
					time.Sleep(time.Millisecond)
					if x%4 == 0 {
						return errShed
					}
					if x%4 == 1 && x < 8 {
						return errWrongAnswer
					}
					return nil
				},
				isShed: func(err error) bool { return err == errShed },
			})
			assert.Equal(t, int64(0), inFlight.Load(), "no call is still running")
			assert.Equal(t, int64(attempts), finished.Load())
			require.Len(t, seen, attempts, "distinct requests, one call each")
			for x, at := range seen {
				// Fake time: batch k starts exactly at k ms.
				assert.Equal(t, time.Duration(x/64)*time.Millisecond, at, "request %d", x)
			}
			assert.Equal(t, int64(attempts), r.Calls)
			assert.Equal(t, int64(attempts-250-2), r.OK)
			assert.Equal(t, int64(252), r.Errors)
			get := func(k string) any { v, ok := r.Get(k); require.True(t, ok, k); return v }
			assert.Equal(t, int64(250), get("shed"))
			assert.Equal(t, int64(2), get("failed"))
			assert.Equal(t, 0.25, get("shed_share"))
			assert.Equal(t, 0, get("late_batches"))
			// 16 batches 1 ms apart, the last one ending 1 ms after it started.
			assert.Equal(t, 0.016, r.Secs)
			assert.Equal(t, round(float64(attempts-252)/0.016, 1), get("goodput_rps"))
			assert.Equal(t, round(attempts/0.016, 1), get("offered_rps"))
			require.NotNil(t, r.P99us)
			assert.InDelta(t, 1000.0, *r.P99us, 1.0, "ok calls took 1 ms each (to the histogram's 3 digits)")
			assert.Greater(t, get("peak_heap_bytes"), uint64(0))
			assert.Greater(t, get("peak_goroutines"), uint64(64), "a batch runs at once")
		})
	})
	t.Run("a partial batch and a single attempt", func(t *testing.T) {
		for _, n := range []int{1, 63, 65} {
			var calls atomic.Int64
			r := measureOpen(openLoop{
				attempts: n, batch: 64, interval: time.Millisecond,
				call:   func(context.Context, uint64) error { calls.Add(1); return nil },
				isShed: func(error) bool { return false },
			})
			assert.Equal(t, int64(n), calls.Load())
			assert.Equal(t, int64(n), r.OK)
		}
	})
}

func TestHeapSamplerIsJoined(t *testing.T) {
	h := startHeapSampler(time.Microsecond)
	keep := make([]byte, 1<<20)
	peak, goroutines := h.stop()
	assert.Greater(t, peak, uint64(len(keep)), "the last sample sees the live megabyte")
	assert.GreaterOrEqual(t, goroutines, uint64(2))
	_ = keep[len(keep)-1]
	// goleak (TestMain) checks that the sampler goroutine has ended.
}
