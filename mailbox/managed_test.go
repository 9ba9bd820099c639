package mailbox_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
)

// dropped records what a managed mailbox shed.
type dropped struct {
	mu     sync.Mutex
	v      []int
	errs   []error
	waited []time.Duration
}

func (d *dropped) fn(v int, err error, waited time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.v, d.errs, d.waited = append(d.v, v), append(d.errs, err), append(d.waited, waited)
}

func (d *dropped) values() []int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]int(nil), d.v...)
}

const (
	target   = 5 * time.Millisecond
	interval = 50 * time.Millisecond
)

func codel(t *testing.T, capacity int, d *dropped, opts ...mailbox.Option[int]) *mailbox.Mailbox[int] {
	t.Helper()
	opts = append([]mailbox.Option[int]{mailbox.WithQueueDelay[int](target, interval), mailbox.WithDrop(d.fn)}, opts...)
	m, err := mailbox.New(capacity, mailbox.Wait, opts...)
	require.NoError(t, err)
	return m
}

func receive(t *testing.T, m *mailbox.Mailbox[int]) int {
	t.Helper()
	v, ok := m.TryReceive()
	require.True(t, ok, "a message to receive")
	return v
}

func TestManagedRejectsBadInput(t *testing.T) {
	drop := mailbox.WithDrop(func(int, error, time.Duration) {})
	for _, c := range []struct {
		name string
		opts []mailbox.Option[int]
		want string
	}{
		{"nil option", []mailbox.Option[int]{nil}, "option 1 of 1 is nil"},
		{"zero target", []mailbox.Option[int]{mailbox.WithQueueDelay[int](0, time.Second), drop}, "target must be between"},
		{"negative target", []mailbox.Option[int]{mailbox.WithQueueDelay[int](-1, time.Second), drop}, "target must be between"},
		{"huge target", []mailbox.Option[int]{mailbox.WithQueueDelay[int](time.Duration(1<<62), time.Second), drop}, "target must be between"},
		{"zero interval", []mailbox.Option[int]{mailbox.WithQueueDelay[int](time.Millisecond, 0), drop}, "interval must be between"},
		{"huge interval", []mailbox.Option[int]{mailbox.WithQueueDelay[int](time.Millisecond, 2*mailbox.MaxQueueDelay), drop}, "interval must be between"},
		{"nil priority", []mailbox.Option[int]{mailbox.WithPriority[int](nil), drop}, "priority function is nil"},
		{"no drop", []mailbox.Option[int]{mailbox.WithQueueDelay[int](time.Millisecond, time.Second)}, "need WithDrop"},
		{"nil drop", []mailbox.Option[int]{mailbox.WithQueueDelay[int](time.Millisecond, time.Second), mailbox.WithDrop[int](nil)}, "need WithDrop"},
		{"drop alone", []mailbox.Option[int]{drop}, "nothing would be dropped"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := mailbox.New(4, mailbox.Wait, c.opts...)
			require.ErrorContains(t, err, c.want)
			assert.Contains(t, err.Error(), "mailbox: ")
		})
	}
}

