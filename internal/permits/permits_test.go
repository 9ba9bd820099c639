package permits_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/internal/permits"
)

func newQueue(n int, reuse bool) *permits.Queue {
	q := new(permits.Queue)
	q.Init(n, reuse)
	return q
}

func TestAcquireReportsTheHeldCount(t *testing.T) {
	q := newQueue(3, false)
	assert.Equal(t, 1, q.TryAcquire())
	assert.Equal(t, 2, q.TryAcquire())
	n, err := q.Acquire(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Equal(t, 0, q.TryAcquire())
	for range 3 {
		require.True(t, q.Release())
	}
	assert.False(t, q.Release(), "a release with nothing held changes nothing")
	assert.Equal(t, 0, q.Held())
}

func TestSetLimit(t *testing.T) {
	for _, reuse := range []bool{false, true} {
		t.Run("growing lets waiters in at once", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				q := newQueue(1, reuse)
				require.Equal(t, 1, q.TryAcquire())
				got := make(chan int, 3)
				for range 3 {
					go func() {
						n, err := q.Acquire(t.Context())
						if err == nil {
							got <- n
						}
					}()
				}
				synctest.Wait()
				assert.Equal(t, 3, q.Waiting())
				q.SetLimit(3)
				synctest.Wait()
				assert.Len(t, got, 2, "two more permits, two waiters let in")
				assert.Equal(t, 1, q.Waiting())
				q.SetLimit(1) // shrinking cuts no holder short
				assert.Equal(t, 3, q.Held())
				for range 3 {
					q.Release()
				}
				synctest.Wait()
				assert.Len(t, got, 3, "the last waiter gets a permit once fewer than the limit are held")
				assert.Equal(t, 1, q.Held())
				q.Release()
			})
		})
	}
}

func TestMovingLimitStress(t *testing.T) {
	q := newQueue(4, true)
	const maxLimit = 8
	var peak atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; i < 2000; i++ {
				if _, err := q.Acquire(ctx); err != nil {
					return
				}
				h := int64(q.Held())
				for p := peak.Load(); h > p && !peak.CompareAndSwap(p, h); p = peak.Load() {
				}
				if (g+i)%7 == 0 {
					q.SetLimit(1 + (g*i)%maxLimit)
				}
				q.Release()
			}
		})
	}
	wg.Wait()
	cancel()
	assert.Equal(t, 0, q.Held())
	assert.Equal(t, 0, q.Waiting())
	assert.LessOrEqual(t, peak.Load(), int64(maxLimit))
}

func TestWaitersAreServedHighestPriorityFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newQueue(1, true)
		require.Equal(t, 1, q.TryAcquire())
		var order []int
		var mu sync.Mutex
		var wg sync.WaitGroup
		// Join the list one at a time, so that arrival order is known: priorities
		// 0, 2, 1, 2, 0, 1 with ids 0..5.
		for id, p := range []uint8{0, 2, 1, 2, 0, 1} {
			wg.Go(func() {
				_, err := q.AcquireSlowPriority(context.Background(), p)
				assert.NoError(t, err)
				mu.Lock()
				order = append(order, id)
				mu.Unlock()
				q.Release()
			})
			synctest.Wait()
		}
		q.Release()
		wg.Wait()
		assert.Equal(t, []int{1, 3, 2, 5, 0, 4}, order, "highest priority first, FIFO within one")
		assert.Zero(t, q.Held())
		assert.Zero(t, q.Waiting())
	})
}

func TestTryAcquireReserveLeavesTheReserveFree(t *testing.T) {
	q := newQueue(4, false)
	assert.Equal(t, 1, q.TryAcquireReserve(2))
	assert.Equal(t, 2, q.TryAcquireReserve(2))
	assert.Equal(t, 0, q.TryAcquireReserve(2), "two held, two reserved")
	assert.Equal(t, 2, q.Held())
	assert.Equal(t, 3, q.TryAcquireReserve(0), "no reserve takes any free permit")
	assert.Equal(t, 0, q.TryAcquireReserve(4), "a reserve of the whole limit takes nothing")
	require.True(t, q.Release())
	assert.Equal(t, 0, q.TryAcquireReserve(2), "three would be held with it, above 4-2")
	assert.Equal(t, 3, q.TryAcquire())
}
