package ratelimit_test

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/ratelimit"
)

func TestLayersPassTheContract(t *testing.T) {
	t.Run("Layer", func(t *testing.T) {
		lim, err := ratelimit.NewLimiter(1000, 100)
		require.NoError(t, err)
		servicetest.CheckLayer(t, ratelimit.Layer[int, int](lim), 1)
	})
	t.Run("LayerRate", func(t *testing.T) { servicetest.CheckLayer(t, ratelimit.LayerRate[int, int](1000, 100), 1) })
	t.Run("LayerRate failing fast", func(t *testing.T) {
		servicetest.CheckLayer(t, ratelimit.LayerRate[int, int](1000, 100, ratelimit.WithFailFast()), 1)
	})
}

var echoInt = service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name      string
		perSecond float64
		burst     int
		want      string
	}{
		{"a zero rate", 0, 1, "ratelimit: rate must be positive and finite, got 0"},
		{"a negative rate", -2, 1, "ratelimit: rate must be positive and finite, got -2"},
		{"a rate that is not a number", math.NaN(), 1, "ratelimit: rate must be positive and finite, got NaN"},
		{"an infinite rate", math.Inf(1), 1, "ratelimit: rate must be positive and finite, got +Inf"},
		{"a negative infinite rate", math.Inf(-1), 1, "ratelimit: rate must be positive and finite, got -Inf"},
		{"a zero burst", 1, 0, "ratelimit: burst must be at least 1, got 0"},
		{"a negative burst", 1, -1, "ratelimit: burst must be at least 1, got -1"},
		{"the most negative burst", 1, math.MinInt, "ratelimit: burst must be at least 1, got -9223372036854775808"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lim, err := ratelimit.NewLimiter(tc.perSecond, tc.burst)
			require.EqualError(t, err, tc.want)
			assert.Nil(t, lim)
			svc, err := ratelimit.LayerRate[int, int](tc.perSecond, tc.burst)(new(service.Scope), echoInt)
			require.EqualError(t, err, tc.want, "LayerRate reports it when applied")
			assert.True(t, svc == nil)
		})
	}
	lim := newLimiter(t, 5, 2)
	assert.Equal(t, 5.0, lim.Rate())
	assert.Equal(t, 2, lim.Burst())
	for _, tc := range []struct {
		name string
		make func() (*ratelimit.Throttle[int, int], error)
		want string
	}{
		{"a nil inner service", func() (*ratelimit.Throttle[int, int], error) { return ratelimit.New[int, int](nil, lim) }, "ratelimit: inner service is nil"},
		{"a typed-nil inner service", func() (*ratelimit.Throttle[int, int], error) {
			return ratelimit.New[int, int]((*servicetest.Mock[int, int])(nil), lim)
		}, "ratelimit: inner service is nil"},
		{"a nil service.Func", func() (*ratelimit.Throttle[int, int], error) {
			return ratelimit.New[int, int](service.Func[int, int](nil), lim)
		}, "ratelimit: inner service is nil"},
		{"a nil limiter", func() (*ratelimit.Throttle[int, int], error) { return ratelimit.New[int, int](echoInt, nil) }, "ratelimit: limiter is nil"},
		{"a zero limiter", func() (*ratelimit.Throttle[int, int], error) {
			return ratelimit.New[int, int](echoInt, &ratelimit.Limiter{})
		}, "ratelimit: zero Limiter has no bucket (make one with NewLimiter)"},
		{"a nil option", func() (*ratelimit.Throttle[int, int], error) { return ratelimit.New[int, int](echoInt, lim, nil) }, "ratelimit: option is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.make()
			require.EqualError(t, err, tc.want)
			assert.Nil(t, s)
		})
	}
	t.Run("layers report bad input when applied, as a nil interface", func(t *testing.T) {
		for _, l := range []service.Layer[int, int]{
			ratelimit.Layer[int, int](nil), ratelimit.Layer[int, int](&ratelimit.Limiter{}),
			ratelimit.Layer[int, int](lim, nil), ratelimit.LayerRate[int, int](1, 1, nil),
		} {
			svc, err := l(new(service.Scope), echoInt)
			require.ErrorContains(t, err, "ratelimit: ")
			assert.True(t, svc == nil)
		}
	})
	t.Run("a huge burst is a bucket that large", func(t *testing.T) {
		lim := newLimiter(t, 1, math.MaxInt)
		for range 1000 {
			require.True(t, lim.Allow())
		}
	})
	t.Run("a huge rate is no limit", func(t *testing.T) {
		lim := newLimiter(t, math.MaxFloat64, 1)
		for range 1000 {
			require.True(t, lim.Allow())
		}
	})
	t.Run("a tiny rate does not overflow a wait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			svc, err := ratelimit.New[int, int](echoInt, newLimiter(t, math.SmallestNonzeroFloat64, 1))
			require.NoError(t, err)
			_, err = svc.Call(t.Context(), 1)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(t.Context(), time.Duration(math.MaxInt64/2)) // ~146 years
			defer cancel()
			start := time.Now()
			_, err = svc.Call(ctx, 1)
			require.ErrorIs(t, err, ratelimit.ErrLimited, "the token comes after even the largest deadline")
			assert.Zero(t, time.Since(start))
			require.ErrorIs(t, svc.Ready(ctx), ratelimit.ErrLimited)
		})
	})
}

func TestWaitEventCarriesElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var rec servicetest.Events
		svc, err := ratelimit.New[int, int](echoInt, newLimiter(t, 2, 1), ratelimit.WithEvents(rec.Emit))
		require.NoError(t, err)
		_, err = svc.Call(t.Context(), 1)
		require.NoError(t, err)
		_, err = svc.Call(t.Context(), 2) // waits half a second for its token
		require.NoError(t, err)
		require.Equal(t, 1, rec.Len())
		ev := rec.All()[0]
		assert.Equal(t, service.EventRateLimited, ev.Kind)
		assert.NoError(t, ev.Err)
		assert.Equal(t, 500*time.Millisecond, ev.Elapsed)
	})
}
