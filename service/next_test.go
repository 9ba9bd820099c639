package service_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

type nilPtrService struct{}

func (*nilPtrService) Call(context.Context, int) (int, error) { return 0, nil }

func TestCheckService(t *testing.T) {
	for name, s := range map[string]service.Service[int, int]{
		"nil interface":  nil,
		"nil Func":       service.Func[int, int](nil),
		"typed nil ptr":  (*nilPtrService)(nil),
		"nil stage":      (*service.FuncStage[int, int])(nil),
		"typed nil mock": (*servicetest.Mock[int, int])(nil),
	} {
		t.Run(name+" is rejected", func(t *testing.T) {
			assert.ErrorIs(t, service.CheckService(s), service.ErrNilService)
			_, err := service.NewNext(s)
			assert.ErrorIs(t, err, service.ErrNilService)
		})
	}
	t.Run("a real service passes", func(t *testing.T) {
		assert.NoError(t, service.CheckService[int, int](service.Func[int, int](echo)))
		assert.NoError(t, service.CheckService[int, int](&nilPtrService{}))
	})
}

func echo(_ context.Context, n int) (int, error) { return n, nil }

func TestNext(t *testing.T) {
	t.Run("over a service without bound it is always ready and TryCall calls", func(t *testing.T) {
		n, err := service.NewNext[int, int](service.Func[int, int](echo))
		require.NoError(t, err)
		assert.False(t, n.Bounded())
		assert.NoError(t, n.TryReady())
		assert.NoError(t, n.Ready(cancelled(t)))
		got, err := n.TryCall(t.Context(), 3)
		assert.NoError(t, err)
		assert.Equal(t, 3, got)
	})
	t.Run("forwards readiness, the atomic TryCall and failure of a Readier", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			n, err := service.NewNext[int, int](mock)
			require.NoError(t, err)
			assert.True(t, n.Bounded())
			assert.NoError(t, n.TryReady())
			h.Allow(0)
			assert.ErrorIs(t, n.TryReady(), service.ErrOverloaded)
			_, err = n.TryCall(t.Context(), 1)
			assert.ErrorIs(t, err, service.ErrOverloaded, "TryCall refuses at once")

			done := make(chan error, 1)
			go func() { done <- n.Ready(t.Context()) }()
			synctest.Wait()
			require.Empty(t, done, "Ready waits as the inner service does")
			boom := errors.New("gone")
			h.Fail(boom)
			assert.ErrorIs(t, <-done, boom)
			assert.ErrorIs(t, n.TryReady(), boom)
			assert.Same(t, mock, n.Unwrap())
		})
	})
	t.Run("TryCall over a Readier without TryCaller checks TryReady first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			n, err := service.NewNext[int, int](readyOnly{mock})
			require.NoError(t, err)
			h.Allow(0)
			_, err = n.TryCall(t.Context(), 1)
			assert.ErrorIs(t, err, service.ErrOverloaded)
			assert.Equal(t, 0, h.Calls())
		})
	})
}

// readyOnly hides the mock's TryCall: a Readier without a TryCaller.
type readyOnly struct{ m *servicetest.Mock[int, int] }

func (r readyOnly) Call(ctx context.Context, n int) (int, error) { return r.m.Call(ctx, n) }
func (r readyOnly) Ready(ctx context.Context) error              { return r.m.Ready(ctx) }
func (r readyOnly) TryReady() error                              { return r.m.TryReady() }

func TestStage(t *testing.T) {
	double := func(ctx context.Context, n int, next service.Service[int, int]) (int, error) {
		r, err := next.Call(ctx, n*2)
		return r + 1, err
	}
	t.Run("Call runs the function over the inner Call", func(t *testing.T) {
		s, err := service.NewStage[int, int](service.Func[int, int](echo), double)
		require.NoError(t, err)
		got, err := s.Call(t.Context(), 4)
		assert.NoError(t, err)
		assert.Equal(t, 9, got)
	})
	t.Run("TryCall makes next non-blocking, so a refusal is at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			s, err := service.NewStage[int, int](mock, double)
			require.NoError(t, err)
			h.Allow(0)
			_, err = s.TryCall(t.Context(), 1)
			assert.ErrorIs(t, err, service.ErrOverloaded)
			assert.ErrorIs(t, s.TryReady(), service.ErrOverloaded, "readiness is the inner one")
			h.Allow(1)
			assert.NoError(t, s.Ready(t.Context()))
			go h.Serve(t.Context(), func(n int) (int, error) { return n, nil })
			got, err := s.TryCall(t.Context(), 5)
			assert.NoError(t, err)
			assert.Equal(t, 11, got)
			h.Close()
		})
	})
	t.Run("nil function or inner is an error at construction", func(t *testing.T) {
		_, err := service.NewStage[int, int](service.Func[int, int](echo), nil)
		assert.ErrorContains(t, err, "function is nil")
		_, err = service.NewStage[int, int](nil, double)
		assert.ErrorIs(t, err, service.ErrNilService)
		_, err = service.Apply(service.Stage[int, int](nil), new(service.Scope), service.Func[int, int](echo))
		assert.Error(t, err)
	})
}

