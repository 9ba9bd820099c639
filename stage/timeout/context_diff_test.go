package timeout

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
)

// newDeadlineCtx is the stage's context d from now over parent, as derive makes it.
func newDeadlineCtx(parent context.Context, d time.Duration) *deadlineCtx {
	var clk clock
	base, off := clk.now()
	return &deadlineCtx{parent: parent, base: base, at: off + d}
}

// The divergences from context.WithDeadline that FuzzContextDifferential found,
// each fixed in context.go.
func TestContextMatchesWithDeadline(t *testing.T) {
	t.Run("a parent's cause given after the deadline is not the cause", func(t *testing.T) {
		for _, armed := range []bool{false, true} {
			synctest.Test(t, func(t *testing.T) {
				parent, cancel := context.WithCancelCause(context.Background())
				c := newDeadlineCtx(parent, time.Second)
				defer c.release()
				if armed {
					c.Done()
				}
				time.Sleep(time.Second)
				synctest.Wait()
				assert.Equal(t, context.DeadlineExceeded, c.Err())
				cancel(assert.AnError)
				assert.Equal(t, context.DeadlineExceeded, c.Err())
				assert.Equal(t, context.DeadlineExceeded, context.Cause(c), "armed %v", armed)
			})
		}
	})
	t.Run("a parent's cause given after release is not the cause", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithCancelCause(context.Background())
			c := newDeadlineCtx(parent, time.Second)
			child, cancelChild := context.WithCancel(c)
			defer cancelChild()
			c.release()
			cancel(assert.AnError)
			synctest.Wait()
			assert.Same(t, context.Canceled, c.Err())
			assert.Same(t, context.Canceled, context.Cause(c))
			assert.Same(t, context.Canceled, context.Cause(child))
		})
	})
	t.Run("the parent's cause is the cause when the parent ended it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithCancelCause(context.Background())
			c := newDeadlineCtx(parent, time.Second)
			defer c.release()
			cancel(assert.AnError)
			assert.Same(t, context.Canceled, c.Err())
			assert.Same(t, assert.AnError, context.Cause(c))
			assert.Same(t, assert.AnError, context.Cause(context.WithValue(c, "k", "v")))
		})
	})
	t.Run("with Done, Err reports a parent's cancel as soon as cancel returns", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithCancelCause(context.Background())
			c := newDeadlineCtx(parent, time.Second)
			defer c.release()
			done := c.Done()
			cancel(assert.AnError)
			require.Same(t, context.Canceled, c.Err())
			assert.True(t, isClosed(done), "Done is closed once Err reports")
			assert.Same(t, assert.AnError, context.Cause(c))
		})
	})
	t.Run("a parent's later deadline, both unseen, is not the cause", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithDeadlineCause(context.Background(), time.Now().Add(2*time.Second), assert.AnError)
			defer cancel()
			c := newDeadlineCtx(parent, time.Second)
			defer c.release()
			time.Sleep(3 * time.Second)
			assert.Equal(t, context.DeadlineExceeded, context.Cause(c))
			assert.Same(t, boxDeadline, c.err.Load(), "the stage's own deadline, for check")
		})
	})
	t.Run("release after an unseen deadline leaves it DeadlineExceeded", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c := newDeadlineCtx(context.Background(), time.Second)
			time.Sleep(time.Second)
			c.release()
			assert.Equal(t, context.DeadlineExceeded, c.Err())
			assert.True(t, isClosed(c.Done()))
		})
	})
	t.Run("release after an unseen parent's cancel keeps the parent's cause", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithCancelCause(context.Background())
			c := newDeadlineCtx(parent, time.Second)
			cancel(assert.AnError)
			c.release()
			assert.Same(t, context.Canceled, c.Err())
			assert.Same(t, assert.AnError, context.Cause(c))
		})
	})
	t.Run("the key context.Cause asks for was found", func(t *testing.T) {
		require.NotNil(t, cancelCtxKey)
		parent, cancel := context.WithCancel(context.Background())
		defer cancel()
		assert.Same(t, parent, parent.Value(cancelCtxKey), "a cancelCtx answers the key with itself")
	})
}

