package spawnready_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/spawnready"
)

func TestNewRejectsANilService(t *testing.T) {
	for name, inner := range map[string]service.Service[int, int]{
		"nil interface":    nil,
		"typed nil mock":   (*servicetest.Mock[int, int])(nil),
		"nil service.Func": service.Func[int, int](nil),
	} {
		t.Run(name, func(t *testing.T) {
			s, err := spawnready.New(inner)
			require.EqualError(t, err, "spawnready: service is nil")
			assert.ErrorIs(t, err, service.ErrNilService)
			assert.Nil(t, s)
			sc := new(service.Scope)
			l, err := spawnready.Layer[int, int]()(sc, inner)
			require.EqualError(t, err, "spawnready: service is nil")
			assert.Nil(t, l, "the layer returns a nil interface, not a typed nil")
			assert.Zero(t, sc.Len(), "nothing was started")
		})
	}
	t.Run("nil scope", func(t *testing.T) {
		l, err := spawnready.Layer[int, int]()(nil, newScripted())
		require.EqualError(t, err, "spawnready: scope is nil")
		assert.Nil(t, l)
	})
	t.Run("nil options are ignored, a nil events hook discards", func(t *testing.T) {
		s, err := spawnready.New[int, int](newScripted(), nil, spawnready.WithEvents(nil))
		require.NoError(t, err)
		require.NoError(t, s.Stop(t.Context()))
	})
}

// The layer hands the stage to the scope: the scope's Stop ends its goroutine
// (goleak checks), and calls then fail with ErrClosed.
func TestLayerIsOwnedByTheScope(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := newScripted()
		sc := new(service.Scope)
		svc, err := service.Apply(spawnready.Layer[int, int](), sc, service.Service[int, int](inner))
		require.NoError(t, err)
		assert.Equal(t, 1, sc.Len())
		waiter := make(chan error, 1)
		go func() { waiter <- service.Ready(t.Context(), svc) }()
		synctest.Wait()
		require.NoError(t, sc.Stop(t.Context()))
		assert.ErrorIs(t, <-waiter, service.ErrClosed)
		_, err = svc.Call(t.Context(), 1)
		assert.ErrorIs(t, err, service.ErrClosed)
	})
}

func TestCheckLayer(t *testing.T) {
	servicetest.CheckLayer(t, spawnready.Layer[int, int](), 1)
}

func TestInnerWithoutReadiness(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil })
	s, err := spawnready.New(echo)
	require.NoError(t, err)
	goleak.VerifyNone(t) // nothing to drive: no goroutine
	require.NoError(t, s.TryReady())
	require.NoError(t, s.Ready(t.Context()))
	res, err := s.Call(t.Context(), 3)
	require.NoError(t, err)
	assert.Equal(t, 3, res)

	require.NoError(t, s.Stop(t.Context()))
	require.NoError(t, s.Stop(t.Context()), "Stop is idempotent")
	assert.ErrorIs(t, s.TryReady(), spawnready.ErrClosed)
	assert.ErrorIs(t, s.Ready(t.Context()), service.ErrClosed)
	_, err = s.Call(t.Context(), 3)
	assert.ErrorIs(t, err, spawnready.ErrClosed)
}

func TestDrivesReadinessInTheBackground(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, h := servicetest.New[int, int]()
		defer h.Close()
		h.Allow(0)
		s, err := spawnready.New(m)
		require.NoError(t, err)
		defer s.Stop(context.Background())

		err = s.TryReady()
		require.ErrorIs(t, err, spawnready.ErrNotReady)
		assert.ErrorIs(t, err, service.ErrOverloaded)
		_, err = s.TryCall(t.Context(), 1)
		assert.ErrorIs(t, err, spawnready.ErrNotReady, "TryCall fails at once")
		synctest.Wait()
		assert.ErrorIs(t, s.TryReady(), spawnready.ErrNotReady, "still driving")

		h.Allow(1) // the mock's Ready returns in the stage's goroutine
		synctest.Wait()
		require.NoError(t, s.TryReady(), "the drive ended: ready")

		go func() { _ = h.Serve(t.Context(), func(r int) (int, error) { return r * 10, nil }) }()
		res, err := s.TryCall(t.Context(), 4)
		require.NoError(t, err)
		assert.Equal(t, 40, res)
		assert.ErrorIs(t, s.TryReady(), spawnready.ErrNotReady, "the permit is used up: a new drive")
		h.Allow(1)
		res, err = s.Call(t.Context(), 5)
		require.NoError(t, err)
		assert.Equal(t, 50, res)
		h.Close()
	})
}

