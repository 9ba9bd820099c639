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

// recorder is a service whose optional capabilities a test chooses, and which
// records which of its methods ran.
type recorder struct {
	readyErr error // returned by Ready and TryReady
	tryErr   error // returned by TryCall when refusing
	log      []string
}

func (r *recorder) Call(_ context.Context, n int) (int, error) {
	r.log = append(r.log, "Call")
	return n + 1, nil
}

type readyRecorder struct{ *recorder }

func (r readyRecorder) Ready(ctx context.Context) error {
	r.log = append(r.log, "Ready")
	if r.readyErr != nil {
		return r.readyErr
	}
	return ctx.Err()
}

func (r readyRecorder) TryReady() error {
	r.log = append(r.log, "TryReady")
	return r.readyErr
}

type tryRecorder struct{ readyRecorder }

func (r tryRecorder) TryCall(_ context.Context, n int) (int, error) {
	r.log = append(r.log, "TryCall")
	if r.tryErr != nil {
		return 0, r.tryErr
	}
	return n + 100, nil
}

var (
	_ service.Readier             = readyRecorder{}
	_ service.TryCaller[int, int] = tryRecorder{}
)

func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

func TestReady(t *testing.T) {
	t.Run("a service without readiness is always ready, whatever ctx", func(t *testing.T) {
		s := &recorder{}
		assert.NoError(t, service.Ready[int, int](t.Context(), s))
		assert.NoError(t, service.Ready[int, int](cancelled(t), s))
		assert.Empty(t, s.log)
	})
	t.Run("a Readier's own readiness is used", func(t *testing.T) {
		boom := errors.New("down")
		s := readyRecorder{&recorder{readyErr: boom}}
		assert.ErrorIs(t, service.Ready[int, int](t.Context(), s), boom)
		assert.Equal(t, []string{"Ready"}, s.log)
	})
	t.Run("Ready waits for the service to have room", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			h.Allow(0)
			done := make(chan error, 1)
			go func() { done <- service.Ready[int, int](t.Context(), mock) }()
			synctest.Wait()
			require.Empty(t, done)
			h.Allow(1)
			assert.NoError(t, <-done)
		})
	})
}

func TestTryReady(t *testing.T) {
	t.Run("a service without readiness is always ready", func(t *testing.T) {
		assert.NoError(t, service.TryReady[int, int](&recorder{}))
	})
	t.Run("a Readier answers for itself", func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		assert.NoError(t, service.TryReady[int, int](mock))
		h.Allow(0)
		assert.ErrorIs(t, service.TryReady[int, int](mock), service.ErrOverloaded)
	})
}

func TestTryCall(t *testing.T) {
	full := service.NewError("test: full", service.ErrOverloaded)
	t.Run("uses the service's own TryCall when it has one", func(t *testing.T) {
		s := tryRecorder{readyRecorder{&recorder{}}}
		res, err := service.TryCall[int, int](t.Context(), s, 1)
		require.NoError(t, err)
		assert.Equal(t, 101, res)
		assert.Equal(t, []string{"TryCall"}, s.log, "no separate readiness check, no Call")
	})
	t.Run("returns the TryCaller's refusal", func(t *testing.T) {
		s := tryRecorder{readyRecorder{&recorder{tryErr: full}}}
		_, err := service.TryCall[int, int](t.Context(), s, 1)
		assert.ErrorIs(t, err, service.ErrOverloaded)
	})
	t.Run("checks TryReady then calls a Readier that is ready", func(t *testing.T) {
		s := readyRecorder{&recorder{}}
		res, err := service.TryCall[int, int](t.Context(), s, 1)
		require.NoError(t, err)
		assert.Equal(t, 2, res)
		assert.Equal(t, []string{"TryReady", "Call"}, s.log)
	})
	t.Run("does not call a Readier that is not ready", func(t *testing.T) {
		s := readyRecorder{&recorder{readyErr: full}}
		res, err := service.TryCall[int, int](t.Context(), s, 1)
		assert.ErrorIs(t, err, full)
		assert.Zero(t, res)
		assert.Equal(t, []string{"TryReady"}, s.log)
	})
	t.Run("just calls a service without capabilities", func(t *testing.T) {
		s := &recorder{}
		res, err := service.TryCall[int, int](t.Context(), s, 1)
		require.NoError(t, err)
		assert.Equal(t, 2, res)
		assert.Equal(t, []string{"Call"}, s.log)
	})
}

func TestOneshot(t *testing.T) {
	t.Run("waits for readiness, then calls once", func(t *testing.T) {
		s := readyRecorder{&recorder{}}
		res, err := service.Oneshot[int, int](t.Context(), s, 1)
		require.NoError(t, err)
		assert.Equal(t, 2, res)
		assert.Equal(t, []string{"Ready", "Call"}, s.log)
	})
	t.Run("returns the readiness error without calling", func(t *testing.T) {
		boom := errors.New("failed")
		s := readyRecorder{&recorder{readyErr: boom}}
		res, err := service.Oneshot[int, int](t.Context(), s, 1)
		assert.ErrorIs(t, err, boom)
		assert.Zero(t, res)
		assert.Equal(t, []string{"Ready"}, s.log)
	})
	t.Run("calls a service without readiness", func(t *testing.T) {
		s := &recorder{}
		res, err := service.Oneshot[int, int](t.Context(), s, 1)
		require.NoError(t, err)
		assert.Equal(t, 2, res)
	})
	t.Run("leaves an ended ctx to the call of a service without readiness", func(t *testing.T) {
		s := &recorder{}
		_, err := service.Oneshot[int, int](cancelled(t), s, 1)
		require.NoError(t, err, "the recorder ignores ctx")
		assert.Equal(t, []string{"Call"}, s.log)
	})
	t.Run("a Readier whose ctx has ended is not called", func(t *testing.T) {
		s := readyRecorder{&recorder{}}
		_, err := service.Oneshot[int, int](cancelled(t), s, 1)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, []string{"Ready"}, s.log)
	})
	t.Run("waits for a gated service and gives up with ctx", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			h.Allow(0)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() {
				_, err := service.Oneshot[int, int](ctx, mock, 1)
				done <- err
			}()
			synctest.Wait()
			require.Empty(t, done)
			cancel()
			assert.ErrorIs(t, <-done, context.Canceled)
			assert.Equal(t, 0, h.Calls())
		})
	})
}
