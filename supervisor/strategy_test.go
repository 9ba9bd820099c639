package supervisor_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/supervisor"
)

// stopLog is a child whose instances record when they are stopped, to check the
// order children stop in.
type stopLog struct {
	mu  sync.Mutex
	log []string
}

func (l *stopLog) add(s string) {
	l.mu.Lock()
	l.log = append(l.log, s)
	l.mu.Unlock()
}

func (l *stopLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.log
	l.log = nil
	return out
}

type loggedSvc struct {
	service.Func[string, string]
	name string
	l    *stopLog
}

func (s loggedSvc) Stop(context.Context) error { s.l.add("stop " + s.name); return nil }

func addLogged(t *testing.T, s *supervisor.Supervisor, name string, l *stopLog) supervisor.Ref[string, string] {
	t.Helper()
	f := &flaky{}
	c, err := supervisor.Add(context.Background(), s, supervisor.Spec[string, string]{
		Name:    name,
		Backoff: supervisor.Backoff{None: true},
		Factory: func(ctx context.Context) (service.Service[string, string], error) {
			inner, _ := f.factory(ctx)
			l.add("start " + name)
			return loggedSvc{Func: inner.Call, name: name, l: l}, nil
		},
	})
	require.NoError(t, err)
	return c.Ref()
}

func TestStrategies(t *testing.T) {
	for _, tc := range []struct {
		strategy supervisor.Strategy
		want     []string // after b panics
	}{
		{supervisor.OneForOne, []string{"stop b", "start b"}},
		{supervisor.OneForAll, []string{"stop c", "stop b", "stop a", "start a", "start b", "start c"}},
		{supervisor.RestForOne, []string{"stop c", "stop b", "start b", "start c"}},
	} {
		t.Run("strategy "+[]string{"one-for-one", "one-for-all", "rest-for-one"}[tc.strategy], func(t *testing.T) {
			l := &stopLog{}
			s := newSup(t, supervisor.Config{Strategy: tc.strategy})
			refs := map[string]supervisor.Ref[string, string]{}
			for _, n := range []string{"a", "b", "c"} {
				refs[n] = addLogged(t, s, n, l)
			}
			assert.Equal(t, []string{"start a", "start b", "start c"}, l.take())
			_, err := refs["b"].Call(context.Background(), "panic")
			require.ErrorIs(t, err, service.ErrFailed)
			for _, n := range []string{"a", "b", "c"} { // every ref still serves
				_, err := refs[n].Call(context.Background(), "x")
				require.NoError(t, err)
			}
			eventually(t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return len(l.log) >= len(tc.want) })
			assert.Equal(t, tc.want, l.take())

			require.NoError(t, s.Stop(context.Background()))
			assert.Equal(t, []string{"stop c", "stop b", "stop a"}, l.take(), "shutdown in reverse start order")
		})
	}
}

func TestIntensityLimitGivesUpAndFailsEveryCall(t *testing.T) {
	rec := &recorder{}
	s := newSup(t, supervisor.Config{Name: "root", Intensity: 2, Period: time.Hour, Events: rec.emit})
	f := &flaky{}
	c := addFlaky(t, s, "x", f, nil)
	ref := c.Ref()
	ctx := context.Background()
	for range 2 { // two restarts are allowed
		_, err := ref.Call(ctx, "panic")
		require.ErrorIs(t, err, service.ErrFailed)
		_, err = ref.Call(ctx, "ok")
		require.NoError(t, err)
	}
	_, err := ref.Call(ctx, "panic") // the third is not
	require.ErrorIs(t, err, service.ErrFailed)
	<-s.Done()
	var esc *supervisor.EscalationError
	require.ErrorAs(t, s.Err(), &esc)
	assert.Equal(t, "root", esc.Supervisor)
	assert.ErrorIs(t, esc, service.ErrPanicked, "the escalation carries the last failure")

	_, err = ref.Call(ctx, "later")
	require.ErrorIs(t, err, supervisor.ErrGaveUp, "later calls fail fast")
	require.ErrorIs(t, err, service.ErrClosed)
	require.ErrorIs(t, ref.TryReady(), supervisor.ErrGaveUp)
	assert.Equal(t, int64(3), f.made.Load())
	assert.Equal(t, 1, rec.count("root", service.EventStateChanged, supervisor.StateEscalated))
	assert.Equal(t, 1, rec.count("root/x", service.EventStateChanged, supervisor.StateStopped))
}

