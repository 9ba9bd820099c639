package limit_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/limit"
)

func TestLayersPassTheContract(t *testing.T) {
	shared, err := limit.NewShared(4)
	require.NoError(t, err)
	t.Run("Layer", func(t *testing.T) { servicetest.CheckLayer(t, limit.Layer[int, int](4), 1) })
	t.Run("Layer with reject", func(t *testing.T) {
		servicetest.CheckLayer(t, limit.Layer[int, int](4, limit.WithReject()), 1)
	})
	t.Run("SharedLayer", func(t *testing.T) { servicetest.CheckLayer(t, limit.SharedLayer[int, int](shared), 1) })
}

func TestBadInput(t *testing.T) {
	shared, _ := limit.NewShared(1)
	var nilMock *servicetest.Mock[int, int]
	for _, tc := range []struct {
		name string
		make func() (*limit.Concurrency[int, int], error)
		want string
	}{
		{"a nil inner service", func() (*limit.Concurrency[int, int], error) { return limit.New[int, int](nil, 1) }, "limit: inner service is nil"},
		{"a typed-nil inner service", func() (*limit.Concurrency[int, int], error) { return limit.New[int, int](nilMock, 1) }, "limit: inner service is nil"},
		{"a nil service.Func", func() (*limit.Concurrency[int, int], error) {
			return limit.New[int, int](service.Func[int, int](nil), 1)
		}, "limit: inner service is nil"},
		{"a zero limit", func() (*limit.Concurrency[int, int], error) { return limit.New(double, 0) }, "limit: n must be at least 1, got 0"},
		{"a negative limit", func() (*limit.Concurrency[int, int], error) { return limit.New(double, -1) }, "limit: n must be at least 1, got -1"},
		{"a huge limit", func() (*limit.Concurrency[int, int], error) { return limit.New(double, math.MaxInt) }, "limit: n must be at most 2147483647, got 9223372036854775807"},
		{"a nil option", func() (*limit.Concurrency[int, int], error) { return limit.New(double, 1, nil) }, "limit: option is nil"},
		{"a nil inner service over a shared limit", func() (*limit.Concurrency[int, int], error) { return limit.NewWithShared[int, int](nil, shared) }, "limit: inner service is nil"},
		{"a nil shared limit", func() (*limit.Concurrency[int, int], error) { return limit.NewWithShared(double, nil) }, "limit: shared limit is nil"},
		{"a zero shared limit", func() (*limit.Concurrency[int, int], error) { return limit.NewWithShared(double, &limit.Shared{}) }, "limit: zero Shared has no permits (make one with NewShared)"},
		{"a nil option over a shared limit", func() (*limit.Concurrency[int, int], error) { return limit.NewWithShared(double, shared, nil) }, "limit: option is nil"},
		{"a reserve for low", func() (*limit.Concurrency[int, int], error) {
			return limit.New(double, 4, limit.WithReserve(service.PriorityLow, 1))
		}, "limit: reserve priority must be above low and at most critical, got low"},
		{"a reserve above critical", func() (*limit.Concurrency[int, int], error) {
			return limit.New(double, 4, limit.WithReserve(service.PriorityCritical+1, 1))
		}, "limit: reserve priority must be above low and at most critical, got Priority(4)"},
		{"a zero reserve", func() (*limit.Concurrency[int, int], error) {
			return limit.New(double, 4, limit.WithReserve(service.PriorityHigh, 0))
		}, "limit: reserve must be at least 1, got 0"},
		{"a negative reserve", func() (*limit.Concurrency[int, int], error) {
			return limit.New(double, 4, limit.WithReserve(service.PriorityHigh, math.MinInt))
		}, "limit: reserve must be at least 1, got -9223372036854775808"},
		{"a reserve of the whole limit", func() (*limit.Concurrency[int, int], error) {
			return limit.New(double, 4, limit.WithReserve(service.PriorityHigh, 4))
		}, "limit: reserve 4 must be below the limit 4"},
		{"a huge reserve over a shared limit", func() (*limit.Concurrency[int, int], error) {
			return limit.NewWithShared(double, shared, limit.WithReserve(service.PriorityNormal, math.MaxInt))
		}, "limit: reserve 9223372036854775807 must be below the limit 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.make()
			require.EqualError(t, err, tc.want)
			assert.Nil(t, c)
		})
	}
	for _, n := range []int{0, -1, math.MinInt, math.MaxInt32 + 1, math.MaxInt} {
		s, err := limit.NewShared(n)
		assert.ErrorContains(t, err, "limit: n must be", "NewShared(%d)", n)
		assert.Nil(t, s)
	}
	t.Run("the largest limit works", func(t *testing.T) {
		s, err := limit.NewShared(limit.MaxLimit)
		require.NoError(t, err)
		require.True(t, s.TryAcquire())
		s.Release()
	})
	t.Run("layers report bad input when applied, as a nil interface", func(t *testing.T) {
		for _, l := range []service.Layer[int, int]{
			limit.Layer[int, int](0), limit.Layer[int, int](1, nil),
			limit.SharedLayer[int, int](nil), limit.SharedLayer[int, int](&limit.Shared{}),
		} {
			svc, err := l(new(service.Scope), double)
			require.ErrorContains(t, err, "limit: ")
			assert.True(t, svc == nil)
		}
	})
	t.Run("a zero Shared used directly fails at once instead of waiting", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var s limit.Shared
			start := time.Now()
			require.EqualError(t, s.Acquire(t.Context()), "limit: zero Shared has no permits (make one with NewShared)")
			require.Error(t, s.Ready(t.Context()))
			assert.False(t, s.TryAcquire())
			assert.ErrorIs(t, s.TryReady(), limit.ErrLimited)
			assert.Zero(t, time.Since(start))
		})
	})
}

