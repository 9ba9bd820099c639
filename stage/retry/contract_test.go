package retry_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/retry"
)

func TestCheckLayer(t *testing.T) {
	b, err := retry.NewBudget(10*time.Second, 10, 0.2)
	require.NoError(t, err)
	t.Run("Layer over NewPolicy", func(t *testing.T) {
		servicetest.CheckLayer(t, retry.Layer[int, int](policy(t, 3)), 1)
	})
	t.Run("Layer over Attempts, with a budget", func(t *testing.T) {
		servicetest.CheckLayer(t, retry.Layer[int, int](retry.Attempts[int, int](3), retry.WithBudget(b)), 1)
	})
}

// customPolicy is a Policy that is not the standard one, as a pointer type.
type customPolicy struct{}

func (*customPolicy) Retry(context.Context, int, int, error, int) (time.Duration, bool) {
	return 0, false
}
func (*customPolicy) Clone(r int) int { return r }

func TestBadInput(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil })
	good := policy(t, 3)
	tests := []struct {
		name   string
		inner  service.Service[int, int]
		policy retry.Policy[int, int]
		opts   []retry.Option
		want   string // "" when the stage is built
	}{
		{"nil inner", nil, good, nil, "retry: inner service is nil"},
		{"typed-nil inner", (*servicetest.Mock[int, int])(nil), good, nil, "retry: inner service is nil"},
		{"nil Func inner", service.Func[int, int](nil), good, nil, "retry: inner service is nil"},
		{"nil policy", echo, nil, nil, "retry: policy is nil"},
		{"typed-nil standard policy", echo, (*retry.StandardPolicy[int, int])(nil), nil, "retry: policy is nil"},
		{"typed-nil custom policy", echo, (*customPolicy)(nil), nil, "retry: policy is nil"},
		{"zero StandardPolicy", echo, &retry.StandardPolicy[int, int]{}, nil, "retry: policy is a zero StandardPolicy; make one with retry.NewPolicy or retry.Attempts"},
		{"Attempts(0)", echo, retry.Attempts[int, int](0), nil, "retry: max attempts must be at least 1, got 0"},
		{"Attempts(-1)", echo, retry.Attempts[int, int](-1), nil, "retry: max attempts must be at least 1, got -1"},
		{"Attempts(MinInt)", echo, retry.Attempts[int, int](math.MinInt), nil, "retry: max attempts must be at least 1, got -9223372036854775808"},
		{"Attempts(MaxInt) is a policy bounded by the budget and ctx only", echo, retry.Attempts[int, int](math.MaxInt), nil, ""},
		{"Attempts with a nil RetryIf", echo, retry.Attempts[int, int](3, retry.RetryIf(nil)), nil, "retry: RetryIf function is nil"},
		{"Attempts with a nil PolicyOption", echo, retry.Attempts[int, int](3, nil), nil, ""},
		{"backoff NaN factor", echo, retry.Attempts[int, int](3, retry.WithBackoff(retry.Backoff{Min: 1, Max: 2, Factor: math.NaN()})), nil, "retry: backoff factor must be at least 1, got NaN"},
		{"backoff +Inf factor", echo, retry.Attempts[int, int](3, retry.WithBackoff(retry.Backoff{Min: 1, Max: 2, Factor: math.Inf(1)})), nil, "retry: backoff factor must be at least 1, got +Inf"},
		{"backoff factor below 1", echo, retry.Attempts[int, int](3, retry.WithBackoff(retry.Backoff{Min: 1, Max: 2, Factor: 0.5})), nil, "retry: backoff factor must be at least 1, got 0.5"},
		{"backoff negative min", echo, retry.Attempts[int, int](3, retry.WithBackoff(retry.Backoff{Min: -1, Max: 2})), nil, "retry: backoff min must be positive, got -1ns"},
		{"backoff max below min", echo, retry.Attempts[int, int](3, retry.WithBackoff(retry.Backoff{Min: 2, Max: 1})), nil, "retry: backoff max 1ns is less than min 2ns"},
		{"backoff of MaxInt64 durations", echo, retry.Attempts[int, int](3, retry.WithBackoff(retry.Backoff{Min: math.MaxInt64, Max: math.MaxInt64})), nil, ""},
		{"nil budget", echo, good, []retry.Option{retry.WithBudget(nil)}, "retry: budget is nil"},
		{"typed-nil budget", echo, good, []retry.Option{retry.WithBudget((*retry.TpsBudget)(nil))}, "retry: budget is nil"},
		{"zero TpsBudget", echo, good, []retry.Option{retry.WithBudget(&retry.TpsBudget{})}, "retry: budget is a zero TpsBudget; make one with retry.NewBudget"},
		{"nil Option", echo, good, []retry.Option{nil}, ""},
		{"nil events hook", echo, good, []retry.Option{retry.WithEvents(nil)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := retry.New(tt.inner, tt.policy, tt.opts...)
			svc, lerr := retry.Layer(tt.policy, tt.opts...)(new(service.Scope), tt.inner)
			if tt.want != "" {
				require.EqualError(t, err, tt.want)
				assert.Nil(t, r)
				require.EqualError(t, lerr, tt.want)
				assert.True(t, svc == nil, "the layer must return an untyped nil service")
				return
			}
			require.NoError(t, err)
			require.NoError(t, lerr)
			res, err := r.Call(t.Context(), 7)
			require.NoError(t, err)
			assert.Equal(t, 7, res)
		})
	}
	t.Run("NewPolicy reports what Attempts defers", func(t *testing.T) {
		_, err := retry.NewPolicy[int, int](0)
		require.EqualError(t, err, "retry: max attempts must be at least 1, got 0")
		_, err = (&retry.StandardPolicy[int, int]{}).WithClone(func(r int) int { return r })
		require.Error(t, err)
	})
	t.Run("NewBudget rejects NaN, Inf, negative and out-of-range values", func(t *testing.T) {
		for _, c := range []struct {
			ttl   time.Duration
			min   int
			ratio float64
		}{
			{0, 0, 0.2}, {-time.Second, 0, 0.2}, {math.MaxInt64, 0, 0.2}, {time.Second, -1, 0.2},
			{time.Second, 0, math.NaN()}, {time.Second, 0, math.Inf(1)}, {time.Second, 0, -0.1},
			{time.Second, 0, 1e-9}, {time.Second, 0, 1001},
		} {
			b, err := retry.NewBudget(c.ttl, c.min, c.ratio)
			assert.Error(t, err, "%+v", c)
			assert.Nil(t, b)
		}
		b, err := retry.NewBudget(time.Minute, math.MaxInt, 1000) // huge floor: capped, no overflow
		require.NoError(t, err)
		assert.True(t, b.Withdraw())
	})
	t.Run("a zero TpsBudget used directly allows nothing and does not panic", func(t *testing.T) {
		var b retry.TpsBudget
		b.Deposit()
		assert.False(t, b.Withdraw())
	})
	t.Run("an unvalidated Backoff does not panic", func(t *testing.T) {
		for _, b := range []retry.Backoff{
			{Min: math.MinInt64, Max: math.MaxInt64}, {Min: -5, Max: 10}, {Min: 10, Max: 5},
			{Min: 1, Max: math.MaxInt64, Factor: math.NaN()},
		} {
			for _, n := range []int{0, 1, 64, math.MaxInt} {
				assert.NotPanics(t, func() { b.Delay(n) }, "%+v Delay(%d)", b, n)
			}
		}
	})
}

