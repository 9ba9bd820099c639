package supervisor

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// A drain ends Shutdown after its latest arm: an arm before the deadline moves it
// (the stale timer fire is ignored), an arm after it starts a fresh deadline.
func TestDrainRearm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDrain(context.Background())
		defer d.close()
		d.arm(time.Second)
		dl, ok := d.Deadline()
		require.True(t, ok)
		assert.Equal(t, time.Now().Add(time.Second), dl)
		time.Sleep(500 * time.Millisecond)
		d.arm(time.Second) // now the deadline is at 1.5 s
		time.Sleep(700 * time.Millisecond)
		synctest.Wait()
		assert.False(t, isClosed(d.Done()), "the first arm's deadline was moved")
		assert.NoError(t, d.Err())
		time.Sleep(400 * time.Millisecond)
		synctest.Wait()
		assert.True(t, isClosed(d.Done()))
		assert.ErrorIs(t, d.Err(), context.DeadlineExceeded)

		d.arm(time.Second)
		assert.False(t, isClosed(d.Done()), "a new arm after a deadline passed starts afresh")
		assert.NoError(t, d.Err())
		time.Sleep(time.Second)
		synctest.Wait()
		assert.ErrorIs(t, d.Err(), context.DeadlineExceeded)
	})
}

// A drain ends with its parent, and stays ended; a user's context from real has
// the same deadline and ends with the parent too.
func TestDrainParent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithCancel(context.WithValue(context.Background(), drainKey{}, "v"))
		d := newDrain(parent)
		defer d.close()
		d.arm(time.Hour)
		assert.Equal(t, "v", d.Value(drainKey{}))
		rc, rcancel := d.real()
		defer rcancel()
		want, _ := d.Deadline()
		got, ok := rc.Deadline()
		require.True(t, ok)
		assert.Equal(t, want, got)
		cancel()
		synctest.Wait()
		assert.True(t, isClosed(d.Done()))
		assert.ErrorIs(t, d.Err(), context.Canceled)
		assert.ErrorIs(t, rc.Err(), context.Canceled)
		d.arm(time.Hour)
		assert.True(t, isClosed(d.Done()), "an ended parent stays ended")
	})
}

// The parent's deadline, if earlier, is the drain's.
func TestDrainParentDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		d := newDrain(parent)
		defer d.close()
		d.arm(time.Hour)
		dl, _ := d.Deadline()
		assert.Equal(t, time.Now().Add(time.Second), dl)
		time.Sleep(time.Second)
		synctest.Wait()
		assert.ErrorIs(t, d.Err(), context.DeadlineExceeded)
	})
}

type drainKey struct{}