// TestCopiedPermitReleasedTwice is a regression test: a Permit copied and released
// through both copies gave back two permits, so that a limit of 2 admitted 3.
func TestCopiedPermitReleasedTwice(t *testing.T) {
	lim, err := limit.New(double, 2)
	require.NoError(t, err)
	p1, err := lim.TryAcquire()
	require.NoError(t, err)
	p2, err := lim.TryAcquire()
	require.NoError(t, err)
	defer p2.Release()

	cp := p1
	p1.Release()
	cp.Release() // a no-op: the copy shares p1's released state
	assert.Equal(t, 1, lim.InFlight())
	_, err = cp.Call(context.Background(), 1)
	assert.ErrorIs(t, err, limit.ErrPermitUsed)

	p3, err := lim.TryAcquire()
	require.NoError(t, err)
	defer p3.Release()
	_, err = lim.TryAcquire()
	require.ErrorIs(t, err, limit.ErrLimited, "a limit of 2 admitted a third permit")
	assert.Equal(t, 2, lim.InFlight())
}

func TestCopiedPermitUsedOnce(t *testing.T) {
	lim, err := limit.New(double, 1)
	require.NoError(t, err)
	p, err := lim.TryAcquire()
	require.NoError(t, err)
	cp := p
	res, err := cp.Call(context.Background(), 2)
	require.NoError(t, err)
	assert.Equal(t, 4, res)
	_, err = p.Call(context.Background(), 2)
	assert.ErrorIs(t, err, limit.ErrPermitUsed)
	p.Release()
	assert.Equal(t, 0, lim.InFlight())
	// The permit's state is recycled for the next permit; the stale copies still
	// cannot release it.
	q, err := lim.TryAcquire()
	require.NoError(t, err)
	p.Release()
	cp.Release()
	assert.Equal(t, 1, lim.InFlight())
	q.Release()
	assert.Equal(t, 0, lim.InFlight())
}

func TestWaitTimeoutEventCarriesElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ev servicetest.Events
		lim, err := limit.New(double, 1, limit.WithEvents(ev.Emit))
		require.NoError(t, err)
		p, err := lim.TryAcquire()
		require.NoError(t, err)
		defer p.Release()

		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		_, err = lim.Call(ctx, 1)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, 1, ev.Len())
		got := ev.All()[0]
		assert.Equal(t, service.EventTimedOut, got.Kind)
		assert.Equal(t, "limit", got.Stage)
		assert.Equal(t, 3*time.Second, got.Elapsed)

		// A TryCall refusal is the asking stage's to report: no event.
		_, err = lim.TryCall(t.Context(), 1)
		require.ErrorIs(t, err, limit.ErrLimited)
		// A cancelled waiter is not a decision of the limit's either.
		cctx, ccancel := context.WithCancel(t.Context())
		go func() { time.Sleep(time.Second); ccancel() }()
		_, err = lim.Call(cctx, 1)
		require.True(t, errors.Is(err, context.Canceled))
		assert.Equal(t, 1, ev.Len())
	})
}
