package actor_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
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

func stop(t *testing.T, s service.Stopper) {
	t.Helper()
	require.NoError(t, s.Stop(context.Background()))
}

// gate is a service whose calls block until released, recording how many run.
type gate struct {
	release chan struct{}
	running atomic.Int32
	calls   atomic.Int32
}

func newGate() *gate { return &gate{release: make(chan struct{})} }

func (g *gate) Call(ctx context.Context, x int) (int, error) {
	g.calls.Add(1)
	g.running.Add(1)
	defer g.running.Add(-1)
	select {
	case <-g.release:
		return x + 1, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// nilPtrService is a Service whose nil pointer panics on its first call.
type nilPtrService struct{ n int }

func (s *nilPtrService) Call(_ context.Context, x int) (int, error) { return x + s.n, nil }

func TestSpawnRejectsBadInput(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })
	for _, c := range []struct {
		name string
		svc  service.Service[int, int]
		cap  int
		opts []actor.Option
		want string
	}{
		{"nil service", nil, 1, nil, "service is nil"},
		{"nil Func", service.Func[int, int](nil), 1, nil, "service is nil"},
		{"typed nil pointer", (*nilPtrService)(nil), 1, nil, "service is nil"},
		{"zero capacity", echo, 0, nil, "capacity must be at least 1"},
		{"negative capacity", echo, -3, nil, "capacity must be at least 1"},
		{"absurd capacity", echo, math.MaxInt, nil, "capacity must be at most"},
		{"capacity above the mailbox maximum", echo, mailbox.MaxCapacity + 1, nil, "capacity must be at most"},
		{"zero workers", echo, 1, []actor.Option{actor.WithWorkers(0)}, "workers must be between 1 and"},
		{"negative workers", echo, 1, []actor.Option{actor.WithWorkers(-1)}, "workers must be between 1 and"},
		{"absurd workers", echo, 1, []actor.Option{actor.WithWorkers(math.MaxInt)}, "workers must be between 1 and"},
		{"zero max workers", echo, 1, []actor.Option{actor.WithMaxWorkers(0)}, "max must be between 1 and"},
		{"absurd max workers", echo, 1, []actor.Option{actor.WithMaxWorkers(math.MaxInt)}, "max must be between 1 and"},
		{"max below workers", echo, 1, []actor.Option{actor.WithWorkers(4), actor.WithMaxWorkers(2)}, "WithMaxWorkers(2) is below WithWorkers(4)"},
		{"nil option", echo, 1, []actor.Option{actor.WithWorkers(1), nil}, "option 2 of 2 is nil"},
		{"empty name", echo, 1, []actor.Option{actor.WithName("")}, "name must not be empty"},
		{"unknown overflow", echo, 1, []actor.Option{actor.WithOverflow(mailbox.Overflow(7))}, "unknown overflow policy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := actor.Spawn[int, int](c.svc, c.cap, c.opts...)
			require.ErrorContains(t, err, c.want)
			assert.Nil(t, a)
		})
	}
	_, err := actor.Spawn[int, int](nil, 1, actor.WithName("buffer"))
	require.ErrorIs(t, err, service.ErrNilService)
	require.ErrorContains(t, err, "buffer: ", "the error names what the user built")
}

