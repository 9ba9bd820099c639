package timeout_test

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/timeout"
)

// during runs check on the inner service's goroutine, with the context the inner
// service gets from a one-second timeout stage over parent.
func during(t *testing.T, parent context.Context, check func(ctx context.Context)) {
	t.Helper()
	s, err := timeout.New(service.Func[int, int](func(ctx context.Context, r int) (int, error) {
		check(ctx)
		return r, nil
	}), time.Second)
	require.NoError(t, err)
	_, err = s.Call(parent, 1)
	require.NoError(t, err)
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestContext(t *testing.T) {
	t.Run("without Done, Err reads the clock and is final", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			during(t, context.Background(), func(ctx context.Context) {
				time.Sleep(time.Second - time.Nanosecond)
				assert.NoError(t, ctx.Err())
				time.Sleep(time.Nanosecond)
				assert.Equal(t, context.DeadlineExceeded, ctx.Err())
				assert.True(t, isClosed(ctx.Done()), "Done asked for after Err reported must be closed")
				assert.Equal(t, context.DeadlineExceeded, ctx.Err())
				assert.Equal(t, context.DeadlineExceeded, context.Cause(ctx))
			})
		})
	})
	t.Run("with Done, Err is nil until Done closes at the deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			during(t, context.Background(), func(ctx context.Context) {
				done := ctx.Done()
				time.Sleep(time.Second - time.Nanosecond)
				assert.False(t, isClosed(done))
				assert.NoError(t, ctx.Err())
				start := time.Now()
				<-done
				assert.Equal(t, time.Nanosecond, time.Since(start))
				assert.Equal(t, context.DeadlineExceeded, ctx.Err())
				assert.Equal(t, done, ctx.Done(), "Done returns the same channel")
			})
		})
	})
	t.Run("a parent canceled before Done was asked for is reported by Err", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background())
			during(t, parent, func(ctx context.Context) {
				assert.NoError(t, ctx.Err())
				cancel()
				assert.Same(t, context.Canceled, ctx.Err())
				assert.True(t, isClosed(ctx.Done()))
			})
		})
	})
	t.Run("a parent canceled before the call closes Done at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background())
			cancel()
			during(t, parent, func(ctx context.Context) {
				assert.True(t, isClosed(ctx.Done()))
				assert.Same(t, context.Canceled, ctx.Err())
			})
		})
	})
	t.Run("a parent canceled with a cause reports it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithCancelCause(context.Background())
			cause := assert.AnError
			during(t, parent, func(ctx context.Context) {
				done := ctx.Done()
				cancel(cause)
				<-done
				assert.Same(t, context.Canceled, ctx.Err())
				assert.Same(t, cause, context.Cause(ctx))
			})
		})
	})
	t.Run("values come from the parent", func(t *testing.T) {
		type key struct{}
		during(t, context.WithValue(context.Background(), key{}, "v"), func(ctx context.Context) {
			assert.Equal(t, "v", ctx.Value(key{}))
			assert.Nil(t, ctx.Value("missing"))
		})
	})
	t.Run("String names the parent and the deadline", func(t *testing.T) {
		during(t, context.Background(), func(ctx context.Context) {
			s := ctx.(interface{ String() string }).String()
			assert.True(t, strings.HasPrefix(s, "context.Background.WithDeadline("), s)
		})
	})
	t.Run("a WithCancel child ends at the deadline without a goroutine of its own", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			during(t, context.Background(), func(ctx context.Context) {
				before := runtime.NumGoroutine()
				child, cancel := context.WithCancel(ctx)
				defer cancel()
				assert.Equal(t, before, runtime.NumGoroutine(), "propagation must not start a goroutine")
				<-child.Done()
				assert.Equal(t, context.DeadlineExceeded, child.Err())
			})
		})
	})
	t.Run("a WithCancel child canceled early ends alone and the parent goes on", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			during(t, context.Background(), func(ctx context.Context) {
				child, cancel := context.WithCancel(ctx)
				cancel()
				assert.Same(t, context.Canceled, child.Err())
				assert.NoError(t, ctx.Err())
				assert.False(t, isClosed(ctx.Done()))
			})
		})
	})
	t.Run("a WithCancel child is canceled when the call returns", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var child context.Context
			var cancel context.CancelFunc
			during(t, context.Background(), func(ctx context.Context) {
				child, cancel = context.WithCancel(ctx)
			})
			defer cancel()
			synctest.Wait()
			assert.True(t, isClosed(child.Done()))
			assert.Same(t, context.Canceled, child.Err())
		})
	})
	t.Run("context.AfterFunc runs at the deadline and can be stopped", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			during(t, context.Background(), func(ctx context.Context) {
				var ran, stoppedRan bool
				var at time.Duration
				start := time.Now()
				context.AfterFunc(ctx, func() { ran, at = true, time.Since(start) })
				stop := context.AfterFunc(ctx, func() { stoppedRan = true })
				assert.True(t, stop(), "stop before the end stops f")
				assert.False(t, stop(), "a second stop reports false")
				time.Sleep(time.Second)
				synctest.Wait()
				assert.True(t, ran)
				assert.Equal(t, time.Second, at)
				assert.False(t, stoppedRan)

				late := make(chan struct{})
				stop = context.AfterFunc(ctx, func() { close(late) })
				<-late // runs at once on an ended context
				assert.False(t, stop())
			})
		})
	})
	t.Run("the context's own AfterFunc method behaves as context.AfterFunc", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			during(t, context.Background(), func(ctx context.Context) {
				af, ok := ctx.(interface{ AfterFunc(func()) func() bool })
				require.True(t, ok, "the context implements AfterFunc so that children need no goroutine")
				ran := make(chan struct{})
				af.AfterFunc(func() { close(ran) })
				<-ran
				assert.Equal(t, context.DeadlineExceeded, ctx.Err())
			})
		})
	})
	t.Run("Done, Err and AfterFunc are safe for concurrent use with the end of the call", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var wg sync.WaitGroup
			s, err := timeout.New(service.Func[int, int](func(ctx context.Context, r int) (int, error) {
				for range 4 {
					wg.Go(func() {
						_ = ctx.Err()
						stop := context.AfterFunc(ctx, func() {})
						<-ctx.Done()
						stop()
						assert.Error(t, ctx.Err())
					})
				}
				return r, nil
			}), time.Second)
			require.NoError(t, err)
			for i := range 50 {
				_, err := s.Call(context.Background(), i)
				require.NoError(t, err)
			}
			wg.Wait()
		})
	})
}
