package retry_test

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
	"github.com/tower-go/tower/stage/retry"
)

func newBudget(t *testing.T, ttl time.Duration, minPerSec int, ratio float64) *retry.TpsBudget {
	t.Helper()
	b, err := retry.NewBudget(ttl, minPerSec, ratio)
	require.NoError(t, err)
	return b
}

func deposit(b *retry.TpsBudget, n int) {
	for range n {
		b.Deposit()
	}
}

// drain withdraws until the budget refuses and returns how many it allowed.
func drain(b *retry.TpsBudget) int {
	n := 0
	for b.Withdraw() {
		n++
		if n > 1_000_000 {
			panic("budget never runs out")
		}
	}
	return n
}

func TestNewBudget(t *testing.T) {
	tests := []struct {
		name      string
		ttl       time.Duration
		minPerSec int
		ratio     float64
		want      string
	}{
		{"a ttl under a second is refused", 999 * time.Millisecond, 10, 0.2, "retry: budget ttl must be between 1s and 1m, got 999ms"},
		{"a ttl over a minute is refused", time.Minute + 1, 10, 0.2, "retry: budget ttl must be between 1s and 1m, got 1m0.000000001s"},
		{"a negative floor is refused", time.Second, -1, 0.2, "retry: budget min per second must not be negative, got -1"},
		{"a negative ratio is refused", time.Second, 10, -0.1, "retry: budget ratio must be between 0 and 1000, got -0.1"},
		{"a ratio over 1000 is refused", time.Second, 10, 1000.5, "retry: budget ratio must be between 0 and 1000, got 1000.5"},
		{"a ratio too small to count is refused", time.Second, 10, 1e-17, "retry: budget ratio must be 0 or at least 1e-06, got 1e-17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := retry.NewBudget(tt.ttl, tt.minPerSec, tt.ratio)
			require.EqualError(t, err, tt.want)
			assert.Nil(t, b)
		})
	}
	t.Run("the bounds themselves are accepted", func(t *testing.T) {
		for _, ttl := range []time.Duration{time.Second, time.Minute} {
			for _, ratio := range []float64{0, 1e-6, 1000} {
				_, err := retry.NewBudget(ttl, 0, ratio)
				assert.NoError(t, err)
			}
		}
	})
}

func TestBudget(t *testing.T) {
	t.Run("the retry ratio is respected", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for _, tt := range []struct {
				ratio    float64
				deposits int
				want     int
			}{{0.1, 100, 10}, {0.2, 100, 20}, {0.25, 7, 1}, {1, 30, 30}, {2, 5, 10}, {1.5, 10, 15}, {300, 10, 3000}, {700, 10, 7000}, {1000, 1, 1000}, {0, 100, 0}} {
				b := newBudget(t, 10*time.Second, 0, tt.ratio)
				deposit(b, tt.deposits)
				assert.Equal(t, tt.want, drain(b), "ratio %v, %d deposits", tt.ratio, tt.deposits)
			}
		})
	})
	t.Run("the floor allows minPerSec times ttl retries per ttl without traffic", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := newBudget(t, 10*time.Second, 10, 0)
			assert.Equal(t, 100, drain(b))
			time.Sleep(9 * time.Second)
			assert.Zero(t, drain(b), "withdrawals count for ttl")
			time.Sleep(time.Second)
			assert.Equal(t, 100, drain(b), "and then expire")
		})
	})
	t.Run("the floor adds to the ratio", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := newBudget(t, 2*time.Second, 3, 0.5)
			deposit(b, 10)
			assert.Equal(t, 3*2+5, drain(b))
		})
	})
	t.Run("deposits expire after ttl", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			a := newBudget(t, 10*time.Second, 0, 1)
			b := newBudget(t, 10*time.Second, 0, 1)
			deposit(a, 10)
			deposit(b, 10)
			time.Sleep(10*time.Second - time.Nanosecond)
			assert.Equal(t, 10, drain(a), "still there just before ttl")
			time.Sleep(time.Nanosecond)
			assert.Zero(t, drain(b), "gone at ttl")
		})
	})
	t.Run("the window slides: only the last ttl counts", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := newBudget(t, 10*time.Second, 0, 1)
			for range 20 { // one deposit a second for 20s
				b.Deposit()
				time.Sleep(time.Second)
			}
			// now t=20s: deposits made at t=11s..19s are live (the window of t=10s
			// expired at t=20s), nine in all.
			assert.Equal(t, 9, drain(b))
		})
	})
	t.Run("a long idle period clears everything", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := newBudget(t, time.Second, 0, 1)
			deposit(b, 10)
			time.Sleep(time.Hour)
			assert.Zero(t, drain(b))
			deposit(b, 3)
			assert.Equal(t, 3, drain(b))
		})
	})
	t.Run("concurrent deposits and withdrawals never overdraw", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := newBudget(t, 10*time.Second, 0, 0.1)
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() { deposit(b, 1000) })
			}
			wg.Wait()
			var allowed atomic.Int64
			for range 8 {
				wg.Go(func() {
					for range 200 {
						if b.Withdraw() {
							allowed.Add(1)
						}
					}
				})
			}
			wg.Wait()
			assert.EqualValues(t, 800, allowed.Load())
		})
	})
}

