package load_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

func TestPending(t *testing.T) {
	t.Run("counts calls in flight, successful or not", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			p, err := load.NewPending[int, int](mock)
			require.NoError(t, err)
			assert.Equal(t, 0.0, p.Load())

			var wg sync.WaitGroup
			for i := range 3 {
				wg.Go(func() { _, _ = p.Call(t.Context(), i) })
			}
			synctest.Wait()
			assert.Equal(t, 3.0, p.Load())

			r, ok := h.TryNext()
			require.True(t, ok)
			r.Respond(0)
			synctest.Wait()
			assert.Equal(t, 2.0, p.Load())
			r, _ = h.TryNext()
			r.Error(errors.New("failed"))
			synctest.Wait()
			assert.Equal(t, 1.0, p.Load(), "a failed call stops counting too")
			r, _ = h.TryNext()
			r.Respond(0)
			wg.Wait()
			assert.Equal(t, 0.0, p.Load())
			assert.Equal(t, 0, p.Pending())
		})
	})
	t.Run("a refused TryCall counts only while it runs", func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		defer h.Close()
		p, err := load.NewPending[int, int](mock)
		require.NoError(t, err)
		h.Allow(0)
		_, err = p.TryCall(t.Context(), 1)
		require.ErrorIs(t, err, service.ErrOverloaded)
		assert.Equal(t, 0.0, p.Load())
	})
	t.Run("a panicking inner service stops counting", func(t *testing.T) {
		p, err := load.NewPending[int, int](service.Func[int, int](func(context.Context, int) (int, error) { panic("boom") }))
		require.NoError(t, err)
		assert.Panics(t, func() { _, _ = p.Call(t.Context(), 1) })
		assert.Panics(t, func() { _, _ = p.TryCall(t.Context(), 1) })
		assert.Equal(t, 0.0, p.Load())
	})
	t.Run("with completion, a call counts until it is completed", func(t *testing.T) {
		var handles []*load.Completion
		p, err := load.NewPending[int, int](echo, load.WithCompletion(func(res int, c *load.Completion) int {
			handles = append(handles, c)
			return res * 10
		}))
		require.NoError(t, err)
		got, err := p.Call(t.Context(), 2)
		require.NoError(t, err)
		assert.Equal(t, 20, got, "the completion function may wrap the response")
		_, err = p.TryCall(t.Context(), 3)
		require.NoError(t, err)
		assert.Equal(t, 2.0, p.Load(), "returned but not completed")
		handles[0].Complete()
		handles[0].Complete() // only the first counts
		assert.True(t, handles[0].Done())
		assert.Equal(t, 1.0, p.Load())
		handles[1].Complete()
		assert.Equal(t, 0.0, p.Load())
		var nilHandle *load.Completion
		nilHandle.Complete() // valid, does nothing
		assert.False(t, nilHandle.Done())
	})
	t.Run("with completion, a failed call completes at once", func(t *testing.T) {
		called := false
		p, err := load.NewPending[time.Duration, int](failing(errors.New("down")), load.WithCompletion(func(res int, c *load.Completion) int {
			called = true
			return res
		}))
		require.NoError(t, err)
		_, err = p.Call(t.Context(), 0)
		require.Error(t, err)
		assert.False(t, called)
		assert.Equal(t, 0.0, p.Load())
	})
	t.Run("rejects bad options and a nil inner service", func(t *testing.T) {
		_, err := load.NewPending[int, int](nil)
		assert.ErrorIs(t, err, service.ErrNilService)
		_, err = load.NewPending[int, int](echo, nil)
		assert.ErrorContains(t, err, "load: pending: option is nil")
		_, err = load.NewPending[int, int](echo, load.WithDecay(time.Second))
		assert.ErrorContains(t, err, "load: pending does not take WithDecay")
		_, err = load.NewPending[int, int](echo, load.WithCompletion[int](nil))
		assert.ErrorContains(t, err, "load: completion function is nil")
		_, err = load.NewPending[int, int](echo, load.WithCompletion(func(s string, _ *load.Completion) string { return s }))
		assert.ErrorContains(t, err, "but the service answers int")
		_, err = service.Apply(load.PendingLayer[int, int](nil), new(service.Scope), service.Service[int, int](echo))
		assert.Error(t, err)
	})
	t.Run("is exact under concurrent calls", func(t *testing.T) {
		p, err := load.NewPending[int, int](echo)
		require.NoError(t, err)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for i := range 1000 {
					_, _ = p.Call(context.Background(), i)
					assert.GreaterOrEqual(t, p.Load(), 0.0)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, 0.0, p.Load())
	})
	checkForwards(t, func(inner service.Service[int, int]) (service.Service[int, int], error) {
		return service.Built[int, int](load.NewPending(inner))
	})
}
