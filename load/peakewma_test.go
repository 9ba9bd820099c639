package load_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

// retryAfterErr is an error that carries a Retry-After hint, as an HTTP 503
// might.
type retryAfterErr struct{ d time.Duration }

func (e retryAfterErr) Error() string             { return "retry later" }
func (e retryAfterErr) RetryAfter() time.Duration { return e.d }

const decay = 10 * time.Second

func newEWMA(t *testing.T, inner service.Service[time.Duration, int], opts ...load.Option) *load.PeakEWMA[time.Duration, int] {
	t.Helper()
	p, err := load.NewPeakEWMA(inner, append([]load.Option{load.WithDecay(decay)}, opts...)...)
	require.NoError(t, err)
	return p
}

func TestPeakEWMA(t *testing.T) {
	t.Run("an unmeasured endpoint reads the default RTT", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newEWMA(t, sleeper, load.WithDefaultRTT(50*time.Millisecond))
			assert.Equal(t, 50*time.Millisecond, p.RTT())
			assert.Equal(t, float64(50*time.Millisecond), p.Load())
			d := newEWMA(t, sleeper)
			assert.Equal(t, load.DefaultRTT, d.RTT())
		})
	})
	t.Run("a sample above the estimate replaces it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newEWMA(t, sleeper)
			_, err := p.Call(t.Context(), 100*time.Millisecond)
			require.NoError(t, err)
			assert.Equal(t, 100*time.Millisecond, p.RTT())
		})
	})
	t.Run("a sample below the estimate moves it with weight 1-exp(-elapsed/decay)", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newEWMA(t, sleeper)
			_, _ = p.Call(t.Context(), 100*time.Millisecond) // estimate 100ms at t=100ms
			time.Sleep(time.Second)
			_, _ = p.Call(t.Context(), 10*time.Millisecond) // sample 10ms at t=1.11s
			w := math.Exp(-float64(1010*time.Millisecond) / float64(decay))
			want := float64(100*time.Millisecond)*w + float64(10*time.Millisecond)*(1-w)
			assert.InDelta(t, want, float64(p.RTT()), 1)
		})
	})
	t.Run("reading the load never changes it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			read, unread := newEWMA(t, sleeper), newEWMA(t, sleeper)
			var wg sync.WaitGroup // both measured over the same 200ms
			wg.Go(func() { _, _ = read.Call(t.Context(), 200*time.Millisecond) })
			wg.Go(func() { _, _ = unread.Call(t.Context(), 200*time.Millisecond) })
			wg.Wait()
			first := read.Load()
			for range 1000 {
				require.Equal(t, first, read.Load(), "reads at one instant agree")
			}
			for range 20 {
				time.Sleep(500 * time.Millisecond)
				_ = read.Load()
			}
			assert.Equal(t, unread.Load(), read.Load(), "an endpoint read 1020 times and one never read look alike")
			// The estimate decays on read toward zero: after one decay time, e^-1.
			assert.InDelta(t, float64(200*time.Millisecond)/math.E, float64(read.RTT()), 1)
			// And the next sample starts from that decayed value.
			_, _ = read.Call(t.Context(), 0)
			assert.InDelta(t, float64(200*time.Millisecond)/math.E, float64(read.RTT()), 1)
		})
	})
	t.Run("the load is the estimate times calls in flight plus one", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[time.Duration, int]()
			defer h.Close()
			p := newEWMA(t, mock, load.WithDefaultRTT(time.Millisecond))
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() { _, _ = p.Call(t.Context(), 0) })
			}
			synctest.Wait()
			assert.Equal(t, 3, p.Pending())
			assert.Equal(t, float64(4*time.Millisecond), p.Load())
			for range 3 {
				r, err := h.Next(t.Context())
				require.NoError(t, err)
				r.Respond(1)
			}
			wg.Wait()
			assert.Equal(t, 0, p.Pending())
		})
	})
	t.Run("a fast failure counts as slow: the penalty", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for _, err := range []error{service.ErrOverloaded, service.ErrUnavailable, errors.New("connection refused")} {
				p := newEWMA(t, failing(err), load.WithPenalty(2*time.Second))
				_, got := p.Call(t.Context(), 0)
				require.ErrorIs(t, got, err)
				assert.Equal(t, 2*time.Second, p.RTT(), "%v", err)
			}
			healthy := newEWMA(t, sleeper)
			_, _ = healthy.Call(t.Context(), 5*time.Millisecond)
			fast := newEWMA(t, failing(service.ErrOverloaded))
			_, _ = fast.Call(t.Context(), 0)
			assert.Greater(t, fast.Load(), healthy.Load(), "an endpoint that fails fast does not attract traffic")
		})
	})
	t.Run("a failure's Retry-After hint counts, capped", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newEWMA(t, failing(retryAfterErr{5 * time.Second}))
			_, _ = p.Call(t.Context(), 0)
			assert.Equal(t, 5*time.Second, p.RTT())
			p = newEWMA(t, failing(retryAfterErr{time.Hour}))
			_, _ = p.Call(t.Context(), 0)
			assert.Equal(t, load.MaxRetryAfter, p.RTT())
			p = newEWMA(t, failing(retryAfterErr{-time.Hour}))
			_, _ = p.Call(t.Context(), 0)
			assert.Equal(t, load.DefaultPenalty, p.RTT(), "a negative hint is no hint")
		})
	})
	t.Run("a refused TryCall is a fast overload answer", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[time.Duration, int]()
			defer h.Close()
			h.Allow(0)
			p := newEWMA(t, mock)
			_, err := p.TryCall(t.Context(), 0)
			require.ErrorIs(t, err, service.ErrOverloaded)
			assert.Equal(t, load.DefaultPenalty, p.RTT())
			assert.Equal(t, 0, p.Pending())
		})
	})
	t.Run("a cancelled call takes no sample", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := newEWMA(t, sleeper)
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(500*time.Millisecond, cancel)
			_, err := p.Call(ctx, time.Hour)
			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 0, p.Pending())
			w := math.Exp(-float64(500*time.Millisecond) / float64(decay))
			assert.InDelta(t, float64(load.DefaultRTT)*w, float64(p.RTT()), 1, "only the decay moved it")
		})
	})
	t.Run("a classifier sees the response (an HTTP 503 with Retry-After)", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			status := service.Func[time.Duration, int](func(context.Context, time.Duration) (int, error) { return 503, nil })
			p := newEWMA(t, status, load.WithClassifier(func(code int, err error) (load.Outcome, time.Duration) {
				if code == 503 {
					return load.Failure, 3 * time.Second
				}
				return load.ClassifyError(err)
			}))
			code, err := p.Call(t.Context(), 0)
			require.NoError(t, err)
			assert.Equal(t, 503, code)
			assert.Equal(t, 3*time.Second, p.RTT())
		})
	})
	t.Run("with completion, the RTT runs until the call is completed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var handle *load.Completion
			p := newEWMA(t, sleeper, load.WithCompletion(func(res int, c *load.Completion) int {
				handle = c
				return res
			}))
			_, err := p.Call(t.Context(), 10*time.Millisecond)
			require.NoError(t, err)
			assert.Equal(t, 1, p.Pending(), "the body is still streaming")
			time.Sleep(290 * time.Millisecond)
			handle.Complete()
			assert.Equal(t, 0, p.Pending())
			assert.Equal(t, 300*time.Millisecond, p.RTT(), "from the call to its completion")
		})
	})
	t.Run("rejects bad options and a nil inner service", func(t *testing.T) {
		bad := map[string]load.Option{
			"load: decay 0s is not positive":     load.WithDecay(0),
			"load: decay -1s is not positive":    load.WithDecay(-time.Second),
			"load: penalty -1ns is negative":     load.WithPenalty(-1),
			"load: default RTT -1ns is negative": load.WithDefaultRTT(-1),
			"load: classifier is nil":            load.WithClassifier[int](nil),
			"but the service answers int":        load.WithClassifier(func(string, error) (load.Outcome, time.Duration) { return load.Success, 0 }),
			"load: peak-EWMA: option is nil":     nil,
		}
		for want, o := range bad {
			_, err := load.NewPeakEWMA[time.Duration, int](sleeper, o)
			assert.ErrorContains(t, err, want)
		}
		_, err := load.NewPeakEWMA[time.Duration, int](nil)
		assert.ErrorIs(t, err, service.ErrNilService)
		_, err = load.NewPeakEWMA[time.Duration, int](sleeper, load.WithDecay(math.MaxInt64), load.WithPenalty(math.MaxInt64))
		assert.NoError(t, err, "huge durations are valid")
	})
	t.Run("stays consistent under concurrent calls and reads", func(t *testing.T) {
		p, err := load.NewPeakEWMA[int, int](echo, load.WithDecay(time.Millisecond))
		require.NoError(t, err)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for i := range 2000 {
					_, _ = p.Call(context.Background(), i)
				}
			})
			wg.Go(func() {
				for range 2000 {
					l := p.Load()
					if math.IsNaN(l) || l < 0 || math.IsInf(l, 0) {
						t.Errorf("Load = %v", l)
						return
					}
				}
			})
		}
		wg.Wait()
		assert.Equal(t, 0, p.Pending())
	})
	checkForwards(t, func(inner service.Service[int, int]) (service.Service[int, int], error) {
		return service.Built[int, int](load.NewPeakEWMA(inner))
	})
}

func TestPeakEWMALoadAt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newEWMA(t, sleeper)
		_, _ = p.Call(t.Context(), 100*time.Millisecond)
		now := time.Now()
		assert.Equal(t, p.Load(), p.LoadAt(now), "LoadAt(now) is Load")
		assert.InDelta(t, float64(100*time.Millisecond)/math.E, p.LoadAt(now.Add(decay)), 1, "a later instant, decayed")
		assert.Equal(t, float64(100*time.Millisecond), p.LoadAt(now.Add(-time.Hour)), "an earlier instant reads the last sample")
	})
}
