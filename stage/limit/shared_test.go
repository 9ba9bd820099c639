package limit_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/limit"
)

func TestNewSharedRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "limit: n must be at least 1, got 0"},
		{-3, "limit: n must be at least 1, got -3"},
		{limit.MaxLimit + 1, "limit: n must be at most"},
	} {
		s, err := limit.NewShared(tc.n)
		require.ErrorContains(t, err, tc.want)
		assert.Nil(t, s)
	}
	s, err := limit.NewShared(limit.MaxLimit)
	require.NoError(t, err)
	assert.Equal(t, limit.MaxLimit, s.Limit())
}

func TestSharedTryAcquire(t *testing.T) {
	t.Run("takes permits up to the limit and no more", func(t *testing.T) {
		s, _ := limit.NewShared(3)
		for i := range 3 {
			require.True(t, s.TryAcquire(), "permit %d", i)
		}
		assert.False(t, s.TryAcquire())
		assert.Equal(t, 3, s.InFlight())
		require.ErrorIs(t, s.TryReady(), limit.ErrLimited)
		s.Release()
		assert.Equal(t, 2, s.InFlight())
		require.NoError(t, s.TryReady())
		assert.True(t, s.TryAcquire())
	})
	t.Run("releasing a permit that is not held panics with the package prefix", func(t *testing.T) {
		s, _ := limit.NewShared(1)
		assert.PanicsWithValue(t, "limit: Release of a permit that is not held", s.Release)
		assert.Equal(t, 0, s.InFlight(), "the failed release leaves the count as it was")
		assert.True(t, s.TryAcquire())
	})
}

// waitAcquire starts Acquire on a goroutine and returns a channel with its result.
func waitAcquire(ctx context.Context, s *limit.Shared) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Acquire(ctx) }()
	return done
}

func TestSharedAcquireWaits(t *testing.T) {
	t.Run("until a release hands the permit over", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, _ := limit.NewShared(1)
			require.True(t, s.TryAcquire())
			done := waitAcquire(context.Background(), s)
			synctest.Wait()
			assert.Equal(t, 1, s.Waiting())
			assert.Empty(t, done, "Acquire must wait while the permit is held")

			s.Release()
			synctest.Wait()
			require.NoError(t, <-done)
			assert.Equal(t, 1, s.InFlight(), "the permit passed to the waiter")
			assert.Equal(t, 0, s.Waiting())
			s.Release()
		})
	})
	t.Run("first in, first out", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, _ := limit.NewShared(1)
			require.True(t, s.TryAcquire())
			var order []int
			var mu sync.Mutex
			var wg sync.WaitGroup
			for i := range 5 {
				wg.Go(func() {
					require.NoError(t, s.Acquire(context.Background()))
					mu.Lock()
					order = append(order, i)
					mu.Unlock()
					s.Release()
				})
				synctest.Wait() // waiter i is queued before i+1 starts
			}
			s.Release()
			wg.Wait()
			assert.Equal(t, []int{0, 1, 2, 3, 4}, order)
			assert.Equal(t, 0, s.InFlight())
		})
	})
	t.Run("newcomers do not barge ahead of a waiter", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, _ := limit.NewShared(1)
			require.True(t, s.TryAcquire())
			done := waitAcquire(context.Background(), s)
			synctest.Wait()
			s.Release()
			assert.False(t, s.TryAcquire(), "the released permit belongs to the waiter")
			require.NoError(t, <-done)
			s.Release()
		})
	})
	t.Run("bounded by ctx, leaving the queue holding nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, _ := limit.NewShared(1)
			require.True(t, s.TryAcquire())
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			err := s.Acquire(ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, time.Second, time.Since(start))
			assert.Equal(t, 0, s.Waiting())
			assert.Equal(t, 1, s.InFlight())
			s.Release()
			assert.True(t, s.TryAcquire(), "a cancelled waiter does not keep the fast path closed")
			s.Release()
		})
	})
	t.Run("a cancelled waiter does not hold up those behind it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, _ := limit.NewShared(1)
			require.True(t, s.TryAcquire())
			ctx, cancel := context.WithCancel(context.Background())
			first := waitAcquire(ctx, s)
			synctest.Wait()
			second := waitAcquire(context.Background(), s)
			synctest.Wait()
			cancel()
			require.ErrorIs(t, <-first, context.Canceled)
			s.Release()
			require.NoError(t, <-second)
			s.Release()
			assert.Equal(t, 0, s.InFlight())
		})
	})
	t.Run("with an ended ctx fails at once if it would wait", func(t *testing.T) {
		s, _ := limit.NewShared(1)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.NoError(t, s.Acquire(ctx), "a free permit is taken without looking at ctx")
		require.ErrorIs(t, s.Acquire(ctx), context.Canceled)
		assert.Equal(t, 0, s.Waiting())
		s.Release()
	})
}