type stopRecorder struct {
	name string
	log  *[]string
	err  error
}

func (s stopRecorder) Stop(context.Context) error {
	*s.log = append(*s.log, s.name)
	return s.err
}

func TestScope(t *testing.T) {
	t.Run("stops what it owns, last owned first, and joins errors", func(t *testing.T) {
		var log []string
		var sc service.Scope
		boom := errors.New("boom")
		require.NoError(t, sc.Own(t.Context(), stopRecorder{"inner", &log, nil}))
		require.NoError(t, sc.Own(t.Context(), stopRecorder{"outer", &log, boom}))
		assert.Equal(t, 2, sc.Len())
		assert.ErrorIs(t, sc.Stop(t.Context()), boom)
		assert.Equal(t, []string{"outer", "inner"}, log)
	})
	t.Run("what is owned after Stop is stopped at once", func(t *testing.T) {
		var log []string
		var sc service.Scope
		require.NoError(t, sc.Stop(t.Context()))
		require.NoError(t, sc.Own(t.Context(), stopRecorder{"late", &log, nil}))
		assert.Equal(t, []string{"late"}, log)
	})
	t.Run("nil scope or stopper is an error", func(t *testing.T) {
		var sc *service.Scope
		assert.Error(t, sc.Own(t.Context(), stopRecorder{}))
		assert.Error(t, new(service.Scope).Own(t.Context(), nil))
	})
}

func TestApply(t *testing.T) {
	inner := service.Func[int, int](echo)
	sc := new(service.Scope)
	t.Run("checks the layer, the scope, the inner service and the result", func(t *testing.T) {
		_, err := service.Apply[int, int](nil, sc, inner)
		assert.ErrorContains(t, err, "layer is nil")
		id := func(_ *service.Scope, in service.Service[int, int]) (service.Service[int, int], error) {
			return in, nil
		}
		_, err = service.Apply(id, nil, inner)
		assert.ErrorContains(t, err, "scope is nil")
		_, err = service.Apply[int, int](id, sc, nil)
		assert.ErrorIs(t, err, service.ErrNilService)
		typedNil := func(*service.Scope, service.Service[int, int]) (service.Service[int, int], error) {
			return (*nilPtrService)(nil), nil
		}
		_, err = service.Apply(typedNil, sc, inner)
		assert.ErrorContains(t, err, "nil service")
		got, err := service.Apply(id, sc, inner)
		assert.NoError(t, err)
		assert.NotNil(t, got)
	})
}

func TestNextForwardsLoad(t *testing.T) {
	mock, h := servicetest.New[int, int]()
	defer h.Close()
	n, err := service.NewNext[int, int](mock)
	require.NoError(t, err)
	assert.Zero(t, n.Load())
	h.SetLoad(3.25)
	assert.Equal(t, 3.25, n.Load())
	assert.Equal(t, 3.25, service.Load[int, int](mock))

	s, err := service.NewStage(service.Service[int, int](mock), func(ctx context.Context, x int, next service.Service[int, int]) (int, error) {
		return next.Call(ctx, x)
	})
	require.NoError(t, err)
	assert.Equal(t, 3.25, s.Load(), "a user's stage forwards load without knowing about it")

	plain, err := service.NewNext[int, int](service.Func[int, int](echo))
	require.NoError(t, err)
	assert.Zero(t, plain.Load(), "a service without a load reports none")
	assert.Zero(t, service.Load[int, int](service.Func[int, int](echo)))
}
