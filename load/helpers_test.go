package load_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

// sleeper answers after sleeping the requested duration (on fake time inside a
// synctest bubble), or fails with the ctx's error.
var sleeper = service.Func[time.Duration, int](func(ctx context.Context, d time.Duration) (int, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return 1, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
})

// failing answers every call at once with err.
func failing(err error) service.Func[time.Duration, int] {
	return func(context.Context, time.Duration) (int, error) { return 0, err }
}

var echo = service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })

// checkForwards checks that the stage build makes over a mock forwards the mock's
// readiness and non-blocking call, and that the stage's load is its own.
func checkForwards(t *testing.T, build func(service.Service[int, int]) (service.Service[int, int], error)) {
	t.Helper()
	t.Run("readiness and TryCall forward to the inner service", func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		defer h.Close()
		svc, err := build(mock)
		require.NoError(t, err)
		require.Implements(t, (*service.Readier)(nil), svc)
		require.Implements(t, (*service.TryCaller[int, int])(nil), svc)
		require.Implements(t, (*service.Loader)(nil), svc)

		require.NoError(t, service.TryReady(svc))
		h.Allow(0)
		assert.ErrorIs(t, service.TryReady(svc), service.ErrOverloaded)
		_, err = service.TryCall(t.Context(), svc, 1)
		assert.ErrorIs(t, err, service.ErrOverloaded, "TryCall refuses at once while the inner service is busy")
		ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
		defer cancel()
		assert.ErrorIs(t, service.Ready(ctx, svc), context.DeadlineExceeded, "Ready waits for the inner service")

		h.SetLoad(99)
		assert.NotEqual(t, 99.0, service.Load(svc), "the metric reports its own load, not the inner service's")

		boom := errors.New("boom")
		h.Fail(boom)
		assert.ErrorIs(t, service.TryReady(svc), boom, "a permanent failure shows through")
	})
	t.Run("the layer check of servicetest", func(t *testing.T) {
		servicetest.CheckLayer(t, func(_ *service.Scope, inner service.Service[int, int]) (service.Service[int, int], error) {
			return build(inner)
		}, 1, servicetest.WithReadiness(servicetest.Boundary))
	})
}