func TestSharedReady(t *testing.T) {
	t.Run("waits for a free permit and takes none", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, _ := limit.NewShared(1)
			require.True(t, s.TryAcquire())
			done := make(chan error, 1)
			go func() { done <- s.Ready(context.Background()) }()
			synctest.Wait()
			assert.Empty(t, done)
			s.Release()
			require.NoError(t, <-done)
			assert.Equal(t, 0, s.InFlight())
			assert.Equal(t, 0, s.Waiting())
		})
	})
	t.Run("passes the permit on to the next waiter", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, _ := limit.NewShared(1)
			require.True(t, s.TryAcquire())
			ready := make(chan error, 1)
			go func() { ready <- s.Ready(context.Background()) }()
			synctest.Wait()
			acquired := waitAcquire(context.Background(), s)
			synctest.Wait()
			s.Release()
			require.NoError(t, <-ready)
			require.NoError(t, <-acquired)
			assert.Equal(t, 1, s.InFlight())
			s.Release()
		})
	})
	t.Run("is bounded by ctx", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, _ := limit.NewShared(1)
			require.True(t, s.TryAcquire())
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			require.ErrorIs(t, s.Ready(ctx), context.DeadlineExceeded)
			assert.Equal(t, 1, s.InFlight())
			s.Release()
		})
	})
}

// TestSharedStress hammers one small limit from many goroutines that acquire with
// and without waiting, give up on short deadlines and probe readiness. It checks
// that the number of holders never exceeds the limit, that every operation ends,
// and that the semaphore is empty afterwards. Run it with -race.
func TestSharedStress(t *testing.T) {
	const (
		n          = 3
		goroutines = 48
	)
	ops := 1500
	if testing.Short() {
		ops = 200
	}
	s, _ := limit.NewShared(n)
	var holders, peak, acquired, gaveUp atomic.Int64
	hold := func() {
		h := holders.Add(1)
		for p := peak.Load(); h > p && !peak.CompareAndSwap(p, h); p = peak.Load() {
		}
		if h > n {
			t.Errorf("%d holders, limit %d", h, n)
		}
		if rand.IntN(4) == 0 {
			time.Sleep(time.Microsecond)
		}
		holders.Add(-1)
		acquired.Add(1)
		s.Release()
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range ops {
				switch (g + i) % 4 {
				case 0:
					if s.TryAcquire() {
						hold()
					}
				case 1:
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(50))*time.Microsecond)
					if s.Acquire(ctx) == nil {
						hold()
					} else {
						gaveUp.Add(1)
					}
					cancel()
				case 2:
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.IntN(50))*time.Microsecond)
					_ = s.Ready(ctx)
					cancel()
				default:
					if assert.NoError(t, s.Acquire(context.Background())) {
						hold()
					}
				}
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, peak.Load(), int64(n))
	assert.Equal(t, int64(n), peak.Load(), "the test must saturate the limit to prove anything")
	assert.Equal(t, 0, s.InFlight())
	assert.Equal(t, 0, s.Waiting())
	assert.True(t, s.TryAcquire(), "no permit is lost")
	assert.True(t, s.TryAcquire())
	assert.True(t, s.TryAcquire())
	assert.False(t, s.TryAcquire())
	t.Logf("acquired %d, gave up %d", acquired.Load(), gaveUp.Load())
}

var _ service.Readier = (*limit.Shared)(nil)

// TestSharedLosesNoWakeup has a few goroutines take and give back the only permit
// in a tight loop, with nothing else running that could wake a stranded waiter: a
// release that slips between a waiter's failed attempt and its joining the queue
// would leave it waiting for ever, and the test would not end.
func TestSharedLosesNoWakeup(t *testing.T) {
	rounds := 200_000
	if testing.Short() {
		rounds = 20_000
	}
	s, _ := limit.NewShared(1)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for range rounds {
				if assert.NoError(t, s.Acquire(context.Background())) {
					s.Release()
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute): // a deadlock detector, not a timing assertion
		t.Fatalf("a waiter was stranded: %d holding, %d waiting", s.InFlight(), s.Waiting())
	}
	assert.Equal(t, 0, s.InFlight())
}
