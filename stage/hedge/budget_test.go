package hedge_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tower-go/tower/stage/hedge"
)

func TestPercentBudget(t *testing.T) {
	t.Run("hedges are the percentage of calls", func(t *testing.T) {
		b, err := hedge.NewBudget(10, 1000)
		require.NoError(t, err)
		assert.False(t, b.Withdraw(), "a new budget is empty")
		for range 100 {
			b.Deposit()
		}
		n := 0
		for b.Withdraw() {
			n++
		}
		assert.Equal(t, 10, n)
	})
	t.Run("the balance is capped at the burst", func(t *testing.T) {
		b, err := hedge.NewBudget(100, 3)
		require.NoError(t, err)
		for range 50 {
			b.Deposit()
		}
		assert.Equal(t, 3, b.Hedges())
	})
	t.Run("small percentages are exact", func(t *testing.T) {
		b, err := hedge.NewBudget(0.01, 1)
		require.NoError(t, err)
		for range 9999 {
			b.Deposit()
		}
		assert.False(t, b.Withdraw())
		b.Deposit()
		assert.True(t, b.Withdraw())
	})
	t.Run("concurrent withdrawals never overdraw", func(t *testing.T) {
		b, err := hedge.NewBudget(100, 100)
		require.NoError(t, err)
		for range 100 {
			b.Deposit()
		}
		var (
			wg sync.WaitGroup
			mu sync.Mutex
			n  int
		)
		for range 8 {
			wg.Go(func() {
				for b.Withdraw() {
					mu.Lock()
					n++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		assert.Equal(t, 100, n)
	})
	t.Run("bad input is an error", func(t *testing.T) {
		_, err := hedge.NewBudget(0.001, 1)
		require.EqualError(t, err, "hedge: budget percent must be between 0.01 and 100, got 0.001")
		_, err = hedge.NewBudget(10, 0)
		require.EqualError(t, err, "hedge: budget burst must be between 1 and 1000000000, got 0")
	})
}
