package breaker_test

import (
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/breaker"
)

func TestCheckLayer(t *testing.T) {
	servicetest.CheckLayer(t, breaker.Layer[int, int](), 1)
	servicetest.CheckLayer(t, breaker.Layer[int, int](breaker.WithFailureRate(0.5, time.Second, 10)), 1)
}

var _ service.TryCaller[int, int] = (*breaker.Breaker[int, int])(nil)

func TestBadInput(t *testing.T) {
	t.Run("nil and typed-nil inner services are rejected", func(t *testing.T) {
		for _, inner := range []service.Service[int, int]{nil, (*servicetest.Mock[int, int])(nil), service.Func[int, int](nil)} {
			b, err := breaker.New(inner)
			require.EqualError(t, err, "breaker: inner service is nil")
			assert.Nil(t, b)
			s, err := breaker.Layer[int, int]()(new(service.Scope), inner)
			require.Error(t, err)
			assert.True(t, s == nil)
		}
	})
	for _, tc := range []struct {
		name string
		opt  breaker.Option
		want string
	}{
		{"negative consecutive failures", breaker.WithConsecutiveFailures(-1), "breaker: consecutive failures must be at least 1, got -1"},
		{"MinInt consecutive failures", breaker.WithConsecutiveFailures(math.MinInt), "breaker: consecutive failures must be at least 1, got -9223372036854775808"},
		{"NaN failure rate", breaker.WithFailureRate(math.NaN(), time.Second, 1), "breaker: failure rate must be in (0, 1], got NaN"},
		{"+Inf failure rate", breaker.WithFailureRate(math.Inf(1), time.Second, 1), "breaker: failure rate must be in (0, 1], got +Inf"},
		{"negative failure rate", breaker.WithFailureRate(-0.5, time.Second, 1), "breaker: failure rate must be in (0, 1], got -0.5"},
		{"negative window", breaker.WithFailureRate(0.5, -time.Second, 1), "breaker: failure rate window must be at least 10ns, got -1s"},
		{"a window of 9ns", breaker.WithFailureRate(0.5, 9, 1), "breaker: failure rate window must be at least 10ns, got 9ns"},
		{"negative minimum volume", breaker.WithFailureRate(0.5, time.Second, -1), "breaker: failure rate minimum volume must be at least 1, got -1"},
		{"zero open timeout", breaker.WithOpenTimeout(0), "breaker: open timeout must be positive, got 0s"},
		{"MinInt64 open timeout", breaker.WithOpenTimeout(math.MinInt64), "breaker: open timeout must be positive, got -2562047h47m16.854775808s"},
		{"negative probes", breaker.WithProbes(-1), "breaker: probes must be at least 1, got -1"},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			b, err := breaker.New[int, int](&scripted{}, tc.opt)
			require.EqualError(t, err, tc.want)
			assert.Nil(t, b)
		})
	}
	t.Run("huge values are accepted and mean what they say", func(t *testing.T) {
		for _, opt := range []breaker.Option{
			breaker.WithConsecutiveFailures(math.MaxInt), breaker.WithProbes(math.MaxInt),
			breaker.WithFailureRate(1, math.MaxInt64, math.MaxInt), breaker.WithOpenTimeout(math.MaxInt64),
			breaker.WithEvents(nil), breaker.WithOnStateChange(nil),
		} {
			b, err := breaker.New[int, int](&scripted{}, opt)
			require.NoError(t, err)
			require.NoError(t, call(t, b))
		}
	})
	t.Run("WithOpenTimeout(MaxInt64): a tripped breaker stays open, it is not half-open at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{err: errBoom}
			b := mustNew(t, inner, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(math.MaxInt64))
			time.Sleep(time.Hour) // the breaker's clock is well past its start: now + d overflows
			require.ErrorIs(t, call(t, b), errBoom)
			time.Sleep(365 * 24 * time.Hour)
			assert.Equal(t, breaker.Open, b.State())
			require.ErrorIs(t, call(t, b), breaker.ErrOpen)
			require.ErrorIs(t, b.TryReady(), breaker.ErrOpen)
			assert.Equal(t, 1, inner.count())
		})
	})
	t.Run("a failure-rate window of MaxInt64 counts every outcome since the breaker closed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{}
			b := mustNew(t, inner, breaker.WithFailureRate(0.5, math.MaxInt64, 4))
			require.NoError(t, call(t, b))
			require.NoError(t, call(t, b))
			time.Sleep(1000 * time.Hour)
			inner.set(errBoom)
			_ = call(t, b)
			assert.Equal(t, breaker.Closed, b.State())
			_ = call(t, b) // 2 of 4 failed
			assert.Equal(t, breaker.Open, b.State())
		})
	})
}
