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
		s, err := stage.NewIf[uint64, uint64](new(service.Scope), r, even, times10)
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
		s, err := stage.NewIf[uint64, uint64](new(service.Scope), &recorder{err: errBoom}, even, times10)
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
		s, err := stage.NewIf[uint64, uint64](new(service.Scope), m, even, func(_ *service.Scope, in service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
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
			s, err := stage.NewIf[uint64, uint64](new(service.Scope), m, even, func(*service.Scope, service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
				return g, nil
			})
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
		s, err := stage.NewIf[uint64, uint64](new(service.Scope), m, even, func(_ *service.Scope, in service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
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

	t.Run("the layer is applied in the stage's scope, which stops what it started", func(t *testing.T) {
		sc := new(service.Scope)
		inner := newStopper()
		var owned *stopper
		s, err := stage.NewIf[uint64, uint64](sc, inner, even, func(sc *service.Scope, in service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
			owned = newStopper() // a buffer's goroutines, say
			if err := sc.Own(ctx, owned); err != nil {
				return nil, err
			}
			return in, nil
		})
		require.NoError(t, err)
		_, isStopper := any(s).(service.Stopper)
		assert.False(t, isStopper, "the stage owns nothing: the scope does")
		assert.Equal(t, 1, sc.Len())
		require.NoError(t, sc.Stop(ctx))
		assert.Equal(t, int32(1), owned.stopped.Load(), "stopped with the scope")
		assert.Zero(t, inner.stopped.Load(), "the inner service is never stopped")
	})

	t.Run("a nil scope is an error", func(t *testing.T) {
		_, err := stage.NewIf[uint64, uint64](nil, &recorder{}, even, times10)
		assert.EqualError(t, err, "stage: if: scope is nil")
	})

	t.Run("a layer's error is reported, wrapped", func(t *testing.T) {
		_, err := stage.NewIf[uint64, uint64](new(service.Scope), &recorder{}, even, func(*service.Scope, service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
			return nil, errBoom
		})
		assert.ErrorIs(t, err, errBoom)
		assert.EqualError(t, err, "stage: if: boom")

		_, err = stage.NewIf[uint64, uint64](new(service.Scope), &recorder{}, even, func(*service.Scope, service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
			return nil, nil
		})
		assert.EqualError(t, err, "stage: if: layer returned a nil service")

		_, err = stage.NewIf[uint64, uint64](new(service.Scope), &recorder{}, even, func(*service.Scope, service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
			return (*servicetest.Mock[uint64, uint64])(nil), nil
		})
		assert.EqualError(t, err, "stage: if: layer returned a nil service", "a typed nil too")
	})
}

func TestOptionalAndIdentity(t *testing.T) {
	t.Run("Optional(nil) is the identity", func(t *testing.T) {
		r := &recorder{}
		svc, err := apply(t, stage.Optional[uint64, uint64](nil), service.Service[uint64, uint64](r))
		require.NoError(t, err)
		assert.Same(t, r, svc, "no stage added")
	})
	t.Run("Optional(l) is l", func(t *testing.T) {
		r := &recorder{}
		svc, err := apply(t, stage.Optional(stage.MapRequest[uint64, uint64](func(x uint64) uint64 { return 2 * x })), service.Service[uint64, uint64](r))
		require.NoError(t, err)
		_, _ = svc.Call(context.Background(), 4)
		assert.Equal(t, uint64(8), r.last.Load())
	})
	t.Run("Identity rejects a nil service", func(t *testing.T) {
		for _, inner := range []service.Service[uint64, uint64]{nil, (*recorder)(nil), service.Func[uint64, uint64](nil)} {
			svc, err := stage.Identity[uint64, uint64]()(new(service.Scope), inner)
			assert.EqualError(t, err, "stage: identity: inner service is nil")
			assert.ErrorIs(t, err, service.ErrNilService)
			assert.True(t, svc == nil)
			assert.False(t, errors.Is(err, service.ErrRejected))
		}
	})
}