// TestContextConcurrentReaders races readers that arm the context (Err, then
// Done, AfterFunc, a WithCancel child) against its end, and compares what each
// saw with context.WithTimeout over the same parent. Run it with -race.
func TestContextConcurrentReaders(t *testing.T) {
	cause := assert.AnError
	for _, end := range []string{"parent", "deadline", "release"} {
		t.Run(end, func(t *testing.T) {
			for range 100 {
				synctest.Test(t, func(t *testing.T) {
					parent, cancel := context.WithCancelCause(context.Background())
					defer cancel(nil)
					c := newDeadlineCtx(parent, time.Second)
					defer c.release()
					std, cancelStd := context.WithTimeout(parent, time.Second)
					defer cancelStd()

					const readers = 4
					var errs, causes [readers + 2]error
					var wg sync.WaitGroup
					for i := range readers {
						wg.Go(func() {
							_ = c.Err()
							<-c.Done()
							errs[i], causes[i] = c.Err(), context.Cause(c)
						})
					}
					wg.Go(func() {
						ran := make(chan struct{})
						context.AfterFunc(c, func() { close(ran) })
						<-ran
						errs[readers], causes[readers] = c.Err(), context.Cause(c)
					})
					wg.Go(func() {
						child, cancelChild := context.WithCancel(c)
						defer cancelChild()
						<-child.Done()
						errs[readers+1], causes[readers+1] = child.Err(), context.Cause(child)
					})
					switch end {
					case "parent":
						cancel(cause)
					case "deadline":
						time.Sleep(time.Second)
					case "release":
						c.release()
						cancelStd()
					}
					wg.Wait()
					synctest.Wait() // std's timer, at the deadline
					for i := range errs {
						require.Equal(t, std.Err(), errs[i], "reader %d", i)
						require.Equal(t, context.Cause(std), causes[i], "reader %d", i)
					}
				})
			}
		})
	}
}

// TestContextKnownDifferences pins the two differences from context.WithDeadline
// that a context outside the context package cannot avoid (see deadlineCtx).
func TestContextKnownDifferences(t *testing.T) {
	t.Run("deadline, then the parent's cancel, then the first look: the parent's end is reported", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background())
			c := newDeadlineCtx(parent, time.Second)
			defer c.release()
			std, cancelStd := context.WithTimeout(parent, time.Second)
			defer cancelStd()
			time.Sleep(time.Second)
			synctest.Wait()
			cancel()
			assert.Equal(t, context.DeadlineExceeded, std.Err())
			assert.Same(t, context.Canceled, c.Err(), "which came first is not known")
		})
	})
	t.Run("a parent's cancel reaches Done in a goroutine, unless Err is asked", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			parent, cancel := context.WithCancel(context.Background())
			c := newDeadlineCtx(parent, time.Second)
			defer c.release()
			std, cancelStd := context.WithTimeout(parent, time.Second)
			defer cancelStd()
			done, stdDone := c.Done(), std.Done()
			cancel()
			assert.True(t, isClosed(stdDone))
			// done may still be open here: context.AfterFunc's goroutine closes it.
			assert.Same(t, context.Canceled, c.Err(), "Err looks at the parent (and closes Done)")
			assert.True(t, isClosed(done))
			synctest.Wait()
			assert.True(t, isClosed(done))
		})
	})
}

// stdTimeout is the stage as it would be with context.WithTimeout: the same
// pass-through of a parent that ends no later, the same check of the error.
type stdTimeout[Req, Res any] struct {
	inner service.Service[Req, Res]
	d     time.Duration
}

func (t *stdTimeout[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if pd, ok := ctx.Deadline(); ok && !pd.After(time.Now().Add(t.d)) {
		return t.inner.Call(ctx, req)
	}
	cctx, cancel := context.WithTimeout(ctx, t.d)
	defer cancel()
	res, err := t.inner.Call(cctx, req)
	if err != nil && cctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
		if err == context.DeadlineExceeded {
			err = ErrElapsed
		} else {
			err = &ElapsedError{Timeout: t.d, Err: err}
		}
	}
	return res, err
}

var (
	benchEcho = service.Func[uint64, uint64](func(_ context.Context, req uint64) (uint64, error) { return req + 1, nil })
	benchDone = service.Func[uint64, uint64](func(ctx context.Context, req uint64) (uint64, error) {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		default:
			return req + 1, nil
		}
	})
)

// BenchmarkContextVsStd runs the stage (hand-written context) and stdTimeout
// (context.WithTimeout) side by side: an inner that never asks for Done and one that
// selects on it, under a parent that cannot be canceled and one that can.
func BenchmarkContextVsStd(b *testing.B) {
	cancelable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, p := range []struct {
		name string
		ctx  context.Context
	}{{"background", context.Background()}, {"cancelable", cancelable}} {
		for _, in := range []struct {
			name  string
			inner service.Service[uint64, uint64]
		}{{"echo", benchEcho}, {"done", benchDone}} {
			hand, err := New(in.inner, time.Second)
			require.NoError(b, err)
			for _, impl := range []struct {
				name string
				svc  service.Service[uint64, uint64]
			}{{"hand", hand}, {"std", &stdTimeout[uint64, uint64]{inner: in.inner, d: time.Second}}} {
				b.Run(p.name+"/"+in.name+"/"+impl.name, func(b *testing.B) {
					b.ReportAllocs()
					ctx := p.ctx
					var n uint64
					for b.Loop() {
						n, _ = impl.svc.Call(ctx, n)
					}
				})
			}
		}
	}
}