func TestQueueDelay(t *testing.T) {
	t.Run("below target the mailbox is FIFO and sheds nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var d dropped
			m := codel(t, 16, &d)
			ctx := context.Background()
			for round := range 20 { // a second of steady traffic, each call waiting 4 ms
				for i := range 3 {
					require.NoError(t, m.Send(ctx, 3*round+i))
				}
				time.Sleep(target - time.Millisecond)
				for i := range 3 {
					assert.Equal(t, 3*round+i, receive(t, m))
				}
				time.Sleep(interval)
			}
			assert.Empty(t, d.values())
			assert.Equal(t, mailbox.Stats{}, m.Stats())
		})
	})

	t.Run("it sheds only after the queue has stood above target for an interval", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var d dropped
			m := codel(t, 64, &d)
			ctx := context.Background()
			for i := range 40 {
				require.NoError(t, m.Send(ctx, i))
			}
			// Above target, but for less than an interval: served, newest first.
			time.Sleep(target + time.Millisecond)
			assert.Equal(t, 39, receive(t, m))
			time.Sleep(interval - 2*time.Millisecond) // 1 ms short of the interval above target
			assert.Equal(t, 38, receive(t, m))
			assert.Empty(t, d.values(), "nothing is shed before an interval above target")

			// Queue a fresh message, then pass the interval: the receive sheds every
			// message that overstayed (all but the fresh one) and serves the fresh one.
			time.Sleep(2*time.Millisecond - 1)
			require.NoError(t, m.Send(ctx, 100))
			time.Sleep(1)
			assert.Equal(t, 100, receive(t, m))
			assert.Len(t, d.values(), 38)
			assert.Equal(t, 0, d.values()[0], "the oldest is shed first")
			for i, err := range d.errs {
				require.ErrorIs(t, err, mailbox.ErrQueueDelay)
				require.ErrorIs(t, err, service.ErrOverloaded)
				assert.Equal(t, target+interval+time.Millisecond, d.waited[i], "waited is the time in the queue")
			}
			assert.Equal(t, mailbox.Stats{ShedDelay: 38}, m.Stats())
			assert.Zero(t, m.Len())
		})
	})

	t.Run("a queue that dips below target and climbs again within an interval of shedding sheds at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var d dropped
			m := codel(t, 64, &d)
			ctx := context.Background()
			require.NoError(t, m.Send(ctx, 1))
			require.NoError(t, m.Send(ctx, 2))
			time.Sleep(target + interval + 1)
			require.NoError(t, m.Send(ctx, 3))
			assert.Equal(t, 3, receive(t, m))
			require.Len(t, d.values(), 2)

			require.NoError(t, m.Send(ctx, 4))
			require.NoError(t, m.Send(ctx, 5))
			time.Sleep(target + 1)
			require.NoError(t, m.Send(ctx, 6))
			assert.Equal(t, 6, receive(t, m))
			assert.Equal(t, []int{1, 2, 4, 5}, d.values())

			// Long after the last shedding, the interval counts again.
			time.Sleep(3 * interval)
			require.NoError(t, m.Send(ctx, 7))
			require.NoError(t, m.Send(ctx, 8))
			time.Sleep(target + 1)
			assert.Equal(t, 8, receive(t, m))
			assert.Equal(t, 7, receive(t, m))
			assert.Len(t, d.values(), 4)
		})
	})

	t.Run("LIFO while above target, FIFO again below", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var d dropped
			m := codel(t, 64, &d)
			ctx := context.Background()
			for i := range 4 {
				require.NoError(t, m.Send(ctx, i))
			}
			assert.Equal(t, 0, receive(t, m), "FIFO below target")
			time.Sleep(target + 1)
			for i := 10; i < 14; i++ {
				require.NoError(t, m.Send(ctx, i))
			}
			assert.Equal(t, 13, receive(t, m), "LIFO above target: the newest first")
			assert.Equal(t, 12, receive(t, m))
			assert.Equal(t, 11, receive(t, m))
			assert.Equal(t, 10, receive(t, m))
			assert.Equal(t, 3, receive(t, m))
			assert.Equal(t, 2, receive(t, m))
			assert.Equal(t, 1, receive(t, m))
			for i := 20; i < 23; i++ {
				require.NoError(t, m.Send(ctx, i))
			}
			assert.Equal(t, 20, receive(t, m), "FIFO again once the queue is below target")
			assert.Equal(t, 21, receive(t, m))
			assert.Equal(t, 22, receive(t, m))
			assert.Empty(t, d.values())
		})
	})
}

// prio is the priority of a test message: its tens digit.
func prio(v int) service.Priority { return service.Priority(v / 10) }

