package ratelimit_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/ratelimit"
)

// counter is an inner service that counts its calls.
type counter struct{ calls atomic.Int64 }

func (c *counter) Call(_ context.Context, x int) (int, error) { c.calls.Add(1); return x, nil }

type recorder = servicetest.Events

// errsOf returns the Err of every event r recorded, which must all be the
// rate limit's EventRateLimited.
func errsOf(r *recorder) []error {
	var errs []error
	for _, e := range r.All() {
		if e.Stage != "ratelimit" || e.Kind != service.EventRateLimited {
			panic("unexpected event")
		}
		errs = append(errs, e.Err)
	}
	return errs
}

func newLimiter(t *testing.T, perSecond float64, burst int) *ratelimit.Limiter {
	t.Helper()
	lim, err := ratelimit.NewLimiter(perSecond, burst)
	require.NoError(t, err)
	return lim
}

func TestCallWaitsForTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &counter{}
		var rec recorder
		svc, err := ratelimit.Layer[int, int](newLimiter(t, 10, 3), ratelimit.WithEvents(rec.Emit))(new(service.Scope), inner)
		require.NoError(t, err)
		start := time.Now()
		var at []time.Duration
		for i := range 6 {
			res, err := svc.Call(context.Background(), i)
			require.NoError(t, err)
			assert.Equal(t, i, res)
			at = append(at, time.Since(start))
		}
		ms := time.Millisecond
		assert.Equal(t, []time.Duration{0, 0, 0, 100 * ms, 200 * ms, 300 * ms}, at,
			"the burst goes at once, then one call every 1/rate")
		assert.Equal(t, int64(6), inner.calls.Load())
		assert.Equal(t, []error{nil, nil, nil}, errsOf(&rec), "each delayed call is reported, with no error")
	})
}

func TestFailFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &counter{}
		var rec recorder
		svc, _ := ratelimit.New[int, int](inner, newLimiter(t, 10, 2), ratelimit.WithFailFast(), ratelimit.WithEvents(rec.Emit))
		ctx := context.Background()
		for range 2 {
			_, err := svc.Call(ctx, 1)
			require.NoError(t, err)
		}
		start := time.Now()
		_, err := svc.Call(ctx, 1)
		assert.Zero(t, time.Since(start))
		require.ErrorIs(t, err, ratelimit.ErrLimited)
		require.ErrorIs(t, err, service.ErrOverloaded)
		assert.Equal(t, int64(2), inner.calls.Load())
		assert.Equal(t, []error{ratelimit.ErrLimited}, errsOf(&rec))

		time.Sleep(100 * time.Millisecond)
		_, err = svc.Call(ctx, 1)
		require.NoError(t, err, "a token accrued in 1/rate")
		_, err = svc.Call(ctx, 1)
		require.ErrorIs(t, err, ratelimit.ErrLimited)
	})
}

