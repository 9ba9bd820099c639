package adaptive_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/adaptive"
)

var errBoom = errors.New("boom")

// scriptAlg is an Algorithm whose next limit a function decides; it records samples.
type scriptAlg struct {
	mu      sync.Mutex
	samples []adaptive.Sample
	next    func(adaptive.Sample) int
}

func (a *scriptAlg) Update(s adaptive.Sample) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.samples = append(a.samples, s)
	if a.next == nil {
		return s.Limit
	}
	return a.next(s)
}

func (a *scriptAlg) recorded() []adaptive.Sample {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]adaptive.Sample(nil), a.samples...)
}

func (a *scriptAlg) setNext(f func(adaptive.Sample) int) {
	a.mu.Lock()
	a.next = f
	a.mu.Unlock()
}

func (a *scriptAlg) option() adaptive.Option {
	return adaptive.WithAlgorithm(func() adaptive.Algorithm { return a })
}

// limits records the limits a limiter's events report.
type limits struct {
	mu   sync.Mutex
	seen []int
	shed int
}

func (r *limits) option() adaptive.Option {
	return adaptive.WithEvents(func(e service.Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		switch e.Kind {
		case service.EventLimitChanged:
			r.seen = append(r.seen, e.Limit)
		case service.EventShed:
			r.shed++
		}
	})
}

func (r *limits) all() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.seen...)
}

func mustNew(t *testing.T, inner service.Service[int, int], opts ...adaptive.Option) *adaptive.Limiter[int, int] {
	t.Helper()
	l, err := adaptive.New(inner, opts...)
	require.NoError(t, err)
	return l
}

// sleeper is an inner service whose latency the test sets.
type sleeper struct{ rtt atomic.Int64 }

func (s *sleeper) Call(ctx context.Context, x int) (int, error) {
	select {
	case <-time.After(time.Duration(s.rtt.Load())):
		return x, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// load runs callers goroutines that call l in a loop until ctx ends, and returns
// a function that waits for them.
func load(ctx context.Context, l *adaptive.Limiter[int, int], callers int) func() {
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, _ = l.Call(ctx, 1)
			}
		})
	}
	return wg.Wait
}

func TestAdaptation(t *testing.T) {
	for _, alg := range []struct {
		name string
		opt  adaptive.Option
	}{
		{"gradient", adaptive.WithGradient()},
		{"AIMD", adaptive.WithAIMD(adaptive.WithLatencyThreshold(50 * time.Millisecond))},
	} {
		t.Run("with "+alg.name+" low latency lets the limit grow to the maximum and high latency makes it fall", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				inner := &sleeper{}
				inner.rtt.Store(int64(10 * time.Millisecond))
				var rec limits
				l := mustNew(t, inner, alg.opt, rec.option(),
					adaptive.WithInitialLimit(5), adaptive.WithMinLimit(2), adaptive.WithMaxLimit(40))
				ctx, cancel := context.WithCancel(t.Context())
				wait := load(ctx, l, 60)

				time.Sleep(5 * time.Second)
				require.Equal(t, 40, l.Limit(), "low latency: the limit reaches the maximum")
				grown := len(rec.all())

				inner.rtt.Store(int64(100 * time.Millisecond))
				time.Sleep(2 * time.Second)
				cancel()
				wait()

				after := rec.all()[grown:]
				require.NotEmpty(t, after)
				assert.Less(t, slicesMin(after), 40/2, "high latency: the limit falls")
				for _, n := range rec.all() {
					require.GreaterOrEqual(t, n, 2)
					require.LessOrEqual(t, n, 40)
				}
			})
		})
	}
	t.Run("with AIMD the limit stays at its minimum under sustained high latency", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &sleeper{}
			inner.rtt.Store(int64(time.Second))
			l := mustNew(t, inner, adaptive.WithAIMD(adaptive.WithLatencyThreshold(50*time.Millisecond)),
				adaptive.WithInitialLimit(30), adaptive.WithMinLimit(3), adaptive.WithMaxLimit(30))
			ctx, cancel := context.WithCancel(t.Context())
			wait := load(ctx, l, 50)
			time.Sleep(30 * time.Second)
			assert.Equal(t, 3, l.Limit())
			cancel()
			wait()
		})
	})
}