func TestWhileDrivingTheInnerIsNotAsked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := newScripted()
		s, err := spawnready.New(inner)
		require.NoError(t, err)
		defer s.Stop(context.Background())
		synctest.Wait()
		try, ready := inner.counts()
		assert.Equal(t, 1, try, "New asked once")
		assert.Equal(t, 1, ready, "and started a drive at once")
		for range 10 {
			assert.ErrorIs(t, s.TryReady(), spawnready.ErrNotReady)
		}
		try, _ = inner.counts()
		assert.Equal(t, 1, try, "TryReady answered without asking the inner service")
		inner.release <- nil
		synctest.Wait()
		require.NoError(t, s.TryReady())
	})
}

func TestReadyWaitsForOneSharedDrive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := newScripted()
		s, err := spawnready.New(inner)
		require.NoError(t, err)
		defer s.Stop(context.Background())
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		for range 5 {
			wg.Go(func() { errs <- s.Ready(t.Context()) })
		}
		synctest.Wait()
		assert.Empty(t, errs, "every caller waits")
		_, ready := inner.counts()
		assert.Equal(t, 1, ready, "one drive for all of them")
		inner.release <- nil
		wg.Wait()
		close(errs)
		for err := range errs {
			assert.NoError(t, err)
		}
		require.NoError(t, s.Ready(t.Context()), "ready at once now")
	})
}

func TestCallerGivingUpDoesNotStopTheDrive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := newScripted()
		s, err := spawnready.New(inner)
		require.NoError(t, err)
		defer s.Stop(context.Background())
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		assert.ErrorIs(t, s.Ready(ctx), context.DeadlineExceeded)
		synctest.Wait()
		assert.NoError(t, inner.readyCtx(0).Err(), "the inner Ready is still running")
		inner.release <- nil
		synctest.Wait()
		require.NoError(t, s.TryReady())
		_, ready := inner.counts()
		assert.Equal(t, 1, ready)
	})
}

func TestReadinessFailure(t *testing.T) {
	boom := errors.New("connection refused")
	check := func(t *testing.T, s *spawnready.SpawnReady[int, int], ev *events) {
		t.Helper()
		var fe *service.FailedError
		for _, err := range []error{s.TryReady(), s.Ready(t.Context()), s.Err(), callErr(s), tryCallErr(s)} {
			require.ErrorAs(t, err, &fe)
			assert.ErrorIs(t, err, service.ErrFailed)
			assert.ErrorIs(t, err, boom, "the inner error is kept")
		}
		got := ev.All()
		require.Len(t, got, 1)
		assert.Equal(t, service.Event{Stage: "spawnready", Kind: service.EventFailed, Err: boom}, got[0])
	}
	t.Run("a failed drive fails the stage", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			m, h := servicetest.New[int, int]()
			defer h.Close()
			h.Allow(0)
			ev := &events{}
			s, err := spawnready.New(m, spawnready.WithEvents(ev.Emit))
			require.NoError(t, err)
			defer s.Stop(context.Background())
			waiter := make(chan error, 1)
			go func() { waiter <- s.Ready(t.Context()) }()
			synctest.Wait()
			assert.NoError(t, s.Err())
			h.Fail(boom)
			assert.ErrorIs(t, <-waiter, boom, "the waiting caller gets the failure")
			check(t, s, ev)
		})
	})
	t.Run("a permanent TryReady error fails the stage", func(t *testing.T) {
		m, h := servicetest.New[int, int]()
		defer h.Close()
		h.Fail(boom)
		ev := &events{}
		s, err := spawnready.New(m, spawnready.WithEvents(ev.Emit))
		require.NoError(t, err)
		defer s.Stop(context.Background())
		check(t, s, ev)
	})
	t.Run("a panic in the inner Ready fails the stage", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := newScripted()
			inner.panicWith = "dial exploded"
			ev := &events{}
			s, err := spawnready.New(inner, spawnready.WithEvents(ev.Emit))
			require.NoError(t, err)
			defer s.Stop(context.Background())
			err = s.Ready(t.Context())
			assert.ErrorIs(t, err, service.ErrFailed)
			assert.ErrorIs(t, err, service.ErrPanicked)
			var pe *service.PanicError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "dial exploded", pe.Value)
			got := ev.All()
			require.Len(t, got, 2)
			assert.Equal(t, service.EventPanicked, got[0].Kind)
			assert.Equal(t, service.EventFailed, got[1].Kind)
		})
	})
}

