package timeout

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
)

func TestClock(t *testing.T) {
	t.Run("a base serves for rebaseAfter and is then replaced", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var c clock
			b1, off := c.now()
			assert.Zero(t, off)
			time.Sleep(rebaseAfter - time.Nanosecond)
			b2, off := c.now()
			assert.Same(t, b1, b2)
			assert.Equal(t, rebaseAfter-time.Nanosecond, off)
			time.Sleep(time.Nanosecond)
			b3, off := c.now()
			assert.NotSame(t, b1, b3)
			assert.Zero(t, off)
			assert.True(t, b3.Equal(time.Now()))
		})
	})
	t.Run("a base from outside a bubble is replaced inside it", func(t *testing.T) {
		var c clock
		outside, _ := c.now()
		synctest.Test(t, func(t *testing.T) {
			inside, off := c.now()
			assert.NotSame(t, outside, inside)
			assert.Zero(t, off)
			assert.True(t, inside.Equal(time.Now()))
		})
	})
	t.Run("deadlines stay exact across a rebase", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var dl time.Time
			s, err := New(service.Func[int, int](func(ctx context.Context, r int) (int, error) {
				dl, _ = ctx.Deadline()
				return r, nil
			}), time.Second)
			require.NoError(t, err)
			for _, wait := range []time.Duration{0, 30 * time.Second, 31 * time.Second, time.Hour} {
				time.Sleep(wait)
				now := time.Now()
				_, _ = s.Call(context.Background(), 1)
				assert.True(t, dl.Equal(now.Add(time.Second)), "after %v: %v, want %v", wait, dl, now.Add(time.Second))
			}
		})
	})
}

func TestAfterFuncRegistrations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c clock
		base, off := c.now()
		ctx := &deadlineCtx{parent: context.Background(), base: base, at: off + time.Second}
		child, cancel := context.WithCancel(ctx)
		s := ctx.slow.Load()
		require.NotNil(t, s)
		s.mu.Lock()
		assert.Len(t, s.funcs, 1, "the child registered through AfterFunc")
		s.mu.Unlock()
		cancel()
		s.mu.Lock()
		assert.Empty(t, s.funcs, "canceling the child unregisters it")
		s.mu.Unlock()
		assert.Same(t, context.Canceled, child.Err())
		ctx.release()
		assert.Same(t, context.Canceled, ctx.Err())
		assert.False(t, s.timer.Stop(), "release stopped the timer")
	})
}
