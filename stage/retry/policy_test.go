package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/retry"
)

func TestNewPolicy(t *testing.T) {
	tests := []struct {
		name string
		max  int
		opts []retry.PolicyOption
		want string
	}{
		{"zero attempts are refused", 0, nil, "retry: max attempts must be at least 1, got 0"},
		{"a nil RetryIf is refused", 3, []retry.PolicyOption{retry.RetryIf(nil)}, "retry: RetryIf function is nil"},
		{"a bad backoff is refused", 3, []retry.PolicyOption{retry.WithBackoff(retry.Backoff{Min: -1, Max: 1})}, "retry: backoff min must be positive, got -1ns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := retry.NewPolicy[int, int](tt.max, tt.opts...)
			require.EqualError(t, err, tt.want)
			assert.Nil(t, p)
		})
	}
	t.Run("a nil clone is refused", func(t *testing.T) {
		p, err := retry.NewPolicy[int, int](3, nil)
		require.NoError(t, err)
		assert.Equal(t, 3, p.MaxAttempts())
		_, err = p.WithClone(nil)
		assert.EqualError(t, err, "retry: clone function is nil")
	})
}

func TestStandardPolicy(t *testing.T) {
	errTransient := errors.New("transient")
	errPermanent := errors.New("permanent")
	onlyTransient := retry.RetryIf(func(err error) bool { return errors.Is(err, errTransient) })
	tests := []struct {
		name    string
		opts    []retry.PolicyOption
		err     error
		attempt int
		want    bool
	}{
		{"a success is not retried", nil, nil, 1, false},
		{"a failure with attempts left is retried", nil, errTransient, 1, true},
		{"the second failure of three is retried", nil, errTransient, 2, true},
		{"the last attempt is not retried", nil, errTransient, 3, false},
		{"context.Canceled is not retried", nil, context.Canceled, 1, false},
		{"a wrapped context.Canceled is not retried", nil, fmt.Errorf("dial: %w", context.Canceled), 1, false},
		{"context.DeadlineExceeded is retried", nil, context.DeadlineExceeded, 1, true},
		{"ErrClosed is not retried", nil, service.ErrClosed, 1, false},
		{"ErrRejected is not retried", nil, service.ErrRejected, 1, false},
		{"ErrFailed is not retried", nil, &service.FailedError{Err: errTransient}, 1, false},
		{"ErrOverloaded is retried", nil, service.ErrOverloaded, 1, true},
		{"a panic is retried", nil, &service.PanicError{Value: "x"}, 1, true},
		{"RetryIf accepts what it chooses", []retry.PolicyOption{onlyTransient}, errTransient, 1, true},
		{"RetryIf refuses what it chooses", []retry.PolicyOption{onlyTransient}, errPermanent, 1, false},
		{"RetryIf is not asked about successes", []retry.PolicyOption{retry.RetryIf(func(error) bool { return true })}, nil, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := retry.NewPolicy[int, int](3, tt.opts...)
			require.NoError(t, err)
			wait, again := p.Retry(context.Background(), 1, 0, tt.err, tt.attempt)
			assert.Equal(t, tt.want, again)
			assert.Zero(t, wait, "no backoff, no wait")
		})
	}
	t.Run("the wait comes from the backoff", func(t *testing.T) {
		p, err := retry.NewPolicy[int, int](5, retry.WithBackoff(retry.Backoff{Min: time.Second, Max: time.Second}))
		require.NoError(t, err)
		for attempt := 1; attempt < 5; attempt++ {
			wait, again := p.Retry(context.Background(), 1, 0, errTransient, attempt)
			assert.True(t, again)
			assert.Equal(t, time.Second, wait)
		}
	})
	t.Run("Clone is the identity unless set", func(t *testing.T) {
		p, err := retry.NewPolicy[int, int](3)
		require.NoError(t, err)
		assert.Equal(t, 7, p.Clone(7))
		q, err := p.WithClone(func(r int) int { return r * 2 })
		require.NoError(t, err)
		assert.Equal(t, 14, q.Clone(7))
		assert.Equal(t, 7, p.Clone(7), "WithClone leaves the original alone")
	})
}