func slicesMin(s []int) int {
	m := s[0]
	for _, v := range s {
		m = min(m, v)
	}
	return m
}

func TestPermits(t *testing.T) {
	t.Run("in-flight calls never exceed the limit under concurrent load", func(t *testing.T) {
		// A limit that only grows, so that the limit read after a call started is
		// at least the one it was admitted under.
		alg := &scriptAlg{}
		var samples atomic.Int64
		alg.setNext(func(s adaptive.Sample) int {
			if samples.Add(1)%50 == 0 {
				return s.Limit + 1
			}
			return s.Limit
		})
		var l *adaptive.Limiter[int, int]
		var cur, peak atomic.Int64
		var violations atomic.Int64
		inner := service.Func[int, int](func(_ context.Context, x int) (int, error) {
			n := cur.Add(1)
			defer cur.Add(-1)
			if n > int64(l.Limit()) {
				violations.Add(1)
			}
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			for range 100 {
				if x%7 == 0 {
					break
				}
			}
			return x, nil
		})
		l = mustNew(t, inner, alg.option(), adaptive.WithInitialLimit(2), adaptive.WithMaxLimit(16))
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for i := range 500 {
					if i%3 == 0 {
						_, _ = l.TryCall(context.Background(), i)
					} else {
						_, _ = l.Call(context.Background(), i)
					}
				}
			})
		}
		wg.Wait()
		assert.Zero(t, violations.Load())
		assert.LessOrEqual(t, peak.Load(), int64(16))
		assert.Zero(t, l.InFlight())
	})
	t.Run("after the limit shrinks no call is admitted until in-flight calls fall below it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			alg := &scriptAlg{}
			l := mustNew(t, mock, alg.option(), adaptive.WithInitialLimit(4))
			errs := make(chan error, 6)
			for i := range 6 {
				go func() {
					_, err := l.Call(t.Context(), i)
					errs <- err
				}()
			}
			synctest.Wait()
			require.Equal(t, 4, h.Pending())
			alg.setNext(func(adaptive.Sample) int { return 2 })
			answer := func() {
				r, err := h.Next(t.Context())
				require.NoError(t, err)
				require.NoError(t, r.Respond(0))
				require.NoError(t, <-errs)
				synctest.Wait()
			}
			answer() // 3 in flight, limit 2
			require.Equal(t, 2, l.Limit())
			require.Equal(t, 3, h.Pending())
			answer() // 2 in flight, limit 2
			require.Equal(t, 2, h.Pending())
			answer() // 1 in flight: one waiter gets in
			require.Equal(t, 2, h.Pending())
			require.Equal(t, 2, l.InFlight())
			for range 3 {
				answer()
			}
			require.Zero(t, l.InFlight())
		})
	})
	t.Run("a larger limit admits waiting calls at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			alg := &scriptAlg{next: func(s adaptive.Sample) int { return 5 }}
			l := mustNew(t, mock, alg.option(), adaptive.WithInitialLimit(1))
			errs := make(chan error, 6)
			for i := range 6 {
				go func() {
					_, err := l.Call(t.Context(), i)
					errs <- err
				}()
			}
			synctest.Wait()
			require.Equal(t, 1, h.Pending())
			r, err := h.Next(t.Context())
			require.NoError(t, err)
			require.NoError(t, r.Respond(0))
			synctest.Wait()
			require.Equal(t, 5, h.Pending(), "the limit grew to 5 and 5 waiters got in")
			require.NoError(t, <-errs)
			go func() { _ = h.Serve(t.Context(), func(x int) (int, error) { return x, nil }) }()
			for range 5 {
				require.NoError(t, <-errs)
			}
		})
	})
	t.Run("waiting calls are admitted in arrival order", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			l := mustNew(t, mock, (&scriptAlg{}).option(), adaptive.WithInitialLimit(1))
			var wg sync.WaitGroup
			for i := range 5 {
				wg.Go(func() { _, _ = l.Call(t.Context(), i) })
				synctest.Wait() // each caller queues before the next arrives
			}
			go func() { _ = h.Serve(t.Context(), func(x int) (int, error) { return x, nil }) }()
			wg.Wait()
			require.Equal(t, []int{0, 1, 2, 3, 4}, h.Requests())
		})
	})
}