func TestQueuedCallsAreAnsweredWhenTheRootGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := supervisor.New(supervisor.Config{Intensity: 1, Period: time.Hour})
		require.NoError(t, err)
		f := &flaky{}
		// A long backoff keeps the child down while calls queue.
		c := addFlaky(t, s, "x", f, func(sp *supervisor.Spec[string, string]) {
			sp.Backoff = supervisor.Backoff{Min: time.Minute, Jitter: 0.01}
		})
		f.factErr.Store(1 << 20) // every redial fails
		ref := c.Ref()
		_, err = ref.Call(context.Background(), "panic")
		require.ErrorIs(t, err, service.ErrFailed)
		require.ErrorIs(t, ref.TryReady(), supervisor.ErrRestarting, "readiness says it is restarting")
		require.ErrorIs(t, ref.TryReady(), service.ErrUnavailable)
		_, err = ref.TryCall(context.Background(), "x")
		require.ErrorIs(t, err, supervisor.ErrRestarting)

		errs := make(chan error, 10)
		for range 10 {
			go func() { _, err := ref.Call(context.Background(), "q"); errs <- err }()
		}
		synctest.Wait() // queued, waiting for the new instance
		assert.Empty(t, errs)
		time.Sleep(2 * time.Minute) // the redial fails: the second restart is over the limit
		for range 10 {
			require.ErrorIs(t, <-errs, supervisor.ErrGaveUp)
		}
		<-s.Done()
		require.NoError(t, s.Stop(context.Background()))
	})
}

func TestFactoryFailingForeverEscalatesWithoutABusyLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := supervisor.New(supervisor.Config{Intensity: 5, Period: time.Hour})
		require.NoError(t, err)
		f := &flaky{}
		c := addFlaky(t, s, "x", f, func(sp *supervisor.Spec[string, string]) {
			sp.Backoff = supervisor.Backoff{Min: 100 * time.Millisecond, Max: time.Second, Jitter: 0.01}
		})
		f.factErr.Store(1 << 30)
		start := time.Now()
		_, err = c.Ref().Call(context.Background(), "panic")
		require.ErrorIs(t, err, service.ErrFailed)
		<-s.Done()
		elapsed := time.Since(start)
		// Five restarts (the last four after a failed redial) waited 100+200+400+800+1000 ms.
		assert.InDelta(t, 2500*time.Millisecond, elapsed, float64(50*time.Millisecond))
		assert.Equal(t, int64(1<<30-5), f.factErr.Load(), "exactly five redials")
		var esc *supervisor.EscalationError
		require.ErrorAs(t, s.Err(), &esc)
		var ce *supervisor.ChildError
		require.ErrorAs(t, esc, &ce)
		assert.Equal(t, supervisor.ReasonFactory, ce.Reason)
		require.NoError(t, s.Stop(context.Background()))
	})
}

