package hedge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuckets(t *testing.T) {
	t.Run("every value falls in a bucket whose bounds hold it, at most 1/16 wide", func(t *testing.T) {
		for _, v := range sampleValues() {
			i := bucketOf(v)
			require.GreaterOrEqual(t, bucketHigh(i), v, "value %d, bucket %d", v, i)
			if i > 0 {
				low := bucketHigh(i-1) + 1
				require.LessOrEqual(t, low, v, "value %d, bucket %d", v, i)
				require.LessOrEqual(t, bucketHigh(i)-low, max(low/subCount, 0), "value %d, bucket %d", v, i)
			}
		}
	})
	t.Run("buckets are contiguous", func(t *testing.T) {
		for i := 1; i < nBuckets; i++ {
			require.Equal(t, i, bucketOf(bucketHigh(i-1)+1), "bucket %d", i)
			require.Equal(t, i, bucketOf(bucketHigh(i)), "bucket %d", i)
		}
	})
	t.Run("values beyond the range share the last bucket", func(t *testing.T) {
		assert.Equal(t, nBuckets-1, bucketOf(1<<62))
		assert.Equal(t, nBuckets-1, bucketOf(int64(^uint64(0)>>1)))
		assert.Equal(t, 0, bucketOf(-5), "a negative latency (clock step) counts as zero")
	})
}

func sampleValues() []int64 {
	var vs []int64
	for v := int64(0); v < 5000; v++ {
		vs = append(vs, v)
	}
	for v := int64(5000); v < 1<<(maxExp+1); v = v*17/16 + 3 {
		vs = append(vs, v, v+1, v-1)
	}
	return vs
}

func TestQuantile(t *testing.T) {
	var w window
	assert.Zero(t, w.quantile(0.5, 1), "an empty window has no quantile")
	for v := int64(1); v <= 100; v++ {
		w[bucketOf(v*int64(time.Millisecond))].Add(1)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.9, 90 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {0.001, time.Millisecond}} {
		got := time.Duration(w.quantile(tc.p, 1))
		assert.GreaterOrEqual(t, got, tc.want, "p%v", tc.p)
		assert.LessOrEqual(t, got, tc.want+tc.want/subCount, "p%v", tc.p)
	}
	assert.Zero(t, w.quantile(0.5, 101), "fewer values than the minimum")
	assert.NotZero(t, w.quantile(0.5, 100))
}

func TestRotation(t *testing.T) {
	var h histogram
	h.init(time.Second, 0.5, 1)
	h.record(int64(10 * time.Millisecond))
	h.tick(int64(999 * time.Millisecond))
	assert.Zero(t, h.delay.Load(), "no rotation before the period ends")
	h.tick(int64(1500 * time.Millisecond))
	d := time.Duration(h.delay.Load())
	assert.GreaterOrEqual(t, d, 10*time.Millisecond)
	assert.LessOrEqual(t, d, 10*time.Millisecond+10*time.Millisecond/subCount)
	h.tick(int64(1999 * time.Millisecond))
	assert.Equal(t, d, time.Duration(h.delay.Load()), "the delay holds for the period")
	h.tick(int64(2000 * time.Millisecond))
	assert.Zero(t, h.delay.Load(), "the period after had no data")
	h.record(int64(20 * time.Millisecond))
	h.tick(int64(5000 * time.Millisecond))
	assert.Zero(t, h.delay.Load(), "data older than two periods is dropped")
	assert.Equal(t, int64(6*time.Second), h.next.Load())
}
