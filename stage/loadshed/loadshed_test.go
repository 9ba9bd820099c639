package loadshed_test

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
	"github.com/tower-go/tower/stage/loadshed"
)

var echo = service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })

// gated is an inner service whose calls block until the test releases them.
type gated struct {
	release  chan struct{}
	inFlight atomic.Int64
	calls    atomic.Int64
}

func newGated() *gated { return &gated{release: make(chan struct{})} }

func (g *gated) Call(ctx context.Context, x int) (int, error) {
	g.calls.Add(1)
	g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	select {
	case <-g.release:
		return x, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

type recorder = servicetest.Events

// readyInner has readiness but no TryCall.
type readyInner struct {
	ready error
	calls atomic.Int64
}

func (s *readyInner) Call(_ context.Context, x int) (int, error) { s.calls.Add(1); return x, nil }
func (s *readyInner) Ready(ctx context.Context) error {
	if s.ready != nil {
		return s.ready
	}
	return ctx.Err()
}
func (s *readyInner) TryReady() error { return s.ready }

// tryInner adds a TryCall that returns a scripted error.
type tryInner struct {
	readyInner
	tryErr   error
	tryCalls atomic.Int64
}

func (s *tryInner) TryCall(_ context.Context, x int) (int, error) {
	s.tryCalls.Add(1)
	return x, s.tryErr
}

var (
	full   = service.NewError("inner: full", service.ErrOverloaded)
	closed = service.NewError("inner: closed", service.ErrClosed)
)

func TestShedsOverALimitAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGated()
		lim, _ := limit.New[int, int](g, 2)
		var rec recorder
		svc, err := loadshed.Layer[int, int](loadshed.WithEvents(rec.Emit))(new(service.Scope), lim)
		require.NoError(t, err)

		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				res, err := svc.Call(context.Background(), i)
				assert.NoError(t, err)
				assert.Equal(t, i, res)
			})
		}
		synctest.Wait()
		require.Equal(t, int64(2), g.inFlight.Load())

		start := time.Now()
		_, err = svc.Call(context.Background(), 3)
		assert.Zero(t, time.Since(start), "a shed call does not wait")
		require.ErrorIs(t, err, loadshed.ErrShed)
		require.ErrorIs(t, err, service.ErrOverloaded)
		require.ErrorIs(t, err, limit.ErrLimited, "the inner refusal is wrapped, not lost")
		assert.Equal(t, int64(2), g.calls.Load())
		require.Equal(t, 1, rec.Len())
		assert.Equal(t, service.EventShed, rec.All()[0].Kind)
		assert.Equal(t, "loadshed", rec.All()[0].Stage)
		assert.Equal(t, err, rec.All()[0].Err)
		assert.Equal(t, 0, lim.Shared().Waiting(), "nothing queued for a permit")

		g.release <- struct{}{}
		synctest.Wait()
		wg.Go(func() {
			res, err := svc.Call(context.Background(), 4)
			assert.NoError(t, err, "a freed permit takes the next call")
			assert.Equal(t, 4, res)
		})
		synctest.Wait()
		assert.Equal(t, int64(2), g.inFlight.Load())
		assert.Equal(t, int64(3), g.calls.Load())
		close(g.release)
		wg.Wait()
		assert.Equal(t, 1, rec.Len())
	})
}

// TestShedsExactlyAtTheLimit fills a limit one call at a time: every call up to the
// limit is accepted and every call beyond it is shed.
func TestShedsExactlyAtTheLimit(t *testing.T) {
	for _, n := range []int{1, 2, 32} {
		t.Run("a limit of "+itoa(n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newGated()
				lim, _ := limit.New[int, int](g, n)
				svc, _ := loadshed.New[int, int](lim)
				errs := make(chan error, 2*n)
				for i := range 2 * n {
					go func() { _, err := svc.Call(context.Background(), i); errs <- err }()
					synctest.Wait()
					if i < n {
						assert.Equal(t, int64(i+1), g.inFlight.Load(), "call %d is accepted", i)
						assert.Empty(t, errs)
					} else {
						require.ErrorIs(t, <-errs, loadshed.ErrShed, "call %d is shed", i)
						assert.Equal(t, int64(n), g.inFlight.Load())
					}
				}
				close(g.release)
				for range n {
					require.NoError(t, <-errs)
				}
			})
		})
	}
}