func TestBackoff(t *testing.T) {
	t.Run("bad input is refused", func(t *testing.T) {
		for _, tt := range []struct {
			min, max time.Duration
			factor   float64
			want     string
		}{
			{-time.Second, time.Second, 2, "retry: backoff min must be positive, got -1s"},
			{0, time.Second, 2, "retry: backoff min must be positive, got 0s"},
			{time.Second, time.Millisecond, 2, "retry: backoff max 1ms is less than min 1s"},
			{time.Millisecond, time.Second, 0.5, "retry: backoff factor must be at least 1, got 0.5"},
			{time.Millisecond, time.Second, -1, "retry: backoff factor must be at least 1, got -1"},
		} {
			_, err := retry.NewBackoff(tt.min, tt.max, tt.factor)
			assert.EqualError(t, err, tt.want)
		}
	})
	t.Run("the zero backoff waits nothing", func(t *testing.T) {
		b, err := retry.NewBackoff(0, 0, 0)
		require.NoError(t, err)
		for n := 1; n < 10; n++ {
			assert.Zero(t, b.Delay(n))
		}
	})
	t.Run("waits stay within [min, min·factor^n] capped at max and use the range", func(t *testing.T) {
		b, err := retry.NewBackoff(10*time.Millisecond, time.Second, 3)
		require.NoError(t, err)
		for n := 1; n <= 8; n++ {
			ceiling := min(time.Second, 10*time.Millisecond*time.Duration(pow(3, n)))
			lo, hi := time.Duration(1<<62), time.Duration(0)
			for range 2000 {
				d := b.Delay(n)
				require.GreaterOrEqual(t, d, 10*time.Millisecond)
				require.LessOrEqual(t, d, ceiling, "retry %d", n)
				lo, hi = min(lo, d), max(hi, d)
			}
			spread := ceiling - 10*time.Millisecond
			assert.Less(t, lo, 10*time.Millisecond+spread/10, "retry %d: jitter reaches the bottom of the range", n)
			assert.Greater(t, hi, ceiling-spread/10, "retry %d: jitter reaches the top of the range", n)
		}
	})
	t.Run("factor 0 means 2", func(t *testing.T) {
		b := retry.Backoff{Min: time.Millisecond, Max: time.Hour}
		for range 100 {
			assert.LessOrEqual(t, b.Delay(3), 8*time.Millisecond)
		}
	})
	t.Run("a huge retry number is capped at max", func(t *testing.T) {
		b := retry.Backoff{Min: time.Millisecond, Max: time.Second, Factor: 2}
		for range 100 {
			assert.LessOrEqual(t, b.Delay(10_000), time.Second)
		}
	})
	t.Run("min equal to max is a constant wait", func(t *testing.T) {
		b := retry.Backoff{Min: time.Second, Max: time.Second, Factor: 5}
		assert.Equal(t, time.Second, b.Delay(1))
		assert.Equal(t, time.Second, b.Delay(7))
	})
}

func pow(b, n int) int {
	r := 1
	for range n {
		r *= b
	}
	return r
}

func TestNoAllocations(t *testing.T) {
	p, err := retry.NewPolicy[uint64, uint64](3)
	require.NoError(t, err)
	r, err := retry.New[uint64, uint64](flaky(2), p)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(1000, func() { _, _ = r.Call(context.Background(), 1) })
	assert.Zero(t, allocs, "retries without backoff use no timer and allocate nothing")
}

func TestDefaultRetryable(t *testing.T) {
	type uncomparable struct {
		error
		_ []int
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil is not retried", nil, false},
		{"a plain error is retried", errors.New("x"), true},
		{"context.Canceled is not", context.Canceled, false},
		{"a wrapped ErrClosed is not", fmt.Errorf("a: %w", fmt.Errorf("b: %w", service.ErrClosed)), false},
		{"an error that Is ErrClosed is not", service.NewError("stopped", service.ErrClosed), false},
		{"ErrRejected in a join is not", errors.Join(errors.New("x"), service.ErrRejected), false},
		{"a join of retryable errors is", errors.Join(errors.New("x"), service.ErrOverloaded), true},
		{"a FailedError is not", &service.FailedError{Err: errors.New("x")}, false},
		{"an uncomparable error wrapping nothing final is", uncomparable{error: errors.New("x")}, true},
		{"context.DeadlineExceeded is", context.DeadlineExceeded, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, retry.DefaultRetryable(tt.err))
			if tt.err != nil { // the same answer as four calls of errors.Is
				ref := !errors.Is(tt.err, context.Canceled) && !errors.Is(tt.err, service.ErrClosed) &&
					!errors.Is(tt.err, service.ErrRejected) && !errors.Is(tt.err, service.ErrFailed)
				assert.Equal(t, ref, retry.DefaultRetryable(tt.err))
			}
		})
	}
}