func TestDeadlines(t *testing.T) {
	t.Run("a wait that would outlast the deadline fails at once and takes nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &counter{}
			var rec recorder
			lim := newLimiter(t, 1, 1)
			svc, _ := ratelimit.New[int, int](inner, lim, ratelimit.WithEvents(rec.Emit))
			_, err := svc.Call(context.Background(), 1)
			require.NoError(t, err)

			ctx, cancel := context.WithTimeout(context.Background(), 999*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err = svc.Call(ctx, 2)
			assert.Zero(t, time.Since(start), "no useless sleep until the deadline")
			require.ErrorIs(t, err, ratelimit.ErrLimited)
			assert.Equal(t, []error{ratelimit.ErrLimited}, errsOf(&rec))

			_, err = svc.Call(context.Background(), 3)
			require.NoError(t, err)
			assert.Equal(t, time.Second, time.Since(start), "the refused call left the bucket as it was")
			assert.Equal(t, int64(2), inner.calls.Load())
		})
	})
	t.Run("a wait that fits the deadline goes through", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := newLimiter(t, 1, 1)
			svc, _ := ratelimit.New[int, int](&counter{}, lim)
			_, _ = svc.Call(context.Background(), 1)
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := svc.Call(ctx, 2)
			require.NoError(t, err)
			assert.Equal(t, time.Second, time.Since(start))
		})
	})
	t.Run("a caller whose ctx has already ended fails at once and is reported", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := newLimiter(t, 1, 1)
			var rec recorder
			inner := &counter{}
			svc, _ := ratelimit.New[int, int](inner, lim, ratelimit.WithEvents(rec.Emit))
			_, _ = svc.Call(context.Background(), 1)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			start := time.Now()
			_, err := svc.Call(ctx, 2)
			require.ErrorIs(t, err, context.Canceled)
			assert.Zero(t, time.Since(start))
			assert.Equal(t, []error{context.Canceled}, errsOf(&rec), "a call that found no token emits an event")
			assert.Equal(t, int64(1), inner.calls.Load())
		})
	})
	t.Run("a caller cancelled while waiting gives its reservation back", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := newLimiter(t, 1, 1)
			var rec recorder
			svc, _ := ratelimit.New[int, int](&counter{}, lim, ratelimit.WithEvents(rec.Emit))
			_, _ = svc.Call(context.Background(), 1)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { _, err := svc.Call(ctx, 2); done <- err }()
			synctest.Wait()
			time.Sleep(500 * time.Millisecond)
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)
			assert.Equal(t, []error{context.Canceled}, errsOf(&rec))

			start := time.Now()
			_, err := svc.Call(context.Background(), 3)
			require.NoError(t, err)
			assert.Equal(t, 500*time.Millisecond, time.Since(start),
				"the next caller waits only for the token the cancelled one had reserved")
		})
	})
	t.Run("an ended ctx fails at once when the call would wait", func(t *testing.T) {
		lim := newLimiter(t, 1.0/3600, 1)
		require.True(t, lim.Allow())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.ErrorIs(t, lim.Wait(ctx), context.Canceled)
	})
}

func TestReadiness(t *testing.T) {
	t.Run("TryReady reports a token without taking it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := newLimiter(t, 10, 1)
			svc, _ := ratelimit.New[int, int](&counter{}, lim)
			require.NoError(t, svc.TryReady())
			require.NoError(t, svc.TryReady())
			assert.Equal(t, 1.0, lim.Tokens())
			require.True(t, lim.Allow())
			require.ErrorIs(t, svc.TryReady(), ratelimit.ErrLimited)
		})
	})
	t.Run("Ready waits for a token without taking it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := newLimiter(t, 4, 1)
			svc, _ := ratelimit.New[int, int](&counter{}, lim)
			require.True(t, lim.Allow())
			start := time.Now()
			require.NoError(t, svc.Ready(context.Background()))
			assert.Equal(t, 250*time.Millisecond, time.Since(start))
			assert.InDelta(t, 1.0, lim.Tokens(), 1e-9)
			assert.True(t, lim.Allow(), "the token is still there for a call")
		})
	})
	t.Run("Ready fails at once if the deadline comes first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := newLimiter(t, 4, 1)
			svc, _ := ratelimit.New[int, int](&counter{}, lim)
			require.True(t, lim.Allow())
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			require.ErrorIs(t, svc.Ready(ctx), ratelimit.ErrLimited)
			assert.Zero(t, time.Since(start))
		})
	})
	t.Run("Ready returns ctx.Err() if ctx ends while it waits", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := newLimiter(t, 4, 1)
			require.True(t, lim.Allow())
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- lim.Ready(ctx) }()
			synctest.Wait()
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)
		})
	})
	t.Run("Ready waits for a token of a very slow rate", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := newLimiter(t, 1e-10, 1) // a token every 317 years: the wait overflows a Duration
			require.True(t, lim.Allow())
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- lim.Ready(ctx) }()
			synctest.Wait()
			require.Empty(t, done, "no token: Ready must wait, not report ready")
			cancel()
			require.ErrorIs(t, <-done, context.Canceled)

			dctx, dcancel := context.WithTimeout(context.Background(), time.Hour)
			defer dcancel()
			require.ErrorIs(t, lim.Ready(dctx), ratelimit.ErrLimited, "the token comes after the deadline")
		})
	})
	t.Run("the inner service's readiness is forwarded", func(t *testing.T) {
		closed := service.NewError("inner: closed", service.ErrClosed)
		svc, _ := ratelimit.New[int, int](&readyInner{ready: closed}, newLimiter(t, 1, 1))
		require.ErrorIs(t, svc.TryReady(), closed)
		require.ErrorIs(t, svc.Ready(context.Background()), closed)
	})
}

// readyInner has readiness and a TryCall that count their use.
type readyInner struct {
	counter
	ready    error
	tryCalls atomic.Int64
}

func (s *readyInner) Ready(ctx context.Context) error {
	if s.ready != nil {
		return s.ready
	}
	return ctx.Err()
}
func (s *readyInner) TryReady() error { return s.ready }
func (s *readyInner) TryCall(_ context.Context, x int) (int, error) {
	s.tryCalls.Add(1)
	return x, s.ready
}

func TestTryCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &readyInner{}
		var rec recorder
		lim := newLimiter(t, 10, 1)
		svc, _ := ratelimit.New[int, int](inner, lim, ratelimit.WithEvents(rec.Emit))
		res, err := svc.TryCall(context.Background(), 4)
		require.NoError(t, err)
		assert.Equal(t, 4, res)
		assert.Equal(t, int64(1), inner.tryCalls.Load(), "the inner service's TryCall is used")

		start := time.Now()
		_, err = service.TryCall[int, int](context.Background(), svc, 5)
		assert.Zero(t, time.Since(start), "TryCall never waits, even in the waiting mode")
		require.ErrorIs(t, err, ratelimit.ErrLimited)
		assert.Equal(t, int64(1), inner.tryCalls.Load())
		assert.Empty(t, errsOf(&rec), "a TryCall refusal is reported by the stage that asked for it")
	})
}

func TestPanicPropagates(t *testing.T) {
	inner := service.Func[int, int](func(context.Context, int) (int, error) { panic("inner bug") })
	svc, _ := ratelimit.New(inner, newLimiter(t, 1, 1))
	assert.PanicsWithValue(t, "inner bug", func() { _, _ = svc.Call(context.Background(), 1) })
}

// TestAccuracy hammers one limiter through three services from many goroutines for
// two seconds of virtual time, and checks that the calls admitted are within 1% of
// rate×time + burst (and never above it), in both modes.
func TestAccuracy(t *testing.T) {
	const (
		perSecond  = 1000
		burst      = 20
		span       = 2 * time.Second
		goroutines = 48
	)
	want := perSecond*span.Seconds() + burst
	for _, tc := range []struct {
		name     string
		failFast bool
	}{
		{"callers that wait, up to their deadline", false},
		{"callers that fail fast and retry", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				lim := newLimiter(t, perSecond, burst)
				var admitted, refused atomic.Int64
				inner := service.Func[int, int](func(_ context.Context, x int) (int, error) {
					admitted.Add(1)
					return x, nil
				})
				var opts []ratelimit.Option
				if tc.failFast {
					opts = append(opts, ratelimit.WithFailFast())
				}
				var svcs []service.Service[int, int]
				for range 3 {
					s, err := ratelimit.Layer[int, int](lim, opts...)(new(service.Scope), inner)
					require.NoError(t, err)
					svcs = append(svcs, s)
				}
				ctx, cancel := context.WithTimeout(context.Background(), span)
				defer cancel()
				var wg sync.WaitGroup
				for g := range goroutines {
					svc := svcs[g%len(svcs)]
					wg.Go(func() {
						for ctx.Err() == nil {
							_, err := svc.Call(ctx, g)
							switch {
							case err == nil:
							case errors.Is(err, ratelimit.ErrLimited):
								refused.Add(1)
								if !tc.failFast {
									return // no token before the deadline
								}
								time.Sleep(time.Duration(500+10*g) * time.Microsecond)
							case errors.Is(err, context.DeadlineExceeded):
								return
							default:
								t.Errorf("unexpected error %v", err)
								return
							}
						}
					})
				}
				wg.Wait()
				got := float64(admitted.Load())
				t.Logf("admitted %v (bound %v), refused %d", got, want, refused.Load())
				assert.InDelta(t, want, got, 0.01*want, "admitted calls within 1%% of rate×time + burst")
				assert.LessOrEqual(t, got, want+1, "never more than the bucket allows")
				assert.Positive(t, refused.Load(), "the callers must outrun the limit to prove anything")
			})
		})
	}
}