// TestStressOverALimit has many goroutines call through load shedding over a small
// limit. The limit is never exceeded, every call ends accepted or shed, and both
// happen. Run it with -race.
func TestStressOverALimit(t *testing.T) {
	const n, goroutines = 4, 32
	calls := 1000
	if testing.Short() {
		calls = 100
	}
	var inFlight, peak atomic.Int64
	inner := service.Func[int, int](func(_ context.Context, x int) (int, error) {
		v := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); v > p && !peak.CompareAndSwap(p, v); p = peak.Load() {
		}
		if v > n {
			t.Errorf("%d in flight, limit %d", v, n)
		}
		time.Sleep(time.Microsecond)
		return x, nil
	})
	lim, _ := limit.New(inner, n)
	var shedEvents atomic.Int64
	svc, _ := loadshed.New(lim, loadshed.WithEvents(func(service.Event) { shedEvents.Add(1) }))
	var ok, shed atomic.Int64
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for i := range calls {
				_, err := svc.Call(context.Background(), i)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, loadshed.ErrShed):
					shed.Add(1)
				default:
					t.Errorf("unexpected error %v", err)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(goroutines*calls), ok.Load()+shed.Load())
	assert.Equal(t, shed.Load(), shedEvents.Load(), "one event per shed call")
	assert.Positive(t, ok.Load())
	assert.Positive(t, shed.Load())
	assert.LessOrEqual(t, peak.Load(), int64(n))
	assert.Equal(t, 0, lim.InFlight())
	t.Logf("ok %d, shed %d, peak %d", ok.Load(), shed.Load(), peak.Load())
}

func TestInnerWithoutTryCall(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ready     error
		wantErr   error
		wantShed  bool
		wantCalls int64
	}{
		{"a ready inner service is called", nil, nil, false, 1},
		{"an overloaded inner service is shed", full, full, true, 0},
		{"a permanent readiness error is returned, not shed", closed, closed, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inner := &readyInner{ready: tc.ready}
			var rec recorder
			svc, _ := loadshed.New[int, int](inner, loadshed.WithEvents(rec.Emit))
			res, err := svc.Call(context.Background(), 5)
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, 5, res)
			} else {
				require.ErrorIs(t, err, tc.wantErr)
			}
			assert.Equal(t, tc.wantShed, errors.Is(err, loadshed.ErrShed))
			assert.Equal(t, tc.wantShed, rec.Len() == 1)
			assert.Equal(t, tc.wantCalls, inner.calls.Load())
		})
	}
	t.Run("an inner service with no readiness is always called", func(t *testing.T) {
		svc, _ := loadshed.New(echo)
		res, err := svc.Call(context.Background(), 9)
		require.NoError(t, err)
		assert.Equal(t, 9, res)
		require.NoError(t, svc.TryReady())
	})
}

func TestInnerWithTryCall(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name     string
		tryErr   error
		wantShed bool
	}{
		{"an accepted call returns its answer", nil, false},
		{"an overloaded refusal is shed", full, true},
		{"a closed service's error is returned as it is", closed, false},
		{"a call's own error is returned as it is", boom, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inner := &tryInner{tryErr: tc.tryErr}
			var rec recorder
			svc, _ := loadshed.New[int, int](inner, loadshed.WithEvents(rec.Emit))
			_, err := svc.Call(context.Background(), 1)
			if tc.tryErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.tryErr)
			}
			if !tc.wantShed && tc.tryErr != nil {
				assert.Same(t, tc.tryErr, err, "not wrapped")
			}
			assert.Equal(t, tc.wantShed, errors.Is(err, loadshed.ErrShed))
			assert.Equal(t, tc.wantShed, rec.Len() == 1)
			assert.Equal(t, int64(1), inner.tryCalls.Load(), "the atomic TryCall is used")
			assert.Zero(t, inner.calls.Load())
		})
	}
}