func callErr(s *spawnready.SpawnReady[int, int]) error {
	_, err := s.Call(context.Background(), 1)
	return err
}

func tryCallErr(s *spawnready.SpawnReady[int, int]) error {
	_, err := s.TryCall(context.Background(), 1)
	return err
}

func TestStop(t *testing.T) {
	t.Run("Stop cancels the drive, wakes waiters and ends the goroutine", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := newScripted()
			s, err := spawnready.New(inner)
			require.NoError(t, err)
			waiter := make(chan error, 1)
			go func() { waiter <- s.Ready(t.Context()) }()
			synctest.Wait()
			require.NoError(t, s.Stop(t.Context()))
			assert.ErrorIs(t, inner.readyCtx(0).Err(), context.Canceled, "the inner Ready's ctx ended")
			err = <-waiter
			assert.ErrorIs(t, err, spawnready.ErrClosed)
			assert.ErrorIs(t, err, service.ErrClosed)
			assert.ErrorIs(t, s.TryReady(), spawnready.ErrClosed)
			assert.ErrorIs(t, callErr(s), spawnready.ErrClosed)
			assert.ErrorIs(t, tryCallErr(s), spawnready.ErrClosed)
			require.NoError(t, s.Stop(t.Context()), "Stop is idempotent")
		})
	})
	t.Run("Stop of an idle stage", func(t *testing.T) {
		inner := newScripted()
		inner.setOpen(true)
		s, err := spawnready.New(inner)
		require.NoError(t, err)
		require.NoError(t, s.TryReady())
		require.NoError(t, s.Stop(t.Context()))
		assert.ErrorIs(t, s.Ready(t.Context()), spawnready.ErrClosed)
	})
	t.Run("Stop is bounded by its ctx when the inner Ready ignores cancellation", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := newScripted()
			inner.deaf = true
			s, err := spawnready.New(inner)
			require.NoError(t, err)
			synctest.Wait()
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			assert.ErrorIs(t, s.Stop(ctx), context.DeadlineExceeded)
			inner.release <- nil // the goroutine ends once the inner Ready returns
			require.NoError(t, s.Stop(t.Context()))
		})
	})
}

func TestTransientReadinessErrorDoesNotFailTheStage(t *testing.T) {
	elapsed := service.NewError("timeout: elapsed", context.DeadlineExceeded)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"a deadline of a stage that bounds readiness", elapsed},
		{"an overload", notReady},
		{"a cancellation", context.Canceled},
	} {
		t.Run(tc.name+" ends the drive, not the stage", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				inner := newScripted()
				ev := &events{}
				s, err := spawnready.New(inner, spawnready.WithEvents(ev.Emit))
				require.NoError(t, err)
				defer s.Stop(context.Background())
				waiter := make(chan error, 1)
				go func() { waiter <- s.Ready(t.Context()) }()
				synctest.Wait()
				inner.release <- tc.err
				assert.ErrorIs(t, <-waiter, tc.err, "the waiter gets the transient error")
				assert.NoError(t, s.Err(), "the stage has not failed")
				assert.Empty(t, ev.All(), "no EventFailed")

				require.ErrorIs(t, s.TryReady(), spawnready.ErrNotReady, "the next TryReady asks again and drives again")
				synctest.Wait()
				_, ready := inner.counts()
				assert.Equal(t, 2, ready, "a second drive")
				inner.release <- nil
				synctest.Wait()
				require.NoError(t, s.TryReady())
				res, err := s.Call(t.Context(), 7)
				require.NoError(t, err)
				assert.Equal(t, 7, res)
			})
		})
	}
}
