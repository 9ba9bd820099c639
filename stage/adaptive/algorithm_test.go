package adaptive_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/stage/adaptive"
)

func TestAIMD(t *testing.T) {
	a, err := adaptive.NewAIMD(adaptive.WithLatencyThreshold(100 * time.Millisecond))
	require.NoError(t, err)
	ms := time.Millisecond
	for _, tc := range []struct {
		name string
		in   adaptive.Sample
		want int
	}{
		{"a drop multiplies the limit by the backoff", adaptive.Sample{RTT: ms, InFlight: 100, Limit: 100, Dropped: true}, 90},
		{"a drop lowers a small limit by at least one", adaptive.Sample{RTT: ms, InFlight: 5, Limit: 5, Dropped: true}, 4},
		{"a call above the threshold counts as a drop", adaptive.Sample{RTT: 101 * ms, InFlight: 10, Limit: 10}, 9},
		{"a call at the threshold does not", adaptive.Sample{RTT: 100 * ms, InFlight: 10, Limit: 10}, 11},
		{"a success while busy adds one", adaptive.Sample{RTT: ms, InFlight: 5, Limit: 10}, 11},
		{"a success while mostly idle leaves the limit", adaptive.Sample{RTT: ms, InFlight: 4, Limit: 10}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, a.Update(tc.in)) })
	}
	t.Run("without a threshold latency alone does not lower the limit", func(t *testing.T) {
		a, err := adaptive.NewAIMD(adaptive.WithBackoff(0.5))
		require.NoError(t, err)
		assert.Equal(t, 11, a.Update(adaptive.Sample{RTT: time.Hour, InFlight: 10, Limit: 10}))
		assert.Equal(t, 5, a.Update(adaptive.Sample{RTT: ms, InFlight: 10, Limit: 10, Dropped: true}))
	})
}

// feed runs n samples of the given RTT through g with the limiter saturated, and
// returns the limits it produced.
func feed(g adaptive.Algorithm, limit, n int, rtt time.Duration) []int {
	out := make([]int, n)
	for i := range out {
		limit = g.Update(adaptive.Sample{RTT: rtt, InFlight: limit, Limit: limit})
		out[i] = limit
	}
	return out
}

func TestGradient(t *testing.T) {
	t.Run("steady latency lets the limit grow", func(t *testing.T) {
		g, err := adaptive.NewGradient()
		require.NoError(t, err)
		limits := feed(g, 10, 100, 10*time.Millisecond)
		for i := 1; i < len(limits); i++ {
			require.GreaterOrEqual(t, limits[i], limits[i-1])
		}
		// +queueSize*smoothing = +0.8 per sample.
		assert.Equal(t, 10+80, limits[len(limits)-1])
	})
	t.Run("rising latency makes the limit fall", func(t *testing.T) {
		g, err := adaptive.NewGradient()
		require.NoError(t, err)
		limit := feed(g, 100, 50, 10*time.Millisecond)[49]
		limits := feed(g, limit, 20, 50*time.Millisecond)
		prev := limit
		for _, l := range limits {
			require.Less(t, l, prev)
			prev = l
		}
		assert.Less(t, prev, limit/2)
	})
	t.Run("latency within the tolerance does not lower the limit", func(t *testing.T) {
		g, err := adaptive.NewGradient(adaptive.WithTolerance(2))
		require.NoError(t, err)
		limit := feed(g, 100, 50, 10*time.Millisecond)[49]
		assert.GreaterOrEqual(t, feed(g, limit, 1, 19*time.Millisecond)[0], limit)
	})
	t.Run("a drop pulls the limit toward half", func(t *testing.T) {
		g, err := adaptive.NewGradient(adaptive.WithSmoothing(1))
		require.NoError(t, err)
		assert.Equal(t, 50, g.Update(adaptive.Sample{RTT: time.Millisecond, InFlight: 100, Limit: 100, Dropped: true}))
	})
	t.Run("a mostly idle limiter does not move the limit", func(t *testing.T) {
		g, err := adaptive.NewGradient()
		require.NoError(t, err)
		for range 20 {
			require.Equal(t, 100, g.Update(adaptive.Sample{RTT: time.Second, InFlight: 49, Limit: 100}))
		}
	})
	t.Run("a clamped limit restarts the estimate", func(t *testing.T) {
		g, err := adaptive.NewGradient(adaptive.WithSmoothing(1), adaptive.WithQueueSize(10))
		require.NoError(t, err)
		require.Equal(t, 60, g.Update(adaptive.Sample{RTT: time.Millisecond, InFlight: 50, Limit: 50}))
		// The limiter clamped 60 to 55: the next step starts from 55, not 60.
		require.Equal(t, 65, g.Update(adaptive.Sample{RTT: time.Millisecond, InFlight: 55, Limit: 55}))
	})
}

func TestAlgorithmOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"a backoff of one", errOf(adaptive.NewAIMD(adaptive.WithBackoff(1))), "adaptive: AIMD backoff must be in (0, 1), got 1"},
		{"a zero threshold", errOf(adaptive.NewAIMD(adaptive.WithLatencyThreshold(0))), "adaptive: AIMD latency threshold must be positive, got 0s"},
		{"a nil AIMD option", errOf(adaptive.NewAIMD(nil)), "adaptive: nil AIMD option"},
		{"a tolerance below one", errOf(adaptive.NewGradient(adaptive.WithTolerance(0.9))), "adaptive: gradient tolerance must be at least 1, got 0.9"},
		{"a zero smoothing", errOf(adaptive.NewGradient(adaptive.WithSmoothing(0))), "adaptive: gradient smoothing must be in (0, 1], got 0"},
		{"a negative queue", errOf(adaptive.NewGradient(adaptive.WithQueueSize(-1))), "adaptive: gradient queue size must not be negative, got -1"},
		{"a zero long window", errOf(adaptive.NewGradient(adaptive.WithLongWindow(0))), "adaptive: gradient long window must be at least 1, got 0"},
		{"a nil gradient option", errOf(adaptive.NewGradient(nil)), "adaptive: nil gradient option"},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) { require.EqualError(t, tc.err, tc.want) })
	}
}

func errOf[T any](_ T, err error) error { return err }