func TestOneWorkerServesOneAtATimeInOrder(t *testing.T) {
	// The service keeps unsynchronized state: safe only with strict actor semantics.
	var log []int
	svc := service.Func[int, int](func(_ context.Context, x int) (int, error) {
		log = append(log, x)
		return len(log), nil
	})
	a, err := actor.Spawn[int, int](svc, 16, actor.WithWorkers(1))
	require.NoError(t, err)
	defer stop(t, a)
	ref := a.Ref()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 100 {
				_, err := ref.Call(context.Background(), i)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	n, err := a.Call(context.Background(), -1)
	require.NoError(t, err)
	assert.Equal(t, 801, n)
}

func TestFullMailbox(t *testing.T) {
	t.Run("fail-fast policy refuses at once with an overloaded error", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := newGate()
			a, err := actor.Spawn[int, int](g, 1, actor.WithWorkers(1), actor.WithOverflow(mailbox.FailFast))
			require.NoError(t, err)
			go func() { _, _ = a.Call(context.Background(), 1) }() // running
			synctest.Wait()
			go func() { _, _ = a.Call(context.Background(), 2) }() // queued
			synctest.Wait()
			require.ErrorIs(t, a.TryReady(), service.ErrOverloaded)
			_, err = a.Call(context.Background(), 3)
			require.ErrorIs(t, err, service.ErrOverloaded)
			close(g.release)
			stop(t, a)
		})
	})
	t.Run("wait policy makes the caller wait for room; TryCall does not", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := newGate()
			a, err := actor.Spawn[int, int](g, 1, actor.WithWorkers(1))
			require.NoError(t, err)
			go func() { _, _ = a.Call(context.Background(), 1) }()
			synctest.Wait()
			go func() { _, _ = a.Call(context.Background(), 2) }()
			synctest.Wait()
			_, err = a.Ref().TryCall(context.Background(), 3)
			require.ErrorIs(t, err, service.ErrOverloaded)
			var got atomic.Int64
			got.Store(-1)
			go func() {
				v, err := a.Call(context.Background(), 10)
				assert.NoError(t, err)
				got.Store(int64(v))
			}()
			synctest.Wait()
			assert.Equal(t, int64(-1), got.Load(), "the third call waits for room")
			close(g.release)
			synctest.Wait()
			assert.Equal(t, int64(11), got.Load())
			stop(t, a)
		})
	})
	t.Run("Ready waits for free mailbox capacity", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := newGate()
			a, err := actor.Spawn[int, int](g, 1, actor.WithWorkers(1))
			require.NoError(t, err)
			go func() { _, _ = a.Call(context.Background(), 1) }()
			synctest.Wait()
			go func() { _, _ = a.Call(context.Background(), 2) }()
			synctest.Wait()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			require.ErrorIs(t, a.Ref().Ready(ctx), context.DeadlineExceeded)
			close(g.release)
			require.NoError(t, a.Ref().Ready(context.Background()))
			stop(t, a)
		})
	})
}

func TestCancellation(t *testing.T) {
	t.Run("while queued: the caller gets ctx.Err() at once and the call is skipped", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := newGate()
			a, err := actor.Spawn[int, int](g, 4, actor.WithWorkers(1))
			require.NoError(t, err)
			go func() { _, _ = a.Call(context.Background(), 1) }()
			synctest.Wait()
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error)
			go func() { _, err := a.Call(ctx, 2); errc <- err }()
			synctest.Wait()
			cancel()
			require.ErrorIs(t, <-errc, context.Canceled)
			assert.Equal(t, 1, a.Len(), "the abandoned call is still queued")
			close(g.release)
			stop(t, a)
			assert.Equal(t, int32(1), g.calls.Load(), "the abandoned call never ran")
		})
	})
	t.Run("while running: the caller gets ctx.Err() at once and the worker goes on", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			// The service ignores ctx: the caller must not wait for it.
			release := make(chan struct{})
			svc := service.Func[int, int](func(_ context.Context, x int) (int, error) {
				if x == 1 {
					<-release
				}
				return x + 1, nil
			})
			a, err := actor.Spawn[int, int](svc, 4, actor.WithWorkers(1))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			_, err = a.Call(ctx, 1)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, time.Second, time.Since(start), "answered exactly at the deadline")
			close(release) // the late reply is discarded without blocking the worker
			v, err := a.Call(context.Background(), 5)
			require.NoError(t, err)
			assert.Equal(t, 6, v)
			stop(t, a)
		})
	})
}

type boom struct{ code int }

func (b boom) Error() string { return fmt.Sprintf("boom %d", b.code) }

func TestPanicBecomesErrorAndEvent(t *testing.T) {
	var events []service.Event
	var mu sync.Mutex
	svc := service.Func[int, int](func(_ context.Context, x int) (int, error) {
		if x < 0 {
			panic(boom{x})
		}
		return x, nil
	})
	a, err := actor.Spawn[int, int](svc, 4, actor.WithWorkers(1), actor.WithName("worker"), actor.WithEvents(func(e service.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}))
	require.NoError(t, err)
	defer stop(t, a)

	_, err = a.Call(context.Background(), -7)
	require.ErrorIs(t, err, service.ErrPanicked)
	var pe *service.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, boom{-7}, pe.Value)
	assert.Contains(t, string(pe.Stack()), "actor_test.TestPanicBecomesErrorAndEvent")
	var b boom
	require.ErrorAs(t, err, &b, "a panic value that is an error unwraps to it")

	v, err := a.Call(context.Background(), 3)
	require.NoError(t, err, "the actor goes on serving after a panic")
	assert.Equal(t, 3, v)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, events, 1)
	assert.Equal(t, service.EventPanicked, events[0].Kind)
	assert.Equal(t, "worker", events[0].Stage)
	assert.ErrorIs(t, events[0].Err, service.ErrPanicked)
}