func TestReject(t *testing.T) {
	t.Run("with WithReject a full limiter fails calls at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			var rec limits
			l := mustNew(t, mock, (&scriptAlg{}).option(), adaptive.WithInitialLimit(1), adaptive.WithReject(), rec.option())
			go func() { _, _ = l.Call(t.Context(), 1) }()
			synctest.Wait()
			_, err := l.Call(t.Context(), 2)
			require.ErrorIs(t, err, adaptive.ErrLimitReached)
			require.ErrorIs(t, err, service.ErrOverloaded)
			_, err = l.TryCall(t.Context(), 3)
			require.ErrorIs(t, err, adaptive.ErrLimitReached)
			assert.Equal(t, 1, rec.shed, "a refusal in Call is the limiter's to report, one in TryCall is not")
			assert.Equal(t, 1, h.Calls())
		})
	})
	t.Run("TryCall fails at once when full and Call waits", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			l := mustNew(t, mock, (&scriptAlg{}).option(), adaptive.WithInitialLimit(1))
			go func() { _, _ = l.Call(t.Context(), 1) }()
			synctest.Wait()
			_, err := l.TryCall(t.Context(), 2)
			require.ErrorIs(t, err, adaptive.ErrLimitReached)
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			start := time.Now()
			_, err = l.Call(ctx, 3)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, time.Second, time.Since(start), "Call waited for a permit until its ctx ended")
			assert.Equal(t, 1, l.InFlight())
		})
	})
}

func TestCancellation(t *testing.T) {
	t.Run("a permit granted as the waiter's ctx ends is given back", func(t *testing.T) {
		// The call in flight ends when the waiter's ctx does, so the permit is
		// often handed over while the waiter is already leaving. Whichever wins,
		// the permits must add up.
		for range 200 {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				inner := service.Func[int, int](func(_ context.Context, x int) (int, error) {
					if x == 1 {
						<-ctx.Done()
					}
					return x, nil
				})
				l := mustNew(t, inner, (&scriptAlg{}).option(), adaptive.WithInitialLimit(1))
				done := make(chan struct{})
				go func() {
					defer close(done)
					_, _ = l.Call(context.Background(), 1)
				}()
				synctest.Wait()
				waited := make(chan error, 1)
				go func() {
					_, err := l.Call(ctx, 2)
					waited <- err
				}()
				synctest.Wait() // the second call waits for the permit
				cancel()
				if err := <-waited; err != nil {
					require.ErrorIs(t, err, context.Canceled)
				}
				<-done
				require.Zero(t, l.InFlight())
				require.NoError(t, l.TryReady())
			})
		}
	})
	t.Run("a panicking inner service gives its permit back", func(t *testing.T) {
		l := mustNew(t, service.Func[int, int](func(context.Context, int) (int, error) { panic("x") }),
			adaptive.WithInitialLimit(1))
		require.PanicsWithValue(t, "x", func() { _, _ = l.Call(t.Context(), 1) })
		require.Zero(t, l.InFlight())
		require.NoError(t, l.TryReady())
	})
}