// refuser is an inner service whose TryCall refuses while full is set, and counts
// what reaches it.
type refuser struct {
	full  bool
	tries int
	calls int
	err   error // what an accepted call returns
}

func (s *refuser) Call(context.Context, int) (int, error) {
	s.calls++
	return 0, s.err
}

func (s *refuser) TryCall(ctx context.Context, r int) (int, error) {
	s.tries++
	if s.full {
		return 0, service.ErrOverloaded
	}
	return s.Call(ctx, r)
}

func TestTryCall(t *testing.T) {
	b, err := retry.NewBudget(10*time.Second, 0, 1)
	require.NoError(t, err)
	t.Run("a refused first attempt returns at once: no retry, no backoff, no deposit", func(t *testing.T) {
		in := &refuser{full: true}
		ev := &servicetest.Events{}
		slow := retry.Attempts[int, int](3, retry.WithBackoff(retry.Backoff{Min: time.Hour, Max: time.Hour}))
		r, err := retry.New[int, int](in, slow, retry.WithBudget(b), retry.WithEvents(ev.Emit))
		require.NoError(t, err)
		_, err = r.TryCall(t.Context(), 1)
		require.ErrorIs(t, err, service.ErrOverloaded)
		assert.Equal(t, 1, in.tries)
		assert.Equal(t, 0, in.calls)
		assert.Zero(t, ev.Len())
		assert.False(t, b.Withdraw(), "a refused call deposited")
	})
	t.Run("once accepted, later attempts are ordinary calls", func(t *testing.T) {
		in := &refuser{err: errFlaky}
		r, err := retry.New[int, int](in, policy(t, 3))
		require.NoError(t, err)
		_, err = r.TryCall(t.Context(), 1)
		require.ErrorIs(t, err, errFlaky)
		assert.Equal(t, 1, in.tries)
		assert.Equal(t, 3, in.calls) // the accepted first attempt, then two Calls
	})
}

func TestDefaultRetryableUnavailable(t *testing.T) {
	assert.False(t, retry.DefaultRetryable(service.ErrUnavailable))
	assert.False(t, retry.DefaultRetryable(service.NewError("x: down", service.ErrUnavailable)))
	assert.False(t, retry.DefaultRetryable(errors.Join(errFlaky, service.ErrUnavailable)))
	assert.True(t, retry.DefaultRetryable(service.ErrOverloaded))
}
