package buffer_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/buffer"
)

type connError struct{ addr string }

func (e *connError) Error() string { return "connection refused: " + e.addr }

// flaky is an inner service whose readiness fails when told to.
type flaky struct {
	fail  chan struct{}
	err   error
	calls atomic.Int32
}

func (f *flaky) Call(_ context.Context, x int) (int, error) { f.calls.Add(1); return x + 1, nil }
func (f *flaky) Ready(ctx context.Context) error {
	select {
	case <-f.fail:
		return f.err
	default:
		return nil
	}
}
func (f *flaky) TryReady() error { return nil }

func TestBadInput(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })
	_, err := buffer.New[int, int](echo, 0)
	require.ErrorContains(t, err, "capacity must be at least 1")
	_, err = buffer.New[int, int](nil, 4)
	require.ErrorIs(t, err, service.ErrNilService)
	require.ErrorContains(t, err, "buffer: ")
	_, err = service.Apply(buffer.Layer[int, int](-1), new(service.Scope), echo)
	require.ErrorContains(t, err, "buffer: ")
	_, err = buffer.New[int, int](echo, 4, actor.WithWorkers(0))
	require.ErrorContains(t, err, "workers must be between 1 and")
}

func TestLayerForwardsWhatABoundaryForwards(t *testing.T) {
	servicetest.CheckLayer(t, buffer.Layer[int, int](4), 1, servicetest.WithReadiness(servicetest.Boundary))
}

func TestLayerIsOwnedByItsScope(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })
	sc := new(service.Scope)
	svc, err := service.Apply(buffer.Layer[int, int](4), sc, echo)
	require.NoError(t, err)
	_, isStopper := svc.(service.Stopper)
	assert.False(t, isStopper, "callers get the buffer's address, which cannot stop it")
	assert.Equal(t, 1, sc.Len())
	require.NoError(t, sc.Stop(context.Background()))
	_, err = svc.Call(context.Background(), 1)
	assert.ErrorIs(t, err, service.ErrClosed)
	assert.Contains(t, err.Error(), "buffer: ", "the error names the buffer")
	assert.NotContains(t, err.Error(), "mailbox")
}

func TestFailedInnerFailsQueuedAndLaterCallsWithTheCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cause := &connError{addr: "10.0.0.1:80"}
		inner := &flaky{fail: make(chan struct{}), err: cause}
		b, err := buffer.New[int, int](inner, 8, actor.WithMaxWorkers(1))
		require.NoError(t, err)

		v, err := b.Call(context.Background(), 1)
		require.NoError(t, err)
		assert.Equal(t, 2, v)

		close(inner.fail)
		errs := make(chan error, 4)
		for i := range 4 {
			go func() { _, err := b.Call(context.Background(), i); errs <- err }()
		}
		for range 4 {
			err := <-errs
			require.ErrorIs(t, err, service.ErrFailed)
			require.ErrorIs(t, err, cause, "unlike Tower's ServiceError, the cause is still visible")
			var ce *connError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "10.0.0.1:80", ce.addr)
		}
		_, err = b.Call(context.Background(), 9)
		require.ErrorIs(t, err, cause, "later calls fail the same way")
		assert.Equal(t, int32(1), inner.calls.Load(), "a failed service is not called again")
		require.NoError(t, b.Stop(context.Background()))
	})
}

func TestBufferCallsABlockingInnerConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var running, peak atomic.Int32
		inner := service.Func[int, int](func(ctx context.Context, x int) (int, error) {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			defer running.Add(-1)
			<-release
			return x, nil
		})
		b, err := buffer.New[int, int](inner, 32)
		require.NoError(t, err)
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				v, err := b.Call(context.Background(), i)
				assert.NoError(t, err)
				assert.Equal(t, i, v)
			})
		}
		// The pool grows once its workers have all been busy for a while (see
		// actor.WithMaxWorkers): let fake time pass.
		time.Sleep(10 * time.Millisecond)
		synctest.Wait()
		assert.Greater(t, peak.Load(), int32(1), "one slow call does not hold up the others")
		close(release)
		wg.Wait()
		require.NoError(t, b.Stop(context.Background()))
	})
}