func TestSamples(t *testing.T) {
	errOther := errors.New("not found")
	for _, tc := range []struct {
		name    string
		err     error
		sampled bool
		dropped bool
	}{
		{"a success is a sample", nil, true, false},
		{"an overload error is a dropped sample", servicetest.ErrNotReady, true, true},
		{"a deadline is a dropped sample", context.DeadlineExceeded, true, true},
		{"a cancellation gives no sample", context.Canceled, false, false},
		{"another error gives no sample", errOther, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				alg := &scriptAlg{}
				inner := service.Func[int, int](func(context.Context, int) (int, error) {
					time.Sleep(30 * time.Millisecond)
					return 0, tc.err
				})
				l := mustNew(t, inner, alg.option(), adaptive.WithInitialLimit(7))
				_, err := l.Call(t.Context(), 1)
				require.ErrorIs(t, err, tc.err)
				s := alg.recorded()
				if !tc.sampled {
					require.Empty(t, s)
					return
				}
				require.Equal(t, []adaptive.Sample{{RTT: 30 * time.Millisecond, InFlight: 1, Limit: 7, Dropped: tc.dropped}}, s)
			})
		})
	}
	t.Run("the RTT excludes the wait for a permit and InFlight counts the call", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			alg := &scriptAlg{}
			inner := &sleeper{}
			inner.rtt.Store(int64(10 * time.Millisecond))
			l := mustNew(t, inner, alg.option(), adaptive.WithInitialLimit(2))
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() { _, _ = l.Call(t.Context(), 1) })
			}
			wg.Wait()
			s := alg.recorded()
			require.Len(t, s, 3)
			for _, x := range s {
				assert.Equal(t, 10*time.Millisecond, x.RTT)
			}
			assert.Equal(t, 2, s[2].InFlight, "the third call got the permit the first freed, beside the second")
		})
	})
	t.Run("a custom drop predicate decides", func(t *testing.T) {
		alg := &scriptAlg{}
		l := mustNew(t, service.Func[int, int](func(context.Context, int) (int, error) { return 0, errBoom }),
			alg.option(), adaptive.WithIsDrop(func(err error) bool { return errors.Is(err, errBoom) }))
		_, _ = l.Call(t.Context(), 1)
		require.Len(t, alg.recorded(), 1)
		require.True(t, alg.recorded()[0].Dropped)
	})
}

func TestBounds(t *testing.T) {
	t.Run("the algorithm's limit is clamped to the bounds and events report changes only", func(t *testing.T) {
		synctest.Test(t, testClamp) // a limit below 1 would deadlock: synctest reports it
	})
	t.Run("the default initial limit moves within the bounds", func(t *testing.T) {
		l := mustNew(t, echoInt, adaptive.WithMaxLimit(8))
		assert.Equal(t, 8, l.Limit())
		l = mustNew(t, echoInt, adaptive.WithMinLimit(30))
		assert.Equal(t, 30, l.Limit())
		l = mustNew(t, echoInt)
		assert.Equal(t, adaptive.DefaultInitialLimit, l.Limit())
	})
}

func TestReadiness(t *testing.T) {
	t.Run("readiness reflects free permits", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			l := mustNew(t, mock, (&scriptAlg{}).option(), adaptive.WithInitialLimit(1))
			require.NoError(t, l.TryReady())
			go func() { _, _ = l.Call(t.Context(), 1) }()
			synctest.Wait()
			err := l.TryReady()
			require.ErrorIs(t, err, adaptive.ErrLimitReached)
			require.ErrorIs(t, err, service.ErrOverloaded)

			ready := make(chan error, 1)
			go func() { ready <- l.Ready(t.Context()) }()
			synctest.Wait()
			require.Empty(t, ready, "Ready waits while every permit is taken")
			r, err := h.Next(t.Context())
			require.NoError(t, err)
			require.NoError(t, r.Respond(0))
			require.NoError(t, <-ready)
			require.Zero(t, l.InFlight(), "Ready reserves nothing")
		})
	})
	t.Run("Ready returns the context's error if it ends first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			l := mustNew(t, mock, (&scriptAlg{}).option(), adaptive.WithInitialLimit(1))
			go func() { _, _ = l.Call(t.Context(), 1) }()
			synctest.Wait()
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			require.ErrorIs(t, l.Ready(ctx), context.DeadlineExceeded)
		})
	})
	t.Run("with a free permit the inner service's readiness is forwarded", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			l := mustNew(t, mock)
			h.Allow(0)
			require.ErrorIs(t, l.TryReady(), servicetest.ErrNotReady)
			h.Fail(errBoom)
			require.ErrorIs(t, l.Ready(t.Context()), errBoom)
		})
	})
}

