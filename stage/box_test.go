package stage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage"
)

func TestBox(t *testing.T) {
	ctx := context.Background()
	t.Run("it calls the boxed service", func(t *testing.T) {
		b, err := stage.NewBox[uint64, uint64](&recorder{})
		require.NoError(t, err)
		res, err := b.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(2), res)
	})
	t.Run("it hides the concrete type and its other methods", func(t *testing.T) {
		inner := newStopper()
		svc, err := apply(t, stage.Box[uint64, uint64](), service.Service[uint64, uint64](inner))
		require.NoError(t, err)
		_, isStopper := svc.(service.Stopper)
		assert.False(t, isStopper, "the holder of a box cannot stop the service")
		_, isInner := svc.(*stopper)
		assert.False(t, isInner)
		_, unwraps := svc.(interface {
			Unwrap() service.Service[uint64, uint64]
		})
		assert.False(t, unwraps)
	})
	t.Run("inner errors pass through", func(t *testing.T) {
		b, err := stage.NewBox[uint64, uint64](&recorder{err: errBoom})
		require.NoError(t, err)
		_, err = b.Call(ctx, 1)
		assert.Same(t, errBoom, err)
	})
}

func TestAny(t *testing.T) {
	ctx := context.Background()
	t.Run("a request of the right type is served", func(t *testing.T) {
		a, err := stage.Any[uint64, uint64](&recorder{})
		require.NoError(t, err)
		res, err := a.Call(ctx, uint64(41))
		require.NoError(t, err)
		assert.Equal(t, any(uint64(42)), res)
		res, err = a.TryCall(ctx, uint64(41))
		require.NoError(t, err)
		assert.Equal(t, any(uint64(42)), res)
	})
	t.Run("a request of the wrong type is an error, and the service is not called", func(t *testing.T) {
		r := &recorder{}
		a, err := stage.Any[uint64, uint64](r)
		require.NoError(t, err)
		for _, req := range []any{41, "41", nil} {
			res, err := a.Call(ctx, req)
			assert.Nil(t, res)
			assert.ErrorIs(t, err, stage.ErrWrongType)
			var te *stage.TypeError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "request", te.What)
			_, err = a.TryCall(ctx, req)
			assert.ErrorIs(t, err, stage.ErrWrongType)
		}
		assert.Zero(t, r.calls.Load())
		_, err = a.Call(ctx, 41)
		assert.EqualError(t, err, "stage: request of type int, want uint64")
		_, err = a.Call(ctx, nil)
		assert.EqualError(t, err, "stage: request is nil, want uint64")
	})
	t.Run("a wrong request is refused before the inner readiness is asked", func(t *testing.T) {
		m, h := servicetest.New[uint64, uint64]()
		defer h.Close()
		h.Allow(0)
		a, err := stage.Any[uint64, uint64](m)
		require.NoError(t, err)
		_, err = a.TryCall(ctx, "x")
		assert.ErrorIs(t, err, stage.ErrWrongType)
		_, err = a.TryCall(ctx, uint64(1))
		assert.ErrorIs(t, err, service.ErrOverloaded)
	})
	t.Run("a nil request is the zero value of a nilable type", func(t *testing.T) {
		var got []byte = []byte("not nil")
		inner := service.Func[[]byte, error](func(_ context.Context, b []byte) (error, error) { got = b; return nil, nil })
		a, err := stage.Any(inner)
		require.NoError(t, err)
		res, err := a.Call(ctx, nil)
		require.NoError(t, err)
		assert.Nil(t, got)
		assert.Nil(t, res)
	})
	t.Run("inner errors pass through with a nil response", func(t *testing.T) {
		a, err := stage.Any[uint64, uint64](&recorder{err: errBoom})
		require.NoError(t, err)
		res, err := a.Call(ctx, uint64(1))
		assert.Same(t, errBoom, err)
		assert.Nil(t, res)
	})
	t.Run("Unwrap returns the typed service", func(t *testing.T) {
		r := &recorder{}
		a, err := stage.Any[uint64, uint64](r)
		require.NoError(t, err)
		assert.Same(t, r, a.Unwrap())
	})
}

func TestTyped(t *testing.T) {
	ctx := context.Background()
	t.Run("Typed undoes Any", func(t *testing.T) {
		a, err := stage.Any[uint64, uint64](&recorder{})
		require.NoError(t, err)
		s, err := stage.Typed[uint64, uint64](a)
		require.NoError(t, err)
		res, err := s.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(2), res)
		assert.Same(t, a, s.Unwrap())
	})
	erased := service.Func[any, any](func(_ context.Context, req any) (any, error) {
		switch req {
		case 1:
			return "one", nil
		case 2:
			return nil, nil
		case 3:
			return nil, errBoom
		}
		return req, nil
	})
	t.Run("responses of the right type come back typed", func(t *testing.T) {
		s, err := stage.Typed[int, int](erased)
		require.NoError(t, err)
		res, err := s.Call(ctx, 7)
		require.NoError(t, err)
		assert.Equal(t, 7, res)
		res, err = s.TryCall(ctx, 8)
		require.NoError(t, err)
		assert.Equal(t, 8, res)
	})
	t.Run("a response of the wrong type is an error, not a panic", func(t *testing.T) {
		s, err := stage.Typed[int, int](erased)
		require.NoError(t, err)
		res, err := s.Call(ctx, 1)
		assert.Zero(t, res)
		assert.ErrorIs(t, err, stage.ErrWrongType)
		assert.EqualError(t, err, "stage: response of type string, want int")
		_, err = s.Call(ctx, 2)
		assert.EqualError(t, err, "stage: response is nil, want int")
		_, err = s.TryCall(ctx, 1)
		assert.ErrorIs(t, err, stage.ErrWrongType)
	})
	t.Run("a nil response is the zero value of a nilable type", func(t *testing.T) {
		s, err := stage.Typed[int, *int](erased)
		require.NoError(t, err)
		res, err := s.Call(ctx, 2)
		require.NoError(t, err)
		assert.Nil(t, res)
	})
	t.Run("errors pass through with the zero response", func(t *testing.T) {
		s, err := stage.Typed[int, int](erased)
		require.NoError(t, err)
		res, err := s.Call(ctx, 3)
		assert.Same(t, errBoom, err)
		assert.Zero(t, res)
	})
	t.Run("a TypeError is not any other kind", func(t *testing.T) {
		s, err := stage.Typed[int, int](erased)
		require.NoError(t, err)
		_, err = s.Call(ctx, 1)
		assert.False(t, errors.Is(err, service.ErrRejected))
		assert.False(t, errors.Is(err, service.ErrOverloaded))
	})
}
