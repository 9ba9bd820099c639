package actor_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
)

// TestStopReturnsWhileCallersKeepCalling: 64 goroutines call in a loop, and go on
// calling after Stop, until Stop has returned. Stop must return (its deadline is
// 50 ms) while they still call. Each caller gives up after guard calls refused as
// stopped, a count a bounded Stop comes nowhere near, so a Stop held up by the
// callers shows as callers that gave up, not as a hung test.
func TestStopReturnsWhileCallersKeepCalling(t *testing.T) {
	const callers, guard = 64, 1 << 20
	echo := service.Func[int, int](func(_ context.Context, x int) (int, error) { return x + 1, nil })
	a, err := actor.Spawn[int, int](echo, 1024, actor.WithName("hammered"))
	require.NoError(t, err)
	var returned atomic.Bool // set once Stop has returned
	var gaveUp, refused atomic.Int32
	var started, wg sync.WaitGroup
	started.Add(callers)
	for i := range callers {
		wg.Go(func() {
			started.Done()
			stops := 0
			for !returned.Load() {
				v, err := a.Call(context.Background(), i)
				switch {
				case err == nil:
					assert.Equal(t, i+1, v)
				case errors.Is(err, service.ErrClosed):
					if stops++; stops == 1 {
						refused.Add(1)
						assert.ErrorIs(t, err, actor.ErrStopped)
						assert.EqualError(t, err, "hammered: stopped")
					}
					if stops == guard {
						gaveUp.Add(1)
						return
					}
				default:
					t.Errorf("unexpected error %v", err)
					return
				}
			}
			if stops == 0 { // Stop returned before this caller saw it: one more call does
				_, err := a.Call(context.Background(), i)
				assert.ErrorIs(t, err, actor.ErrStopped)
				assert.EqualError(t, err, "hammered: stopped")
				refused.Add(1)
			}
		})
	}
	started.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = a.Stop(ctx)
	returned.Store(true)
	wg.Wait()
	if err != nil {
		require.ErrorIs(t, err, context.DeadlineExceeded, "Stop ends with its ctx at the latest")
	}
	assert.Zero(t, gaveUp.Load(), "Stop returned only once the callers stopped calling")
	assert.Equal(t, int32(callers), refused.Load(), "every caller was refused once the actor stopped")
	<-a.Done()
}

func TestGoexitInTheServiceAnswersTheCallAndReplacesTheWorker(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []actor.Option
		live int
	}{
		{"one worker", []actor.Option{actor.WithWorkers(1)}, 1},
		{"fixed pool", []actor.Option{actor.WithWorkers(3)}, 3},
		{"elastic pool", []actor.Option{actor.WithWorkers(2), actor.WithMaxWorkers(8)}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := service.Func[int, int](func(_ context.Context, x int) (int, error) {
					if x == 13 {
						runtime.Goexit() // as t.FailNow does in a test double
					}
					return x + 1, nil
				})
				var events atomic.Int32
				a, err := actor.Spawn[int, int](svc, 8, append(c.opts, actor.WithEvents(func(e service.Event) {
					if e.Kind == service.EventPanicked && errors.Is(e.Err, actor.ErrGoexit) {
						events.Add(1)
					}
				}))...)
				require.NoError(t, err)
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				for range 3 {
					_, err = a.Call(ctx, 13)
					require.ErrorIs(t, err, service.ErrPanicked, "the call gets an answer, not ctx's end")
					require.ErrorIs(t, err, actor.ErrGoexit)
					assert.Contains(t, err.Error(), "runtime.Goexit")
					var pe *service.PanicError
					require.ErrorAs(t, err, &pe)
					assert.Contains(t, string(pe.Stack()), "runtime.Goexit", "the stack shows who called it")
					v, err := a.Call(ctx, 1)
					require.NoError(t, err, "a new worker serves the next call")
					assert.Equal(t, 2, v)
					synctest.Wait()
					assert.Equal(t, c.live, a.Workers(), "the worker count is kept")
				}
				assert.Equal(t, int32(3), events.Load())
				require.NoError(t, a.Stop(context.Background()))
				<-a.Done()
				assert.Zero(t, a.Workers())
			})
		})
	}
}

func TestAPanickingEventHookLosesNothing(t *testing.T) {
	for _, hook := range []struct {
		name string
		f    service.EventFunc
	}{
		{"panic", func(service.Event) { panic("hook bug") }},
		{"Goexit", func(service.Event) { runtime.Goexit() }},
	} {
		t.Run(hook.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc := service.Func[int, int](func(_ context.Context, x int) (int, error) {
					if x < 0 {
						panic("service bug")
					}
					return x + 1, nil
				})
				a, err := actor.Spawn[int, int](svc, 8, actor.WithWorkers(1), actor.WithEvents(hook.f))
				require.NoError(t, err)
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				for range 3 {
					_, err = a.Call(ctx, -1)
					require.ErrorIs(t, err, service.ErrPanicked, "the caller gets the service's panic")
					assert.Contains(t, err.Error(), "service bug")
					v, err := a.Call(ctx, 1)
					require.NoError(t, err, "the actor goes on serving")
					assert.Equal(t, 2, v)
				}
				synctest.Wait()
				assert.Equal(t, 1, a.Workers())
				require.NoError(t, a.Stop(context.Background()))
			})
		})
	}
	t.Run("on failure", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			cause := errors.New("connection refused")
			inner := &failing{err: cause, ready: make(chan struct{})}
			close(inner.ready)
			a, err := actor.Spawn[int, int](inner, 8, actor.WithEvents(func(service.Event) { panic("hook bug") }))
			require.NoError(t, err)
			_, err = a.Call(context.Background(), 1)
			require.ErrorIs(t, err, service.ErrFailed)
			require.ErrorIs(t, err, cause)
			<-a.Failed()
			<-a.Done()
		})
	})
}

func TestFailureIsAChannelAndEndsTheActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cause := errors.New("connection refused")
		inner := &failing{err: cause, ready: make(chan struct{})}
		a, err := actor.Spawn[int, int](inner, 8, actor.WithName("endpoint"), actor.WithWorkers(2), actor.WithMaxWorkers(4))
		require.NoError(t, err)
		errs := make(chan error, 6)
		for i := range 6 { // two wait for readiness in the workers, four are queued
			go func() { _, err := a.Call(context.Background(), i); errs <- err }()
		}
		synctest.Wait()
		select {
		case <-a.Failed():
			t.Fatal("Failed is closed only once the service fails")
		default:
		}
		require.NoError(t, a.Err())

		close(inner.ready)
		<-a.Failed() // a supervisor's select sees it
		var fe *service.FailedError
		require.ErrorAs(t, a.Err(), &fe)
		for range 6 {
			err := <-errs
			require.ErrorIs(t, err, service.ErrFailed)
			require.ErrorIs(t, err, cause)
		}
		<-a.Done() // every goroutine ended without Stop
		assert.Zero(t, a.Workers())
		_, err = a.Call(context.Background(), 9)
		require.ErrorIs(t, err, service.ErrFailed, "later calls fail at once with the failure")
		require.ErrorIs(t, err, cause)
		_, err = a.TryCall(context.Background(), 9)
		require.ErrorIs(t, err, service.ErrFailed)
		require.ErrorIs(t, a.Ready(context.Background()), service.ErrFailed)
		require.ErrorIs(t, a.TryReady(), service.ErrFailed)
		require.NoError(t, a.Stop(context.Background()), "Stop still works")
	})
}

func TestErrorsNameTheActor(t *testing.T) {
	for _, c := range []struct {
		opts          []actor.Option
		stopped, full string
	}{
		{nil, "actor: stopped", "actor: mailbox full"},
		{[]actor.Option{actor.WithName("buffer")}, "buffer: stopped", "buffer: mailbox full"},
	} {
		t.Run(c.stopped, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newGate()
				a, err := actor.Spawn[int, int](g, 1, append(c.opts, actor.WithWorkers(1))...)
				require.NoError(t, err)
				go func() { _, _ = a.Call(context.Background(), 1) }()
				synctest.Wait()
				go func() { _, _ = a.Call(context.Background(), 2) }()
				synctest.Wait()
				_, err = a.TryCall(context.Background(), 3)
				for _, err := range []error{err, a.TryReady()} {
					require.EqualError(t, err, c.full)
					require.ErrorIs(t, err, actor.ErrFull)
					require.ErrorIs(t, err, mailbox.ErrFull)
					require.ErrorIs(t, err, service.ErrOverloaded)
				}
				close(g.release)
				require.NoError(t, a.Stop(context.Background()))
				_, err = a.Call(context.Background(), 1)
				_, tryErr := a.Ref().TryCall(context.Background(), 1)
				for _, err := range []error{err, tryErr, a.Ready(context.Background()), a.TryReady()} {
					require.EqualError(t, err, c.stopped, "no internal package shows")
					require.ErrorIs(t, err, actor.ErrStopped)
					require.ErrorIs(t, err, service.ErrClosed)
				}
			})
		})
	}
}

func TestTheDefaultPoolGrowsOnlyForBlockingServices(t *testing.T) {
	run := func(t *testing.T, serviceTime time.Duration) int {
		svc := service.Func[int, int](func(_ context.Context, x int) (int, error) {
			time.Sleep(serviceTime)
			return x + 1, nil
		})
		a, err := actor.Spawn[int, int](svc, 1024)
		require.NoError(t, err)
		var wg sync.WaitGroup
		for i := range 64 {
			wg.Go(func() {
				for range 200 {
					v, err := a.Call(context.Background(), i)
					assert.NoError(t, err)
					assert.Equal(t, i+1, v)
				}
			})
		}
		wg.Wait()
		n := a.Workers()
		require.NoError(t, a.Stop(context.Background()))
		return n
	}
	t.Run("a fast service keeps one worker", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			// 64 callers queue behind the worker all the time, but it serves a
			// thousand calls per growth period: the queue is no reason to grow.
			assert.Equal(t, 1, run(t, time.Microsecond))
		})
	})
	t.Run("a blocking service grows to the callers", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := run(t, 5*time.Millisecond)
			assert.GreaterOrEqual(t, n, 64, "every caller's call runs at once")
			assert.LessOrEqual(t, n, 128, "doubling overshoots by less than twice")
		})
	})
}