func TestNew(t *testing.T) {
	inner := service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })
	for _, tc := range []struct {
		name string
		opts []adaptive.Option
		want string
	}{
		{"a zero minimum", []adaptive.Option{adaptive.WithMinLimit(0)}, "adaptive: minimum limit must be at least 1, got 0"},
		{"a zero maximum", []adaptive.Option{adaptive.WithMaxLimit(0)}, "adaptive: maximum limit must be at least 1, got 0"},
		{"a zero initial limit", []adaptive.Option{adaptive.WithInitialLimit(0)}, "adaptive: initial limit must be at least 1, got 0"},
		{"a maximum below the minimum", []adaptive.Option{adaptive.WithMinLimit(5), adaptive.WithMaxLimit(4)}, "adaptive: maximum limit 4 is below the minimum 5"},
		{"an initial limit out of bounds", []adaptive.Option{adaptive.WithMaxLimit(10), adaptive.WithInitialLimit(11)}, "adaptive: initial limit 11 is outside the bounds [1, 10]"},
		{"a nil algorithm constructor", []adaptive.Option{adaptive.WithAlgorithm(nil)}, "adaptive: algorithm constructor must not be nil"},
		{"an algorithm constructor returning nil", []adaptive.Option{adaptive.WithAlgorithm(func() adaptive.Algorithm { return nil })}, "adaptive: algorithm constructor returned a nil Algorithm"},
		{"an algorithm constructor returning a typed nil", []adaptive.Option{adaptive.WithAlgorithm(func() adaptive.Algorithm { return (*adaptive.Gradient)(nil) })}, "adaptive: algorithm constructor returned a nil Algorithm"},
		{"a huge maximum", []adaptive.Option{adaptive.WithMaxLimit(math.MaxInt)}, "adaptive: maximum limit must be at most 2147483647, got 9223372036854775807"},
		{"a huge initial limit", []adaptive.Option{adaptive.WithInitialLimit(math.MaxInt)}, "adaptive: initial limit 9223372036854775807 is outside the bounds [1, 1000]"},
		{"a negative minimum", []adaptive.Option{adaptive.WithMinLimit(-1)}, "adaptive: minimum limit must be at least 1, got -1"},
		{"a NaN AIMD backoff", []adaptive.Option{adaptive.WithAIMD(adaptive.WithBackoff(math.NaN()))}, "adaptive: AIMD backoff must be in (0, 1), got NaN"},
		{"an infinite AIMD backoff", []adaptive.Option{adaptive.WithAIMD(adaptive.WithBackoff(math.Inf(1)))}, "adaptive: AIMD backoff must be in (0, 1), got +Inf"},
		{"a negative AIMD threshold", []adaptive.Option{adaptive.WithAIMD(adaptive.WithLatencyThreshold(-1))}, "adaptive: AIMD latency threshold must be positive, got -1ns"},
		{"a nil AIMD option", []adaptive.Option{adaptive.WithAIMD(nil)}, "adaptive: nil AIMD option"},
		{"a NaN gradient tolerance", []adaptive.Option{adaptive.WithGradient(adaptive.WithTolerance(math.NaN()))}, "adaptive: gradient tolerance must be at least 1, got NaN"},
		{"an infinite gradient tolerance", []adaptive.Option{adaptive.WithGradient(adaptive.WithTolerance(math.Inf(1)))}, "adaptive: gradient tolerance must be at least 1, got +Inf"},
		{"a NaN gradient smoothing", []adaptive.Option{adaptive.WithGradient(adaptive.WithSmoothing(math.NaN()))}, "adaptive: gradient smoothing must be in (0, 1], got NaN"},
		{"a negative gradient queue", []adaptive.Option{adaptive.WithGradient(adaptive.WithQueueSize(-1))}, "adaptive: gradient queue size must not be negative, got -1"},
		{"a zero gradient window", []adaptive.Option{adaptive.WithGradient(adaptive.WithLongWindow(0))}, "adaptive: gradient long window must be at least 1, got 0"},
		{"a nil gradient option", []adaptive.Option{adaptive.WithGradient(nil)}, "adaptive: nil gradient option"},
		{"a bad AIMD option", []adaptive.Option{adaptive.WithAIMD(adaptive.WithBackoff(0))}, "adaptive: AIMD backoff must be in (0, 1), got 0"},
		{"a bad gradient option", []adaptive.Option{adaptive.WithGradient(adaptive.WithSmoothing(2))}, "adaptive: gradient smoothing must be in (0, 1], got 2"},
		{"a nil drop predicate", []adaptive.Option{adaptive.WithIsDrop(nil)}, "adaptive: drop predicate must not be nil"},
		{"a nil option", []adaptive.Option{nil}, "adaptive: nil option"},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			l, err := adaptive.New[int, int](inner, tc.opts...)
			require.EqualError(t, err, tc.want)
			require.Nil(t, l)
			s, err := adaptive.Layer[int, int](tc.opts...)(new(service.Scope), inner)
			require.EqualError(t, err, tc.want)
			require.Nil(t, s)
		})
	}
	t.Run("rejects a nil inner service", func(t *testing.T) {
		for _, inner := range []service.Service[int, int]{nil, (*servicetest.Mock[int, int])(nil), service.Func[int, int](nil)} {
			l, err := adaptive.New[int, int](inner)
			require.EqualError(t, err, "adaptive: inner service is nil")
			require.Nil(t, l)
		}
	})
	t.Run("accepts the largest limit and huge gradient settings", func(t *testing.T) {
		l, err := adaptive.New[int, int](inner, adaptive.WithMaxLimit(adaptive.MaxLimit), adaptive.WithInitialLimit(adaptive.MaxLimit),
			adaptive.WithGradient(adaptive.WithQueueSize(math.MaxInt), adaptive.WithLongWindow(math.MaxInt)))
		require.NoError(t, err)
		for range 3 {
			_, err = l.Call(t.Context(), 1)
			require.NoError(t, err)
		}
		assert.LessOrEqual(t, l.Limit(), adaptive.MaxLimit)
		assert.GreaterOrEqual(t, l.Limit(), 1)
	})
	t.Run("each application of the layer gets its own algorithm", func(t *testing.T) {
		var built int
		layer := adaptive.Layer[int, int](adaptive.WithAlgorithm(func() adaptive.Algorithm {
			built++
			return &scriptAlg{}
		}))
		for range 2 {
			_, err := layer(new(service.Scope), inner)
			require.NoError(t, err)
		}
		assert.Equal(t, 2, built)
	})
}

func testClamp(t *testing.T) {
	alg := &scriptAlg{}
	var rec limits
	l := mustNew(t, service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil }),
		alg.option(), rec.option(), adaptive.WithMinLimit(3), adaptive.WithMaxLimit(10), adaptive.WithInitialLimit(5))
	for _, next := range []int{100, 100, -4, 0, 7, 7, 3} {
		alg.setNext(func(adaptive.Sample) int { return next })
		_, _ = l.Call(t.Context(), 1)
	}
	assert.Equal(t, []int{10, 3, 7, 3}, rec.all())
	assert.Equal(t, 3, l.Limit())
	var fed []int
	for _, s := range alg.recorded() {
		fed = append(fed, s.Limit)
	}
	assert.Equal(t, []int{5, 10, 10, 3, 3, 7, 7}, fed, "each sample carries the clamped limit")
}

var echoInt = service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })
