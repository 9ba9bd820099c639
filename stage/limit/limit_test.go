package limit_test

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
	"github.com/tower-go/tower/stage/limit"
)

// gated is an inner service whose calls block until the test releases them. It
// counts calls in flight and remembers the peak.
type gated struct {
	release  chan struct{}
	inFlight atomic.Int64
	peak     atomic.Int64
	calls    atomic.Int64
}

func newGated() *gated { return &gated{release: make(chan struct{})} }

func (g *gated) Call(ctx context.Context, x int) (int, error) {
	g.calls.Add(1)
	n := g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	select {
	case <-g.release:
		return x, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

type recorder = servicetest.Events

func TestCallPassesThrough(t *testing.T) {
	boom := errors.New("boom")
	inner := service.Func[int, int](func(_ context.Context, x int) (int, error) {
		if x < 0 {
			return 0, boom
		}
		return x + 1, nil
	})
	svc, err := service.Apply(limit.Layer[int, int](2), new(service.Scope), service.Service[int, int](inner))
	require.NoError(t, err)
	res, err := svc.Call(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, 2, res)
	_, err = svc.Call(context.Background(), -1)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, 0, svc.(*limit.Concurrency[int, int]).InFlight())
}

func TestAtMostNInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGated()
		svc, _ := limit.New[int, int](g, 2)
		var wg sync.WaitGroup
		results := make(chan int, 5)
		for i := range 5 {
			wg.Go(func() {
				res, err := svc.Call(context.Background(), i)
				assert.NoError(t, err)
				results <- res
			})
		}
		synctest.Wait()
		assert.Equal(t, int64(2), g.inFlight.Load())
		assert.Equal(t, 2, svc.InFlight())
		assert.Equal(t, 3, svc.Shared().Waiting())
		require.ErrorIs(t, svc.TryReady(), limit.ErrLimited)

		for range 5 {
			g.release <- struct{}{}
			synctest.Wait()
			assert.LessOrEqual(t, g.inFlight.Load(), int64(2))
		}
		wg.Wait()
		close(results)
		sum := 0
		for r := range results {
			sum += r
		}
		assert.Equal(t, 0+1+2+3+4, sum, "every call completed with its own answer")
		assert.Equal(t, int64(2), g.peak.Load())
		assert.Equal(t, 0, svc.InFlight())
	})
}

func TestWaitingIsBoundedByCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGated()
		svc, _ := limit.New[int, int](g, 1)
		go func() { _, _ = svc.Call(context.Background(), 1) }()
		synctest.Wait()

		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		start := time.Now()
		_, err := svc.Call(ctx, 2)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 3*time.Second, time.Since(start))
		assert.Equal(t, int64(1), g.calls.Load(), "the call that timed out never reached the inner service")
		assert.Equal(t, 0, svc.Shared().Waiting())
		g.release <- struct{}{}
		synctest.Wait()
		assert.Equal(t, 0, svc.InFlight())
	})
}

func TestRejectMode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGated()
		var rec recorder
		svc, _ := limit.New[int, int](g, 1, limit.WithReject(), limit.WithEvents(rec.Emit))
		go func() { _, _ = svc.Call(context.Background(), 1) }()
		synctest.Wait()

		start := time.Now()
		_, err := svc.Call(context.Background(), 2)
		assert.Zero(t, time.Since(start), "reject mode does not wait")
		require.ErrorIs(t, err, limit.ErrLimited)
		require.ErrorIs(t, err, service.ErrOverloaded)
		assert.Equal(t, []service.Event{{Stage: "limit", Kind: service.EventShed, Err: limit.ErrLimited}}, rec.All())
		assert.Equal(t, int64(1), g.calls.Load())

		g.release <- struct{}{}
		synctest.Wait()
		go func() { g.release <- struct{}{} }()
		res, err := svc.Call(context.Background(), 3)
		require.NoError(t, err, "a freed permit is taken again")
		assert.Equal(t, 3, res)
		assert.Len(t, rec.All(), 1)
	})
}

func TestPanicGivesThePermitBack(t *testing.T) {
	inner := service.Func[int, int](func(context.Context, int) (int, error) { panic("inner bug") })
	svc, _ := limit.New(inner, 1)
	assert.PanicsWithValue(t, "inner bug", func() { _, _ = svc.Call(context.Background(), 1) })
	assert.Equal(t, 0, svc.InFlight())
	p, err := svc.Acquire(context.Background())
	require.NoError(t, err)
	assert.PanicsWithValue(t, "inner bug", func() { _, _ = p.Call(context.Background(), 1) })
	assert.Equal(t, 0, svc.InFlight())
}

// tryInner is an inner service that can refuse calls and records which entry point
// a call used.
type tryInner struct {
	ready    error // what TryReady and TryCall report; nil accepts
	calls    atomic.Int64
	tryCalls atomic.Int64
}

func (s *tryInner) Call(_ context.Context, x int) (int, error) { s.calls.Add(1); return x, nil }
func (s *tryInner) Ready(ctx context.Context) error {
	if s.ready != nil {
		return s.ready
	}
	return ctx.Err()
}
func (s *tryInner) TryReady() error { return s.ready }

// tryCallInner adds TryCall to tryInner.
type tryCallInner struct{ tryInner }

func (s *tryCallInner) TryCall(_ context.Context, x int) (int, error) {
	s.tryCalls.Add(1)
	if s.ready != nil {
		return 0, s.ready
	}
	return x, nil
}

func TestTryCall(t *testing.T) {
	full := service.NewError("inner: full", service.ErrOverloaded)
	t.Run("fails at once without an event when no permit is free", func(t *testing.T) {
		var rec recorder
		inner := &tryCallInner{}
		svc, _ := limit.New[int, int](inner, 1, limit.WithEvents(rec.Emit))
		p, _ := svc.TryAcquire()
		defer p.Release()
		_, err := svc.TryCall(context.Background(), 1)
		require.ErrorIs(t, err, limit.ErrLimited)
		require.ErrorIs(t, err, service.ErrOverloaded)
		assert.Empty(t, rec.All())
		assert.Zero(t, inner.tryCalls.Load()+inner.calls.Load())
	})
	t.Run("uses the inner service's TryCall", func(t *testing.T) {
		inner := &tryCallInner{}
		svc, _ := limit.New[int, int](inner, 1)
		res, err := svc.TryCall(context.Background(), 7)
		require.NoError(t, err)
		assert.Equal(t, 7, res)
		assert.Equal(t, int64(1), inner.tryCalls.Load())
		assert.Zero(t, inner.calls.Load())

		inner.ready = full
		_, err = svc.TryCall(context.Background(), 7)
		require.ErrorIs(t, err, full)
		assert.Equal(t, 0, svc.InFlight(), "the permit is given back when the inner service refuses")
	})
	t.Run("checks the inner readiness when the inner service has no TryCall", func(t *testing.T) {
		inner := &tryInner{ready: full}
		svc, _ := limit.New[int, int](inner, 1)
		_, err := svc.TryCall(context.Background(), 7)
		require.ErrorIs(t, err, full)
		assert.Zero(t, inner.calls.Load())
		assert.Equal(t, 0, svc.InFlight())

		inner.ready = nil
		res, err := svc.TryCall(context.Background(), 7)
		require.NoError(t, err)
		assert.Equal(t, 7, res)
		assert.Equal(t, int64(1), inner.calls.Load())
	})
	t.Run("service.TryCall uses it", func(t *testing.T) {
		svc, _ := limit.New(double, 1)
		p, _ := svc.TryAcquire()
		_, err := service.TryCall[int, int](context.Background(), svc, 1)
		require.ErrorIs(t, err, limit.ErrLimited)
		p.Release()
		res, err := service.TryCall[int, int](context.Background(), svc, 1)
		require.NoError(t, err)
		assert.Equal(t, 2, res)
	})
}

func TestReadiness(t *testing.T) {
	closed := service.NewError("inner: closed", service.ErrClosed)
	for _, tc := range []struct {
		name      string
		held      bool  // the only permit is held
		inner     error // the inner service's readiness
		wantTry   error
		wantReady error
	}{
		{"ready with a free permit and a ready inner service", false, nil, nil, nil},
		{"not ready with no free permit", true, nil, limit.ErrLimited, context.DeadlineExceeded},
		{"reports the inner service's readiness", false, closed, closed, closed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc, _ := limit.New[int, int](&tryInner{ready: tc.inner}, 1)
				if tc.held {
					p, _ := svc.TryAcquire()
					defer p.Release()
				}
				assert.ErrorIs(t, svc.TryReady(), tc.wantTry)
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				assert.ErrorIs(t, svc.Ready(ctx), tc.wantReady)
				if tc.wantTry == nil {
					assert.NoError(t, svc.TryReady())
				}
			})
		})
	}
	t.Run("Ready reserves nothing", func(t *testing.T) {
		svc, _ := limit.New(double, 1)
		require.NoError(t, svc.Ready(context.Background()))
		assert.Equal(t, 0, svc.InFlight())
	})
}

func TestSharedLimitSpansServices(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		shared, _ := limit.NewShared(2)
		ga, gb := newGated(), newGated()
		a, err := service.Apply(limit.SharedLayer[int, int](shared), new(service.Scope), service.Service[int, int](ga))
		require.NoError(t, err)
		b, err := service.Apply(limit.SharedLayer[int, int](shared, limit.WithReject()), new(service.Scope), service.Service[int, int](gb))
		require.NoError(t, err)

		for range 2 {
			go func() { _, _ = a.Call(context.Background(), 1) }()
		}
		synctest.Wait()
		_, err = b.Call(context.Background(), 1)
		require.ErrorIs(t, err, limit.ErrLimited, "a's calls use up the shared limit")
		require.ErrorIs(t, service.TryReady(b), limit.ErrLimited)

		done := make(chan error, 1)
		go func() { _, err := a.Call(context.Background(), 1); done <- err }()
		synctest.Wait()
		assert.Equal(t, 1, shared.Waiting())
		ga.release <- struct{}{}
		synctest.Wait()
		assert.Equal(t, int64(2), ga.inFlight.Load(), "the freed permit went to the waiter")
		close(ga.release)
		require.NoError(t, <-done)
		synctest.Wait()
		assert.Equal(t, 0, shared.InFlight())
		assert.Zero(t, gb.calls.Load())
	})
}

// TestStress runs many goroutines through two services sharing a small limit, in
// both modes, some giving up on short deadlines. The inner services check that the
// limit is never exceeded; every call must end. Run it with -race.
func TestStress(t *testing.T) {
	const (
		n          = 4
		goroutines = 64
	)
	calls := 500
	if testing.Short() {
		calls = 100
	}
	shared, _ := limit.NewShared(n)
	var inFlight, peak, ok, limited, timedOut atomic.Int64
	inner := service.Func[int, int](func(ctx context.Context, x int) (int, error) {
		v := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); v > p && !peak.CompareAndSwap(p, v); p = peak.Load() {
		}
		if v > n {
			t.Errorf("%d calls in flight, limit %d", v, n)
		}
		if x%3 == 0 {
			time.Sleep(time.Microsecond)
		}
		return x, nil
	})
	waiting, _ := limit.NewWithShared(inner, shared)
	rejecting, _ := limit.NewWithShared(inner, shared, limit.WithReject())
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range calls {
				var err error
				switch (g + i) % 4 {
				case 0:
					_, err = rejecting.Call(context.Background(), i)
				case 1:
					_, err = waiting.TryCall(context.Background(), i)
				case 2:
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Microsecond)
					_, err = waiting.Call(ctx, i)
					cancel()
				default:
					p, perr := waiting.Acquire(context.Background())
					if assert.NoError(t, perr) {
						_, err = p.Call(context.Background(), i)
					}
				}
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, limit.ErrLimited):
					limited.Add(1)
				case errors.Is(err, context.DeadlineExceeded):
					timedOut.Add(1)
				default:
					t.Errorf("unexpected error %v", err)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(goroutines*calls), ok.Load()+limited.Load()+timedOut.Load(), "every call ended")
	assert.Equal(t, int64(n), peak.Load())
	assert.Equal(t, 0, shared.InFlight())
	assert.Equal(t, 0, shared.Waiting())
	t.Logf("ok %d, limited %d, timed out %d", ok.Load(), limited.Load(), timedOut.Load())
}

func TestWithPriorityServesTheHighestWaitingPriorityFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var mu sync.Mutex
		var order []service.Priority
		svc := service.Func[service.Priority, int](func(_ context.Context, p service.Priority) (int, error) {
			mu.Lock()
			order = append(order, p)
			mu.Unlock()
			<-release
			return 0, nil
		})
		l, err := limit.New[service.Priority, int](svc, 1, limit.WithPriority())
		require.NoError(t, err)
		var wg sync.WaitGroup
		call := func(p service.Priority) {
			wg.Go(func() {
				_, err := l.Call(service.WithPriority(context.Background(), p), p)
				assert.NoError(t, err)
			})
			synctest.Wait()
		}
		call(service.PriorityNormal) // holds the permit
		for _, p := range []service.Priority{service.PriorityLow, service.PriorityHigh, service.PriorityNormal, service.PriorityCritical} {
			call(p)
		}
		for range 5 {
			release <- struct{}{}
			synctest.Wait()
		}
		wg.Wait()
		assert.Equal(t, []service.Priority{service.PriorityNormal, service.PriorityCritical, service.PriorityHigh,
			service.PriorityNormal, service.PriorityLow}, order)
	})
}

func TestWithReserveShedsTheLowestPriorityFirst(t *testing.T) {
	low := service.WithPriority(context.Background(), service.PriorityLow)
	normal := context.Background() // PriorityNormal
	high := service.WithPriority(context.Background(), service.PriorityHigh)
	critical := service.WithPriority(context.Background(), service.PriorityCritical)
	// low calls leave 2 permits free, normal ones 1, high and critical take any
	opts := []limit.Option{limit.WithReserve(service.PriorityNormal, 2), limit.WithReserve(service.PriorityHigh, 1)}

	for _, reject := range []bool{false, true} {
		name := "TryCall"
		if reject {
			name = "reject-mode Call"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newGated()
				var rec recorder
				o := append([]limit.Option{limit.WithEvents(rec.Emit)}, opts...)
				if reject {
					o = append(o, limit.WithReject())
				}
				svc, err := limit.New[int, int](g, 4, o...)
				require.NoError(t, err)
				call := func(ctx context.Context) (int, error) {
					if reject {
						return svc.Call(ctx, 1)
					}
					return svc.TryCall(ctx, 1)
				}
				errs := make(chan error, 8)
				start := func(ctx context.Context) { go func() { _, err := call(ctx); errs <- err }() }
				start(low)
				start(low) // leaves 2 free, low's reserve
				synctest.Wait()
				assert.Equal(t, 2, svc.InFlight())
				start(low) // would leave 1 free: refused
				synctest.Wait()
				require.Len(t, errs, 1)
				err = <-errs
				require.ErrorIs(t, err, limit.ErrReserved)
				require.ErrorIs(t, err, limit.ErrLimited)
				require.ErrorIs(t, err, service.ErrOverloaded)

				start(normal) // leaves 1 free, normal's reserve
				synctest.Wait()
				assert.Equal(t, 3, svc.InFlight())
				start(normal) // would leave 0 free: refused
				synctest.Wait()
				require.ErrorIs(t, <-errs, limit.ErrReserved)
				start(high) // takes the last permit
				synctest.Wait()
				assert.Equal(t, 4, svc.InFlight())
				start(critical) // none free: limited, not reserved
				synctest.Wait()
				err = <-errs
				require.ErrorIs(t, err, limit.ErrLimited)
				assert.NotErrorIs(t, err, limit.ErrReserved)
				assert.Equal(t, int64(4), g.calls.Load(), "refused calls never reach the service")

				if reject {
					assert.Equal(t, []service.Event{
						{Stage: "limit", Kind: service.EventShed, Err: limit.ErrReserved},
						{Stage: "limit", Kind: service.EventShed, Err: limit.ErrReserved},
						{Stage: "limit", Kind: service.EventShed, Err: limit.ErrLimited},
					}, rec.All())
				} else {
					assert.Empty(t, rec.All(), "TryCall refusals are reported by the stage that asked")
				}
				for range 4 {
					g.release <- struct{}{}
				}
				synctest.Wait()
				for range 4 {
					require.NoError(t, <-errs)
				}
				assert.Equal(t, 0, svc.InFlight())
			})
		})
	}

	t.Run("a waiting Call is not held to the reserve", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := newGated()
			svc, err := limit.New[int, int](g, 3, opts[0])
			require.NoError(t, err)
			done := make(chan error, 2)
			for range 2 {
				go func() { _, err := svc.Call(low, 1); done <- err }()
			}
			synctest.Wait()
			assert.Equal(t, 2, svc.InFlight())
			g.release <- struct{}{}
			g.release <- struct{}{}
			require.NoError(t, <-done)
			require.NoError(t, <-done)
		})
	})
}
