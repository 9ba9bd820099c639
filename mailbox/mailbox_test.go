package mailbox_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
)

func TestNewRejectsBadInput(t *testing.T) {
	for _, c := range []int{0, -1} {
		_, err := mailbox.New[int](c, mailbox.Wait)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "capacity must be at least 1")
	}
	_, err := mailbox.New[int](1, mailbox.Overflow(9))
	require.ErrorContains(t, err, "unknown overflow policy")
}

func TestSendReceiveIsFIFO(t *testing.T) {
	m, err := mailbox.New[int](4, mailbox.Wait)
	require.NoError(t, err)
	ctx := context.Background()
	for i := range 4 {
		require.NoError(t, m.Send(ctx, i))
	}
	assert.Equal(t, 4, m.Len())
	assert.Equal(t, 4, m.Cap())
	for i := range 4 {
		v, ok := m.Receive()
		require.True(t, ok)
		assert.Equal(t, i, v)
	}
	_, ok := m.TryReceive()
	assert.False(t, ok, "an empty mailbox has nothing to take")
}

func TestFullMailbox(t *testing.T) {
	t.Run("fail-fast policy fails the send at once with an overloaded error", func(t *testing.T) {
		m, _ := mailbox.New[int](1, mailbox.FailFast)
		require.NoError(t, m.Send(context.Background(), 1))
		err := m.Send(context.Background(), 2)
		require.ErrorIs(t, err, mailbox.ErrFull)
		require.ErrorIs(t, err, service.ErrOverloaded)
		assert.Equal(t, 1, m.Len(), "the refused message is not queued")
	})
	t.Run("TrySend fails at once whatever the policy", func(t *testing.T) {
		m, _ := mailbox.New[int](1, mailbox.Wait)
		require.NoError(t, m.TrySend(1))
		require.ErrorIs(t, m.TrySend(2), service.ErrOverloaded)
	})
	t.Run("wait policy blocks the sender until a receive makes room", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			m, _ := mailbox.New[int](1, mailbox.Wait)
			require.NoError(t, m.Send(context.Background(), 1))
			var sent atomic.Bool
			go func() {
				assert.NoError(t, m.Send(context.Background(), 2))
				sent.Store(true)
			}()
			synctest.Wait()
			assert.False(t, sent.Load(), "the sender must wait while the mailbox is full")
			v, _ := m.Receive()
			assert.Equal(t, 1, v)
			synctest.Wait()
			assert.True(t, sent.Load())
			v, _ = m.Receive()
			assert.Equal(t, 2, v)
		})
	})
	t.Run("a waiting sender whose ctx ends gets ctx.Err()", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			m, _ := mailbox.New[int](1, mailbox.Wait)
			require.NoError(t, m.Send(context.Background(), 1))
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error)
			go func() { errc <- m.Send(ctx, 2) }()
			synctest.Wait()
			cancel()
			require.ErrorIs(t, <-errc, context.Canceled)
			assert.Equal(t, 1, m.Len())
		})
	})
}

func TestReadiness(t *testing.T) {
	t.Run("TryReady reports room, full and closed", func(t *testing.T) {
		m, _ := mailbox.New[int](1, mailbox.Wait)
		require.NoError(t, m.TryReady())
		require.NoError(t, m.TrySend(1))
		require.ErrorIs(t, m.TryReady(), service.ErrOverloaded)
		m.Close()
		require.ErrorIs(t, m.TryReady(), service.ErrClosed)
	})
	t.Run("Ready waits for room and reserves nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			m, _ := mailbox.New[int](1, mailbox.Wait)
			require.NoError(t, m.TrySend(1))
			var ready atomic.Bool
			go func() {
				assert.NoError(t, m.Ready(context.Background()))
				ready.Store(true)
			}()
			synctest.Wait()
			assert.False(t, ready.Load())
			_, _ = m.Receive()
			synctest.Wait()
			assert.True(t, ready.Load())
			assert.Equal(t, 0, m.Len(), "Ready queued nothing")
		})
	})
	t.Run("Ready ends with ctx and with Close", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			m, _ := mailbox.New[int](1, mailbox.Wait)
			require.NoError(t, m.TrySend(1))
			ctx, cancel := context.WithCancel(context.Background())
			errs := make(chan error, 2)
			go func() { errs <- m.Ready(ctx) }()
			go func() { errs <- m.Ready(context.Background()) }()
			synctest.Wait()
			cancel()
			require.ErrorIs(t, <-errs, context.Canceled)
			m.Close()
			require.ErrorIs(t, <-errs, service.ErrClosed)
		})
	})
}

