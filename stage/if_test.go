package stage_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage"
)

func even(x uint64) bool { return x%2 == 0 }

func TestIf(t *testing.T) {
	ctx := context.Background()
	times10 := stage.MapRequest[uint64, uint64](func(x uint64) uint64 { return x * 10 })

	t.Run("requests that match go through the layer, the others straight through", func(t *testing.T) {
		r := &recorder{}
		s, err := stage.NewIf[uint64, uint64](r, even, times10)
		require.NoError(t, err)
		for _, tc := range []struct{ req, inner uint64 }{{2, 20}, {3, 3}, {4, 40}, {5, 5}} {
			res, err := s.Call(ctx, tc.req)
			require.NoError(t, err)
			assert.Equal(t, tc.inner, r.last.Load(), "request %d", tc.req)
			assert.Equal(t, tc.inner+1, res)
			res, err = s.TryCall(ctx, tc.req)
			require.NoError(t, err)
			assert.Equal(t, tc.inner+1, res)
		}
		assert.Same(t, r, s.Unwrap())
	})

	t.Run("inner errors pass through either branch", func(t *testing.T) {
		s, err := stage.NewIf[uint64, uint64](&recorder{err: errBoom}, even, times10)
		require.NoError(t, err)
		_, err = s.Call(ctx, 2)
		assert.Same(t, errBoom, err)
		_, err = s.Call(ctx, 3)
		assert.Same(t, errBoom, err)
	})

	t.Run("it is ready only when both branches are", func(t *testing.T) {
		m, h := servicetest.New[uint64, uint64]()
		defer h.Close()
		var g *gate
		s, err := stage.NewIf[uint64, uint64](m, even, func(in service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
			g = newGate(in)
			return g, nil
		})
		require.NoError(t, err)
		assert.Same(t, g, s.Layered())

		assert.ErrorIs(t, s.TryReady(), service.ErrOverloaded, "the layered branch is closed")
		g.Open()
		require.NoError(t, s.TryReady())
		h.Allow(0)
		assert.ErrorIs(t, s.TryReady(), servicetest.ErrNotReady, "the inner service is not ready")
		h.Fail(errBoom)
		assert.ErrorIs(t, s.Ready(ctx), errBoom)
	})

	t.Run("Ready waits for the layered branch, then the inner service", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			m, h := servicetest.New[uint64, uint64]()
			defer h.Close()
			h.Allow(0)
			g := newGate(m)
			s, err := stage.NewIf[uint64, uint64](m, even, func(service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) { return g, nil })
			require.NoError(t, err)

			done := make(chan error, 1)
			go func() { done <- s.Ready(ctx) }()
			synctest.Wait()
			assert.Empty(t, done, "both branches closed")
			g.Open()
			synctest.Wait()
			assert.Empty(t, done, "the inner service is still not ready")
			h.Allow(1)
			synctest.Wait()
			require.Len(t, done, 1)
			assert.NoError(t, <-done)
		})
	})

	t.Run("TryCall asks only the branch the request takes", func(t *testing.T) {
		m, _ := served(t, func(x uint64) (uint64, error) { return x + 1, nil })
		var g *gate
		s, err := stage.NewIf[uint64, uint64](m, even, func(in service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
			g = newGate(in)
			return g, nil
		})
		require.NoError(t, err)

		res, err := s.TryCall(ctx, 3)
		require.NoError(t, err, "an odd request does not need the closed layered branch")
		assert.Equal(t, uint64(4), res)
		_, err = s.TryCall(ctx, 2)
		assert.ErrorIs(t, err, service.ErrOverloaded, "an even request does")
		assert.Zero(t, g.calls.Load())
	})

	t.Run("Stop stops what the layer built, never the inner service", func(t *testing.T) {
		inner, built := newStopper(), newStopper()
		s, err := stage.NewIf[uint64, uint64](inner, even, func(service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) { return built, nil })
		require.NoError(t, err)
		require.NoError(t, s.Stop(ctx))
		assert.Equal(t, int32(1), built.stopped.Load())
		assert.Zero(t, inner.stopped.Load())

		s, err = stage.NewIf(service.Service[uint64, uint64](inner), even, stage.Identity[uint64, uint64]())
		require.NoError(t, err)
		require.NoError(t, s.Stop(ctx))
		assert.Zero(t, inner.stopped.Load(), "a layer that returned the inner service built nothing")

		s, err = stage.NewIf[uint64, uint64](&recorder{}, even, times10)
		require.NoError(t, err)
		assert.NoError(t, s.Stop(ctx), "nothing to stop")
	})

	t.Run("a layer's error is reported, wrapped", func(t *testing.T) {
		_, err := stage.NewIf[uint64, uint64](&recorder{}, even, func(service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
			return nil, errBoom
		})
		assert.ErrorIs(t, err, errBoom)
		assert.EqualError(t, err, "stage: if: boom")

		_, err = stage.NewIf[uint64, uint64](&recorder{}, even, func(service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
			return nil, nil
		})
		assert.EqualError(t, err, "stage: if: layer returned a nil service")
	})
}

func TestOptionalAndIdentity(t *testing.T) {
	t.Run("Optional(nil) is the identity", func(t *testing.T) {
		r := &recorder{}
		svc, err := stage.Optional[uint64, uint64](nil)(r)
		require.NoError(t, err)
		assert.Same(t, r, svc, "no stage added")
	})
	t.Run("Optional(l) is l", func(t *testing.T) {
		r := &recorder{}
		svc, err := stage.Optional(stage.MapRequest[uint64, uint64](func(x uint64) uint64 { return 2 * x }))(r)
		require.NoError(t, err)
		_, _ = svc.Call(context.Background(), 4)
		assert.Equal(t, uint64(8), r.last.Load())
	})
	t.Run("Identity rejects a nil service", func(t *testing.T) {
		svc, err := stage.Identity[uint64, uint64]()(nil)
		assert.EqualError(t, err, "stage: identity: inner service is nil")
		assert.True(t, svc == nil)
		assert.False(t, errors.Is(err, service.ErrRejected))
	})
}
