package callall_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/callall"
)

// endless returns an input channel that a producer fills until ctx ends.
func endless(ctx context.Context) <-chan int {
	in := make(chan int)
	go func() {
		for i := 0; ; i++ {
			select {
			case in <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	return in
}

// A consumer that stops reading, over an input that never ends, calls Stop: every
// goroutine of the run ends (the synctest bubble and goleak check it), and the
// results channel is closed.
func TestStopAfterAbandoningTheResultsLeaksNothing(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				svc := service.Func[int, int](func(_ context.Context, n int) (int, error) {
					time.Sleep(latency(n))
					return n, nil
				})
				c, err := m.start(context.Background(), svc, endless(ctx), 4)
				require.NoError(t, err)
				for range 10 {
					<-c.Results() // then the consumer walks away
				}
				synctest.Wait()
				select {
				case <-c.Done():
					t.Fatal("the run ended by itself")
				default:
				}
				require.NoError(t, c.Stop(context.Background()))
				<-c.Done()
				for range c.Results() { // closed: buffered results, then the end
				}
				require.NoError(t, c.Wait(t.Context()))
				require.NoError(t, c.Stop(context.Background()), "Stop again")
			})
		})
	}
}

// Stop takes no more requests, lets the calls in flight finish (until Stop's ctx
// ends), and delivers their results while there is room.
func TestStopLetsCallsInFlightFinish(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				var calls atomic.Int64
				svc := service.Func[int, int](func(ctx context.Context, n int) (int, error) {
					calls.Add(1)
					select {
					case <-release:
						return n * 10, nil
					case <-ctx.Done():
						return 0, ctx.Err()
					}
				})
				in := make(chan int, 100)
				for i := range 100 {
					in <- i
				}
				c, err := m.start(t.Context(), svc, in, 3)
				require.NoError(t, err)
				synctest.Wait()
				require.Equal(t, int64(3), calls.Load())

				stopped := make(chan error, 1)
				go func() { stopped <- c.Stop(context.Background()) }()
				synctest.Wait()
				assert.Empty(t, stopped, "Stop waits for the calls in flight")
				close(release)
				require.NoError(t, <-stopped)
				rs := collect(c.Results())
				require.Len(t, rs, 3, "the three calls in flight were answered and delivered (there was room)")
				for _, r := range rs {
					assert.NoError(t, r.Err)
					assert.Equal(t, r.Req*10, r.Res)
				}
				assert.Equal(t, int64(3), calls.Load())
				assert.Len(t, in, 97, "no request was taken after Stop")
			})
		})
	}
}

// When Stop's ctx ends, the calls still in flight have their ctx cancelled with
// cause ErrStopped, and Stop returns ctx.Err(); the run ends once they return.
func TestStopCancelsCallsWhenItsCtxEnds(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				causes := make(chan error, 2)
				svc := service.Func[int, int](func(ctx context.Context, n int) (int, error) {
					<-ctx.Done()
					causes <- context.Cause(ctx)
					return 0, ctx.Err()
				})
				c, err := m.start(t.Context(), svc, feed(1, 2), 2)
				require.NoError(t, err)
				synctest.Wait()
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				start := time.Now()
				assert.ErrorIs(t, c.Stop(ctx), context.DeadlineExceeded)
				assert.Equal(t, time.Second, time.Since(start))
				<-c.Done()
				for range 2 {
					assert.ErrorIs(t, <-causes, callall.ErrStopped)
				}
				for r := range c.Results() {
					assert.ErrorIs(t, r.Err, context.Canceled)
				}
			})
		})
	}
}

// A request taken but not yet called (waiting for readiness) when Stop comes is
// answered with ErrStopped, without calling the service.
func TestStopAnswersRequestsNotYetCalled(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mock, h := servicetest.New[int, int]()
				defer h.Close()
				h.Allow(0)
				in := make(chan int) // never closed
				c, err := m.start(t.Context(), mock, in, 3)
				require.NoError(t, err)
				in <- 10
				in <- 11
				synctest.Wait()
				require.NoError(t, c.Stop(t.Context()))
				rs := collect(c.Results())
				require.Len(t, rs, 2)
				for _, r := range rs {
					assert.ErrorIs(t, r.Err, callall.ErrStopped)
					assert.ErrorIs(t, r.Err, service.ErrClosed)
				}
				assert.Equal(t, 0, h.Calls())
			})
		})
	}
}

// After Stop, delivery never waits: a result for which the buffer has no room is
// dropped, so Stop ends even if nobody reads.
func TestStopDropsOnlyWhatHasNoRoom(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, err := m.start(t.Context(), echo, feed(seq(20)...), 2)
				require.NoError(t, err)
				synctest.Wait() // the buffer (2) is full, two more results wait for the consumer
				require.NoError(t, c.Stop(context.Background()))
				rs := collect(c.Results())
				assert.Len(t, rs, 2, "the buffered results stay; the others are dropped")
			})
		})
	}
}

// A consumer that reads to the end without Stop still gets every result, and Stop
// after the end changes nothing.
func TestStopAfterTheEnd(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c, err := m.start(t.Context(), echo, feed(seq(10)...), 3)
			require.NoError(t, err)
			assert.Len(t, collect(c.Results()), 10)
			require.NoError(t, c.Wait(t.Context()))
			require.NoError(t, c.Stop(t.Context()))
		})
	}
}

// A run is a service.Stopper: a Scope can own it and stop it.
func TestAScopeOwnsARun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		c, err := callall.Unordered(context.Background(), service.Service[int, int](echo), endless(ctx), 2)
		require.NoError(t, err)
		var sc service.Scope
		require.NoError(t, sc.Own(t.Context(), c))
		require.NoError(t, sc.Stop(t.Context()))
		<-c.Done()
	})
}

func TestWaitHonoursCtx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		in := make(chan int)
		c, err := callall.Ordered(t.Context(), service.Service[int, int](echo), in, 1)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		assert.True(t, errors.Is(c.Wait(ctx), context.DeadlineExceeded))
		close(in)
		require.NoError(t, c.Wait(t.Context()))
	})
}