func TestClose(t *testing.T) {
	t.Run("queued messages stay receivable, then Receive reports closed", func(t *testing.T) {
		m, _ := mailbox.New[int](3, mailbox.Wait)
		require.NoError(t, m.TrySend(1))
		require.NoError(t, m.TrySend(2))
		m.Close()
		m.Close() // idempotent
		assert.True(t, m.Closed())
		require.ErrorIs(t, m.Send(context.Background(), 3), mailbox.ErrClosed)
		require.ErrorIs(t, m.TrySend(3), service.ErrClosed)
		v, ok := m.Receive()
		assert.True(t, ok)
		assert.Equal(t, 1, v)
		v, err := m.ReceiveContext(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 2, v)
		_, ok = m.Receive()
		assert.False(t, ok)
		_, err = m.ReceiveContext(context.Background())
		require.ErrorIs(t, err, mailbox.ErrClosed)
	})
	t.Run("Drain hands back every queued message in order", func(t *testing.T) {
		m, _ := mailbox.New[int](3, mailbox.Wait)
		for i := range 3 {
			require.NoError(t, m.TrySend(i))
		}
		m.Close()
		var got []int
		n := m.Drain(func(v int) { got = append(got, v) })
		assert.Equal(t, 3, n)
		assert.Equal(t, []int{0, 1, 2}, got)
	})
	t.Run("a sender waiting for room gets ErrClosed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			m, _ := mailbox.New[int](1, mailbox.Wait)
			require.NoError(t, m.TrySend(1))
			errc := make(chan error)
			go func() { errc <- m.Send(context.Background(), 2) }()
			synctest.Wait()
			m.Close()
			require.ErrorIs(t, <-errc, service.ErrClosed)
			assert.Equal(t, 1, m.Drain(func(int) {}))
		})
	})
	t.Run("ReceiveContext ends with ctx", func(t *testing.T) {
		m, _ := mailbox.New[int](1, mailbox.Wait)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := m.ReceiveContext(ctx)
		require.ErrorIs(t, err, context.Canceled)
	})
}

// TestNothingAcceptedIsLost races many senders against receivers and Close: every
// message a send accepted is received or drained exactly once.
func TestNothingAcceptedIsLost(t *testing.T) {
	for round := range 20 {
		m, _ := mailbox.New[int](8, mailbox.Wait)
		const senders, each = 8, 200
		var accepted sync.Map
		seen := make([]atomic.Int32, senders*each)
		var wg sync.WaitGroup
		for s := range senders {
			wg.Go(func() {
				for i := range each {
					id := s*each + i
					err := m.Send(context.Background(), id)
					if err == nil {
						accepted.Store(id, true)
					} else if !errors.Is(err, service.ErrClosed) {
						t.Errorf("unexpected send error: %v", err)
					}
				}
			})
		}
		var rwg sync.WaitGroup
		rwg.Go(func() {
			for n := 0; ; n++ {
				v, ok := m.Receive()
				if !ok {
					return
				}
				seen[v].Add(1)
				if n == 100+round*37 {
					go m.Close()
				}
			}
		})
		wg.Wait()
		m.Close()
		rwg.Wait()
		m.Drain(func(v int) { seen[v].Add(1) })
		accepted.Range(func(k, _ any) bool {
			assert.Equal(t, int32(1), seen[k.(int)].Load(), "message %d", k)
			return true
		})
		for id := range seen {
			if _, ok := accepted.Load(id); !ok {
				assert.Zero(t, seen[id].Load(), "message %d was refused but received", id)
			}
		}
	}
}

func TestNewRejectsAbsurdCapacities(t *testing.T) {
	for _, c := range []int{mailbox.MaxCapacity + 1, math.MaxInt} {
		m, err := mailbox.New[int](c, mailbox.Wait)
		require.ErrorContains(t, err, "capacity must be at most", "capacity %d", c)
		assert.Nil(t, m)
	}
	m, err := mailbox.New[byte](mailbox.MaxCapacity, mailbox.Wait)
	require.NoError(t, err)
	assert.Equal(t, mailbox.MaxCapacity, m.Cap())
	_, err = mailbox.New[[4096]byte](mailbox.MaxCapacity, mailbox.Wait)
	require.ErrorContains(t, err, "exceeds", "the buffer is bounded in bytes too")
}

// TestCloseReturnsWhileSendersKeepSending: Close must not wait for senders that
// keep arriving after it. 64 goroutines send and receive in a loop until Close has
// returned; each gives up after guard sends refused as closed, a count no run of a
// bounded Close comes near (it needs a few scheduling rounds), so a Close held up
// by them shows as senders that gave up, not as a hung test.
func TestCloseReturnsWhileSendersKeepSending(t *testing.T) {
	const senders, guard = 64, 1 << 21
	for _, policy := range []mailbox.Overflow{mailbox.Wait, mailbox.FailFast} {
		t.Run(policy.String(), func(t *testing.T) {
			m, err := mailbox.New[int](8, policy)
			require.NoError(t, err)
			var closed atomic.Bool // set once Close has returned
			var gaveUp atomic.Int32
			var started, wg sync.WaitGroup
			started.Add(senders)
			ctx := context.Background()
			for i := range senders {
				wg.Go(func() {
					started.Done()
					refused := 0
					for !closed.Load() {
						var err error
						if i%2 == 0 {
							err = m.Send(ctx, i)
						} else {
							err = m.TrySend(i)
						}
						if errors.Is(err, service.ErrClosed) {
							if refused++; refused == guard {
								gaveUp.Add(1)
								return
							}
						}
						m.TryReceive()
					}
				})
			}
			started.Wait()
			m.Close()
			closed.Store(true)
			wg.Wait()
			assert.Zero(t, gaveUp.Load(), "Close returned only once senders stopped sending")
		})
	}
}