func TestBackoffGrowsWithJitterAndResetsAfterHealthyTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		s, err := supervisor.New(supervisor.Config{Intensity: 100, Period: time.Hour, Events: rec.emit})
		require.NoError(t, err)
		f := &flaky{log: make(chan string, 100)}
		bo := supervisor.Backoff{Min: 100 * time.Millisecond, Max: 700 * time.Millisecond, Factor: 2, Jitter: 0.1, Reset: 5 * time.Second}
		c := addFlaky(t, s, "x", f, func(sp *supervisor.Spec[string, string]) { sp.Backoff = bo })
		<-f.log
		ref := c.Ref()
		f.factErr.Store(3)
		t0 := time.Now()
		_, err = ref.Call(context.Background(), "panic")
		require.ErrorIs(t, err, service.ErrFailed)
		<-f.log // three failed redials, then an instance
		// 100, 200, 400, then 700 (capped), each within ±10%.
		assert.InDelta(t, float64(1400*time.Millisecond), float64(time.Since(t0)), float64(140*time.Millisecond))
		var delays []time.Duration
		for _, e := range rec.all() {
			if e.State == supervisor.StateBackoff {
				delays = append(delays, e.Elapsed)
			}
		}
		require.Len(t, delays, 4)
		for i, want := range []time.Duration{100, 200, 400, 700} {
			assert.InDelta(t, float64(want*time.Millisecond), float64(delays[i]), float64(want*time.Millisecond)/10+1, "delay %d", i)
		}

		// Healthy for longer than Reset: the next failure waits Min again.
		time.Sleep(6 * time.Second)
		t1 := time.Now()
		_, err = ref.Call(context.Background(), "panic")
		require.ErrorIs(t, err, service.ErrFailed)
		got, err := ref.Call(context.Background(), "y")
		require.NoError(t, err)
		assert.Equal(t, "y@3", got)
		assert.InDelta(t, float64(100*time.Millisecond), float64(time.Since(t1)), float64(10*time.Millisecond))
		require.NoError(t, s.Stop(context.Background()))
	})
}

func TestEscalationThroughAThreeLevelTree(t *testing.T) {
	rec := &recorder{}
	root := newSup(t, supervisor.Config{Name: "root", Intensity: 1, Period: time.Hour, Events: rec.emit})
	none := supervisor.SubSpec{Backoff: supervisor.Backoff{None: true}}
	mid, err := root.AddSupervisor(supervisor.Config{Name: "mid", Intensity: 1, Period: time.Hour}, none)
	require.NoError(t, err)
	leaf, err := mid.AddSupervisor(supervisor.Config{Name: "leaf", Intensity: 1, Period: time.Hour}, none)
	require.NoError(t, err)
	f := &flaky{}
	addFlaky(t, leaf, "conn", f, nil)
	ref, err := supervisor.Lookup[string, string](root, "mid/leaf/conn")
	require.NoError(t, err)
	ctx := context.Background()

	crash := func() {
		t.Helper()
		_, err := ref.Call(ctx, "panic")
		require.ErrorIs(t, err, service.ErrFailed)
	}
	serves := func() {
		t.Helper()
		_, err := ref.Call(ctx, "ok") // waits through escalations and restarts
		require.NoError(t, err)
	}
	escalated := func(stage string) int { return rec.count(stage, service.EventStateChanged, supervisor.StateEscalated) }

	// Each level allows one restart. Two crashes exceed leaf's; mid restarts it.
	crash()
	serves()
	crash()
	serves()
	eventually(t, func() bool { return escalated("root/mid/leaf") == 1 })
	assert.Zero(t, escalated("root/mid"))
	// Two more: leaf escalates again, which exceeds mid's; root restarts mid.
	crash()
	serves()
	crash()
	serves()
	eventually(t, func() bool { return escalated("root/mid") == 1 })
	assert.Equal(t, 2, escalated("root/mid/leaf"))
	assert.Zero(t, escalated("root"))
	// And again, up to root, which gives up.
	for range 4 {
		crash()
		if root.Err() == nil {
			_, _ = ref.Call(ctx, "ok")
		}
	}
	<-root.Done()
	assert.Equal(t, 1, escalated("root"))
	_, err = ref.Call(ctx, "ok")
	require.ErrorIs(t, err, supervisor.ErrGaveUp)
	var esc *supervisor.EscalationError
	require.ErrorAs(t, root.Err(), &esc)
	assert.Equal(t, "root", esc.Supervisor)
	require.ErrorAs(t, esc.Cause, &esc)
	assert.Equal(t, "root/mid", esc.Supervisor, "the cause names the level below")
	assert.True(t, errors.Is(root.Err(), service.ErrPanicked), "down to the panic")
	<-mid.Done()
	<-leaf.Done()
}