func TestReadiness(t *testing.T) {
	for _, tc := range []struct {
		name  string
		inner service.Service[int, int]
		want  error
	}{
		{"always ready over a service without readiness", echo, nil},
		{"ready over an overloaded service, which it will shed", &readyInner{ready: full}, nil},
		{"reports a permanent readiness error", &readyInner{ready: closed}, closed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, _ := loadshed.New(tc.inner)
			assert.ErrorIs(t, svc.TryReady(), tc.want)
			assert.ErrorIs(t, svc.Ready(context.Background()), tc.want)
			if tc.want == nil {
				assert.NoError(t, svc.Ready(context.Background()))
			}
		})
	}
	t.Run("Ready never waits, even over a full limit", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim, _ := limit.New(echo, 1)
			p, _ := lim.TryAcquire()
			defer p.Release()
			svc, _ := loadshed.New[int, int](lim)
			start := time.Now()
			require.NoError(t, svc.Ready(context.Background()))
			assert.Zero(t, time.Since(start))
		})
	})
	t.Run("Ready reports an ended ctx", func(t *testing.T) {
		svc, _ := loadshed.New(echo)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.ErrorIs(t, svc.Ready(ctx), context.Canceled)
	})
}

func TestTryCallIsCall(t *testing.T) {
	lim, _ := limit.New(echo, 1)
	svc, _ := loadshed.New[int, int](lim)
	p, _ := lim.TryAcquire()
	_, err := service.TryCall[int, int](context.Background(), svc, 1)
	require.ErrorIs(t, err, loadshed.ErrShed)
	_, err = svc.TryCall(context.Background(), 1)
	require.ErrorIs(t, err, loadshed.ErrShed)
	p.Release()
	res, err := svc.TryCall(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, 1, res)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// TestWithPriorityShedsLowAndQueuesHigh: over limit(3) with a priority queue and
// one permit reserved for high priority, low calls are shed at once (with an event
// whose error matches limit.ErrReserved when a permit was free but reserved), high
// ones wait for a permit, bounded by their ctx, and are served before any low call.
func TestWithPriorityShedsLowAndQueuesHigh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGated()
		lim, err := limit.New[int, int](g, 3, limit.WithPriority(), limit.WithReserve(service.PriorityHigh, 1))
		require.NoError(t, err)
		var rec servicetest.Events
		s, err := loadshed.New[int, int](lim, loadshed.WithPriority(service.PriorityHigh), loadshed.WithEvents(rec.Emit))
		require.NoError(t, err)
		low := service.WithPriority(context.Background(), service.PriorityLow)
		high := service.WithPriority(context.Background(), service.PriorityHigh)

		errs := make(chan error, 8)
		call := func(ctx context.Context) { go func() { _, err := s.Call(ctx, 1); errs <- err }() }
		call(low)
		call(low)
		synctest.Wait()
		assert.Equal(t, 2, lim.InFlight())
		call(low) // one permit free, but reserved
		synctest.Wait()
		err = <-errs
		require.ErrorIs(t, err, loadshed.ErrShed)
		require.ErrorIs(t, err, limit.ErrReserved)
		call(high) // takes the reserved permit
		call(high) // none free: waits instead of being shed
		synctest.Wait()
		assert.Equal(t, 3, lim.InFlight())
		assert.Equal(t, 1, lim.Shared().Waiting())
		assert.Empty(t, errs)
		call(low) // a high call is waiting: shed, not reserved
		synctest.Wait()
		err = <-errs
		require.ErrorIs(t, err, loadshed.ErrShed)
		require.ErrorIs(t, err, limit.ErrLimited)
		assert.NotErrorIs(t, err, limit.ErrReserved)

		events := rec.All()
		require.Len(t, events, 2, "one event per shed call, none for the waiting high call")
		assert.Equal(t, service.EventShed, events[0].Kind)
		assert.ErrorIs(t, events[0].Err, limit.ErrReserved)
		assert.NotErrorIs(t, events[1].Err, limit.ErrReserved)

		g.release <- struct{}{} // one call ends: the waiting high call gets its permit
		synctest.Wait()
		require.NoError(t, <-errs)
		assert.Equal(t, 3, lim.InFlight())
		assert.Equal(t, 0, lim.Shared().Waiting())

		ctx, cancel := context.WithTimeout(high, time.Millisecond)
		defer cancel()
		_, err = s.Call(ctx, 1) // the wait of a high call is bounded by its ctx
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Len(t, rec.All(), 2, "a high call that timed out was not shed by the stage")

		for range 3 {
			g.release <- struct{}{}
		}
		synctest.Wait()
		for range 3 {
			require.NoError(t, <-errs)
		}
		assert.Equal(t, int64(4), g.calls.Load(), "two low and two high calls reached the service")
	})
}