func TestPriority(t *testing.T) {
	t.Run("the highest priority is received first, FIFO within one", func(t *testing.T) {
		var d dropped
		m, err := mailbox.New(8, mailbox.Wait, mailbox.WithPriority(prio), mailbox.WithDrop(d.fn))
		require.NoError(t, err)
		ctx := context.Background()
		for _, v := range []int{1, 11, 2, 31, 21, 12, 32} {
			require.NoError(t, m.Send(ctx, v))
		}
		var got []int
		for range 7 {
			got = append(got, receive(t, m))
		}
		assert.Equal(t, []int{31, 32, 21, 11, 12, 1, 2}, got)
	})

	t.Run("a full mailbox sheds its oldest lowest-priority message for a higher one", func(t *testing.T) {
		var d dropped
		m, err := mailbox.New(3, mailbox.FailFast, mailbox.WithPriority(prio), mailbox.WithDrop(d.fn))
		require.NoError(t, err)
		ctx := context.Background()
		for _, v := range []int{11, 1, 2} {
			require.NoError(t, m.Send(ctx, v))
		}
		require.ErrorIs(t, m.Send(ctx, 3), mailbox.ErrFull, "the lowest priority cannot push anyone out")
		require.NoError(t, m.TrySend(21))
		require.NoError(t, m.Send(ctx, 22))
		assert.Equal(t, []int{1, 2}, d.values())
		for _, err := range d.errs {
			require.ErrorIs(t, err, mailbox.ErrPriority)
			require.ErrorIs(t, err, service.ErrOverloaded)
		}
		require.ErrorIs(t, m.Send(ctx, 12), mailbox.ErrFull, "no lower priority left to shed")
		require.NoError(t, m.Send(ctx, 31))
		assert.Equal(t, []int{1, 2, 11}, d.values())
		assert.Equal(t, mailbox.Stats{ShedPriority: 3}, m.Stats())
		assert.Equal(t, 3, m.Len())
		assert.Equal(t, 31, receive(t, m))
		assert.Equal(t, 21, receive(t, m))
		assert.Equal(t, 22, receive(t, m))
	})

	t.Run("queue delay sheds the lowest priority first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var d dropped
			m := codel(t, 16, &d, mailbox.WithPriority(prio))
			ctx := context.Background()
			for _, v := range []int{1, 21, 2, 22} {
				require.NoError(t, m.Send(ctx, v))
			}
			time.Sleep(target + interval + 1)
			_, ok := m.TryReceive()
			assert.False(t, ok, "every message overstayed: all shed, none served")
			assert.Equal(t, []int{1, 2, 21, 22}, d.values())
		})
	})
}

func TestManagedCloseLosesNothing(t *testing.T) {
	var d dropped
	m, err := mailbox.New(8, mailbox.Wait, mailbox.WithQueueDelay[int](time.Microsecond, time.Microsecond),
		mailbox.WithPriority(func(v int) service.Priority { return service.Priority(v % 4) }), mailbox.WithDrop(d.fn))
	require.NoError(t, err)
	const senders, each = 8, 500
	var sent, received atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				if m.Send(ctx, s*each+i) == nil {
					sent.Add(1)
				}
			}
		})
	}
	var rg sync.WaitGroup
	for range 2 {
		rg.Go(func() {
			for {
				if _, ok := m.Receive(); !ok {
					return
				}
				received.Add(1)
			}
		})
	}
	time.Sleep(time.Millisecond)
	m.Close()
	cancel()
	wg.Wait()
	drained := m.Drain(func(int) {})
	rg.Wait()
	assert.Equal(t, sent.Load(), received.Load()+int64(len(d.values()))+int64(drained),
		"every accepted message is received, shed or drained, exactly once")
	require.ErrorIs(t, m.Send(context.Background(), 1), mailbox.ErrClosed)
	require.ErrorIs(t, m.TryReady(), mailbox.ErrClosed)
	_, err = m.ReceiveContext(context.Background())
	require.ErrorIs(t, err, mailbox.ErrClosed)
}

func TestManagedReadiness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var d dropped
		m := codel(t, 1, &d)
		ctx := context.Background()
		require.NoError(t, m.TryReady())
		require.NoError(t, m.Send(ctx, 1))
		require.ErrorIs(t, m.TryReady(), mailbox.ErrFull)
		require.ErrorIs(t, m.TrySend(2), mailbox.ErrFull)
		done := make(chan error, 1)
		go func() { done <- m.Ready(ctx) }()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("Ready returned on a full mailbox")
		default:
		}
		v, err := m.ReceiveContext(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, v)
		require.NoError(t, <-done)
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err = m.ReceiveContext(cctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.True(t, m.Managed())
	})
}
