package actor_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
)

func TestACancelledQueuedCallIsNeverServed(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []actor.Option
	}{
		{"plain mailbox", nil},
		{"managed mailbox", []actor.Option{actor.WithQueueDelay(time.Second, time.Minute), actor.WithPriorities()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newGate()
				a, err := actor.Spawn[int, int](g, 8, append([]actor.Option{actor.WithWorkers(1)}, c.opts...)...)
				require.NoError(t, err)
				first := make(chan error, 1)
				go func() { _, err := a.Call(context.Background(), 1); first <- err }()
				synctest.Wait() // the worker is inside the first call
				ctx, cancel := context.WithCancel(context.Background())
				second := make(chan error, 1)
				go func() { _, err := a.Call(ctx, 2); second <- err }()
				synctest.Wait() // the second call is queued
				cancel()
				require.ErrorIs(t, <-second, context.Canceled, "the caller has its answer at once")
				close(g.release)
				require.NoError(t, <-first)
				stop(t, a)
				assert.Equal(t, int32(1), g.calls.Load(), "the dead call never reached the service")
				assert.Equal(t, uint64(1), a.Stats().Dead)
			})
		})
	}
}

func TestQueueDelaySheddingAnswersAndReports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var events []service.Event
		g := newGate()
		a, err := actor.Spawn[int, int](g, 64, actor.WithName("buffer"), actor.WithWorkers(1),
			actor.WithQueueDelay(time.Millisecond, 5*time.Millisecond),
			actor.WithEvents(func(e service.Event) { mu.Lock(); events = append(events, e); mu.Unlock() }))
		require.NoError(t, err)
		errs := make(chan error, 10)
		go func() { _, err := a.Call(context.Background(), 0); errs <- err }()
		synctest.Wait()
		for i := 1; i <= 4; i++ {
			go func() { _, err := a.Call(context.Background(), i); errs <- err }()
		}
		synctest.Wait()
		time.Sleep(10 * time.Millisecond) // the four queued calls overstay an interval above target
		g.release <- struct{}{}           // the worker finishes the first and sheds the four
		var shed int
		for range 5 {
			if err := <-errs; err != nil {
				require.ErrorIs(t, err, actor.ErrQueueDelay)
				require.ErrorIs(t, err, mailbox.ErrQueueDelay)
				require.ErrorIs(t, err, service.ErrOverloaded)
				assert.EqualError(t, err, "buffer: shed for queue delay")
				shed++
			}
		}
		assert.Equal(t, 4, shed)
		assert.Equal(t, actor.Stats{ShedDelay: 4}, a.Stats())
		mu.Lock()
		require.Len(t, events, 4)
		for _, e := range events {
			assert.Equal(t, service.EventShed, e.Kind)
			assert.Equal(t, "buffer", e.Stage)
			assert.True(t, errors.Is(e.Err, actor.ErrQueueDelay))
			assert.Equal(t, 10*time.Millisecond, e.Elapsed, "Elapsed is the time the call waited")
		}
		mu.Unlock()
		close(g.release)
		stop(t, a)
	})
}

func TestQueueOptionsRejectBadInput(t *testing.T) {
	g := newGate()
	_, err := actor.Spawn[int, int](g, 8, actor.WithQueueDelay(0, time.Second))
	require.ErrorContains(t, err, "actor: mailbox: WithQueueDelay: target must be between")
	_, err = actor.Spawn[int, int](g, 8, actor.WithQueueDelay(time.Millisecond, -1))
	require.ErrorContains(t, err, "interval must be between")
}
