package timeout

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stallingParent is a parent context whose first Done call blocks until released,
// so that a test can hold one goroutine inside deadlineCtx.arm.
type stallingParent struct {
	context.Context
	calls   atomic.Int32
	entered chan struct{}
	release chan struct{}
}

func (p *stallingParent) Done() <-chan struct{} {
	if p.calls.Add(1) == 1 {
		close(p.entered)
		<-p.release
	}
	return p.Context.Done()
}

// TestArmRaceClosesDone holds goroutine L inside arm (before it looks at the
// parent) while goroutine W arms and publishes its state, then cancels the parent
// and lets L go on: L finds the parent done and records the error before the
// parent's callback for W runs, so the callback's end finds the error set. L must
// then close W's Done itself, or Done never closes and Err blocks for ever.
func TestArmRaceClosesDone(t *testing.T) {
	for range 100 {
		now := time.Now()
		pctx, cancel := context.WithCancel(context.Background())
		p := &stallingParent{Context: pctx, entered: make(chan struct{}), release: make(chan struct{})}
		c := &deadlineCtx{parent: p, base: &now, at: time.Hour}
		var wg sync.WaitGroup
		wg.Go(func() { c.Done() }) // L
		<-p.entered
		done := c.Done() // W
		cancel()
		close(p.release)
		wg.Wait()
		require.True(t, isClosed(done), "Done must be closed once the parent was canceled and both arms returned")
		assert.Same(t, context.Canceled, c.Err())
		c.release()
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