func TestRetryWithBudget(t *testing.T) {
	t.Run("an exhausted budget stops retries with a BudgetExhaustedError", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := newBudget(t, 10*time.Second, 0, 0.5)
			var retried, exhausted int
			var last service.Event
			r, err := retry.New[int, int](service.Func[int, int](func(context.Context, int) (int, error) {
				return -1, errFlaky
			}), policy(t, 3), retry.WithBudget(b), retry.WithEvents(func(e service.Event) {
				switch e.Kind {
				case service.EventRetried:
					retried++
				case service.EventBudgetExhausted:
					exhausted++
					last = e
				}
			}))
			require.NoError(t, err)
			var exhaustedErrs int
			for range 100 {
				res, err := r.Call(context.Background(), 1)
				assert.Equal(t, -1, res)
				assert.ErrorIs(t, err, errFlaky, "the last error is kept")
				if errors.Is(err, retry.ErrBudgetExhausted) {
					exhaustedErrs++
					var be *retry.BudgetExhaustedError
					require.ErrorAs(t, err, &be)
					assert.Same(t, errFlaky, be.Err)
				}
			}
			assert.Equal(t, 50, retried, "100 calls at ratio 0.5")
			assert.Equal(t, exhaustedErrs, exhausted)
			assert.Positive(t, exhausted)
			assert.Equal(t, service.Event{Stage: "retry", Kind: service.EventBudgetExhausted, Err: errFlaky, Attempt: last.Attempt}, last)
			assert.GreaterOrEqual(t, last.Attempt, 2)
		})
	})
	t.Run("successful calls only deposit", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := newBudget(t, 10*time.Second, 0, 0.1)
			r, err := retry.New[int, int](service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil }),
				policy(t, 3), retry.WithBudget(b))
			require.NoError(t, err)
			for range 100 {
				_, err := r.Call(context.Background(), 1)
				require.NoError(t, err)
			}
			assert.Equal(t, 10, drain(b))
		})
	})
}

func TestBudgetExhaustedError(t *testing.T) {
	err := error(&retry.BudgetExhaustedError{Attempts: 2, Err: errFlaky})
	assert.EqualError(t, err, "retry: budget exhausted after 2 attempts: flaky")
	assert.ErrorIs(t, err, retry.ErrBudgetExhausted)
	assert.ErrorIs(t, err, errFlaky)
	assert.EqualError(t, &retry.BudgetExhaustedError{Attempts: 1}, "retry: budget exhausted after 1 attempt")
	assert.NotErrorIs(t, errFlaky, retry.ErrBudgetExhausted)
}
