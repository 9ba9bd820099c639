package retry_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/breaker"
	"github.com/tower-go/tower/stage/retry"
)

// countingBudget is a Budget that counts withdrawals, around a real one.
type countingBudget struct {
	retry.Budget
	withdrawals atomic.Int64
}

func (b *countingBudget) Withdraw() bool {
	b.withdrawals.Add(1)
	return b.Budget.Withdraw()
}

// During an outage, retry(3, budget) over a breaker over a failing service: once
// the breaker is open, its refusals (ErrOpen, an ErrUnavailable) are not retried,
// so each call reaches the breaker once and the budget is not spent.
func TestOutageRetryOverOpenBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errDown := errors.New("connection refused")
		down := service.Func[int, int](func(context.Context, int) (int, error) { return 0, errDown })
		br, err := breaker.New[int, int](down, breaker.WithConsecutiveFailures(5), breaker.WithOpenTimeout(time.Minute))
		require.NoError(t, err)
		var reached atomic.Int64 // attempts that reach the breaker
		counted := service.Func[int, int](func(ctx context.Context, r int) (int, error) {
			reached.Add(1)
			return br.Call(ctx, r)
		})
		tps, err := retry.NewBudget(10*time.Second, 10, 0.2)
		require.NoError(t, err)
		budget := &countingBudget{Budget: tps}
		r, err := retry.New[int, int](counted, retry.Attempts[int, int](3), retry.WithBudget(budget))
		require.NoError(t, err)

		// Tripping: 5 failed attempts over two calls (3 + 2), the 6th attempt is refused.
		for range 2 {
			_, err := r.Call(t.Context(), 1)
			require.Error(t, err)
		}
		require.Equal(t, breaker.Open, br.State())
		reachedBefore, withdrawnBefore := reached.Load(), budget.withdrawals.Load()

		var exhausted int
		for range 1000 {
			_, err := r.Call(t.Context(), 1)
			require.ErrorIs(t, err, breaker.ErrOpen)
			require.ErrorIs(t, err, service.ErrUnavailable)
			if errors.Is(err, retry.ErrBudgetExhausted) {
				exhausted++
			}
		}
		assert.Equal(t, int64(1000), reached.Load()-reachedBefore, "one attempt per call reaches the open breaker")
		assert.Zero(t, budget.withdrawals.Load()-withdrawnBefore, "no retry was withdrawn from the budget")
		assert.Zero(t, exhausted)
		assert.True(t, tps.Withdraw(), "the budget still has retries for when the backend is back")
	})
}