// failing is a service whose readiness fails once failed is set.
type failing struct {
	err   error
	ready chan struct{}
}

func (f *failing) Call(_ context.Context, x int) (int, error) { return x, nil }
func (f *failing) Ready(ctx context.Context) error {
	select {
	case <-f.ready:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (f *failing) TryReady() error { return nil }

func TestFailedReadinessFailsTheActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cause := boom{42}
		inner := &failing{err: cause, ready: make(chan struct{})}
		var failedEvents atomic.Int32
		a, err := actor.Spawn[int, int](inner, 8, actor.WithWorkers(1), actor.WithEvents(func(e service.Event) {
			if e.Kind == service.EventFailed {
				failedEvents.Add(1)
			}
		}))
		require.NoError(t, err)
		errs := make(chan error, 3)
		for i := range 3 {
			go func() { _, err := a.Call(context.Background(), i); errs <- err }()
		}
		synctest.Wait()
		close(inner.ready)
		for range 3 {
			err := <-errs
			require.ErrorIs(t, err, service.ErrFailed)
			var b boom
			require.ErrorAs(t, err, &b, "the failure still unwraps to the inner error")
			assert.Equal(t, 42, b.code)
		}
		_, err = a.Call(context.Background(), 9)
		require.ErrorIs(t, err, cause)
		require.ErrorIs(t, a.Ready(context.Background()), service.ErrFailed)
		require.ErrorIs(t, a.TryReady(), service.ErrFailed)
		require.ErrorIs(t, a.Err(), cause)
		assert.Equal(t, int32(1), failedEvents.Load())
		stop(t, a)
	})
}

func TestStop(t *testing.T) {
	t.Run("drains queued calls before the deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			svc := service.Func[int, int](func(_ context.Context, x int) (int, error) {
				time.Sleep(10 * time.Millisecond)
				return x + 1, nil
			})
			a, err := actor.Spawn[int, int](svc, 8, actor.WithWorkers(1))
			require.NoError(t, err)
			results := make(chan error, 5)
			for i := range 5 {
				go func() { _, err := a.Call(context.Background(), i); results <- err }()
			}
			synctest.Wait()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			require.NoError(t, a.Stop(ctx))
			for range 5 {
				require.NoError(t, <-results)
			}
			_, err = a.Call(context.Background(), 1)
			require.ErrorIs(t, err, service.ErrClosed, "a stopped actor takes no calls")
			require.ErrorIs(t, a.TryReady(), service.ErrClosed)
			select {
			case <-a.Done():
			default:
				t.Fatal("Done must be closed after a clean Stop")
			}
		})
	})
	t.Run("answers calls still queued at the deadline with ErrStopped", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := newGate()
			a, err := actor.Spawn[int, int](g, 8, actor.WithWorkers(1))
			require.NoError(t, err)
			results := make(chan error, 4)
			for i := range 4 {
				go func() { _, err := a.Call(context.Background(), i); results <- err }()
				synctest.Wait()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			require.ErrorIs(t, a.Stop(ctx), context.DeadlineExceeded)
			for range 3 {
				err := <-results
				require.ErrorIs(t, err, actor.ErrStopped)
				require.ErrorIs(t, err, service.ErrClosed)
			}
			close(g.release) // the running call finishes and its caller gets the reply
			require.NoError(t, <-results)
			<-a.Done()
			assert.Equal(t, int32(1), g.calls.Load())
		})
	})
	t.Run("a sender waiting for room gets ErrClosed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			g := newGate()
			a, err := actor.Spawn[int, int](g, 1, actor.WithWorkers(1))
			require.NoError(t, err)
			go func() { _, _ = a.Call(context.Background(), 1) }()
			synctest.Wait()
			go func() { _, _ = a.Call(context.Background(), 2) }()
			synctest.Wait()
			errc := make(chan error)
			go func() { _, err := a.Call(context.Background(), 3); errc <- err }()
			synctest.Wait()
			stopped := make(chan error)
			go func() { stopped <- a.Stop(context.Background()) }()
			require.ErrorIs(t, <-errc, service.ErrClosed)
			close(g.release)
			require.NoError(t, <-stopped)
		})
	})
}

