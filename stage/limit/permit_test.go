package limit_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/stage/limit"
)

func TestPermit(t *testing.T) {
	t.Run("makes exactly one call and then gives the permit back", func(t *testing.T) {
		svc, _ := limit.New(double, 1)
		p, err := svc.Acquire(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 1, svc.InFlight())
		res, err := p.Call(context.Background(), 4)
		require.NoError(t, err)
		assert.Equal(t, 8, res)
		assert.Equal(t, 0, svc.InFlight())
		_, err = p.Call(context.Background(), 4)
		require.ErrorIs(t, err, limit.ErrPermitUsed)
		p.Release()
		assert.Equal(t, 0, svc.InFlight(), "Release after Call gives nothing back twice")
	})
	t.Run("an unused permit is given back by Release, once", func(t *testing.T) {
		svc, _ := limit.New(double, 2)
		p, err := svc.TryAcquire()
		require.NoError(t, err)
		q, err := svc.TryAcquire()
		require.NoError(t, err)
		assert.Equal(t, 2, svc.InFlight())
		p.Release()
		p.Release()
		assert.Equal(t, 1, svc.InFlight(), "a second Release must not free q's permit")
		_, err = p.Call(context.Background(), 1)
		require.ErrorIs(t, err, limit.ErrPermitUsed)
		q.Release()
		assert.Equal(t, 0, svc.InFlight())
	})
	t.Run("concurrent Release and Call give the permit back exactly once", func(t *testing.T) {
		svc, _ := limit.New(double, 1)
		for range 200 {
			p, err := svc.TryAcquire()
			require.NoError(t, err)
			var wg sync.WaitGroup
			wg.Go(p.Release)
			wg.Go(func() { _, _ = p.Call(context.Background(), 1) })
			wg.Go(p.Release)
			wg.Wait()
			require.Equal(t, 0, svc.InFlight())
		}
	})
	t.Run("the zero permit holds nothing", func(t *testing.T) {
		var p limit.Permit[int, int]
		p.Release()
		_, err := p.Call(context.Background(), 1)
		require.ErrorIs(t, err, limit.ErrPermitUsed)
	})
	t.Run("TryAcquire fails at once when no permit is free", func(t *testing.T) {
		svc, _ := limit.New(double, 1, limit.WithReject())
		p, err := svc.TryAcquire()
		require.NoError(t, err)
		q, err := svc.TryAcquire()
		require.ErrorIs(t, err, limit.ErrLimited)
		q.Release() // the zero permit: no effect
		assert.Equal(t, 1, svc.InFlight())
		p.Release()
	})
	t.Run("Acquire waits, bounded by ctx, in either mode", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			svc, _ := limit.New(double, 1, limit.WithReject())
			p, _ := svc.TryAcquire()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			q, err := svc.Acquire(ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, time.Second, time.Since(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)))
			q.Release()

			done := make(chan error, 1)
			go func() {
				r, err := svc.Acquire(context.Background())
				if err == nil {
					_, err = r.Call(context.Background(), 1)
				}
				done <- err
			}()
			synctest.Wait()
			assert.Empty(t, done)
			p.Release()
			require.NoError(t, <-done)
			assert.Equal(t, 0, svc.InFlight())
		})
	})
	t.Run("a reserved call does not wait behind others", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := newGated()
			svc, _ := limit.New[int, int](g, 1)
			p, err := svc.Acquire(context.Background())
			require.NoError(t, err)
			other := make(chan error, 1)
			go func() { _, err := svc.Call(context.Background(), 1); other <- err }()
			synctest.Wait()
			assert.Zero(t, g.calls.Load(), "the other call waits for the reserved permit")

			reserved := make(chan error, 1)
			go func() { _, err := p.Call(context.Background(), 2); reserved <- err }()
			synctest.Wait()
			assert.Equal(t, int64(1), g.inFlight.Load(), "the reserved call went straight in")
			g.release <- struct{}{}
			require.NoError(t, <-reserved)
			g.release <- struct{}{}
			require.NoError(t, <-other)
		})
	})
}