func TestMaxWorkersGrowsThePool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		a, err := actor.Spawn[int, int](g, 16, actor.WithWorkers(1), actor.WithMaxWorkers(4))
		require.NoError(t, err)
		for i := range 8 {
			go func() { _, _ = a.Call(context.Background(), i) }()
		}
		synctest.Wait()
		assert.Equal(t, int32(1), g.running.Load(), "the pool grows only once the workers are stuck for a while")
		time.Sleep(10 * time.Millisecond) // ten growth periods: doubling each, 1, 2, 4
		synctest.Wait()
		assert.Equal(t, int32(4), g.running.Load(), "the pool grows to its maximum, no further")
		assert.Equal(t, 4, a.Workers())
		assert.Equal(t, 4, a.Len())
		close(g.release)
		stop(t, a)
		assert.Equal(t, int32(8), g.calls.Load())
	})
}

// TestExactlyOneReply makes 10,000 concurrent calls, some cancelled at random
// moments and some panicking, and checks that each caller gets exactly its own
// answer: its result, its panic, or its ctx error, and that no call ran twice.
func TestExactlyOneReply(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) {
			const calls = 10_000
			ran := make([]atomic.Int32, calls)
			svc := service.Func[int, int](func(ctx context.Context, x int) (int, error) {
				ran[x].Add(1)
				switch x % 7 {
				case 0:
					panic(fmt.Sprint("panic ", x))
				case 1:
					select { // slow enough for cancellations to land while running
					case <-time.After(time.Duration(x%50) * time.Microsecond):
					case <-ctx.Done():
						return 0, ctx.Err()
					}
				}
				return x * 2, nil
			})
			a, err := actor.Spawn[int, int](svc, 64, actor.WithWorkers(workers), actor.WithMaxWorkers(workers*2))
			require.NoError(t, err)
			var ok, cancelled, panicked atomic.Int32
			var wg sync.WaitGroup
			for x := range calls {
				wg.Go(func() {
					ctx := context.Background()
					if rand.IntN(4) == 0 {
						c, cancel := context.WithCancel(ctx)
						ctx = c
						go func() {
							time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
							cancel()
						}()
						defer cancel()
					}
					v, err := a.Call(ctx, x)
					switch {
					case err == nil:
						ok.Add(1)
						assert.Equal(t, x*2, v, "a reply reached the wrong caller")
						assert.Equal(t, int32(1), ran[x].Load())
					case errors.Is(err, context.Canceled):
						cancelled.Add(1)
					case errors.Is(err, service.ErrPanicked):
						panicked.Add(1)
						assert.Equal(t, 0, x%7)
						assert.Contains(t, err.Error(), fmt.Sprint("panic ", x))
					default:
						t.Errorf("call %d: unexpected error %v", x, err)
					}
				})
			}
			wg.Wait()
			stop(t, a)
			assert.Equal(t, int32(calls), ok.Load()+cancelled.Load()+panicked.Load())
			for x := range calls {
				assert.LessOrEqual(t, ran[x].Load(), int32(1), "call %d ran twice", x)
			}
			t.Logf("ok %d, cancelled %d, panicked %d", ok.Load(), cancelled.Load(), panicked.Load())
		})
	}
}

// overloadedReady is a service whose readiness reports a transient overload once.
type overloadedReady struct{ n atomic.Int32 }

func (o *overloadedReady) Call(_ context.Context, x int) (int, error) { return x, nil }
func (o *overloadedReady) Ready(context.Context) error {
	if o.n.Add(1) == 1 {
		return fmt.Errorf("next token too late: %w", service.ErrOverloaded)
	}
	return nil
}
func (o *overloadedReady) TryReady() error { return nil }

func TestTransientReadinessErrorsDoNotFailTheActor(t *testing.T) {
	a, err := actor.Spawn[int, int](&overloadedReady{}, 4, actor.WithWorkers(1))
	require.NoError(t, err)
	defer stop(t, a)
	_, err = a.Call(context.Background(), 1)
	require.ErrorIs(t, err, service.ErrOverloaded, "the overload is that call's answer")
	require.NotErrorIs(t, err, service.ErrFailed)
	v, err := a.Call(context.Background(), 2)
	require.NoError(t, err, "the actor has not failed")
	assert.Equal(t, 2, v)
	require.NoError(t, a.Err())
}
