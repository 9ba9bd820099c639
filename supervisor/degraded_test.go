package supervisor_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/supervisor"
)

// conn is an instance whose readiness can be broken from the test.
type conn struct {
	service.Func[string, string]
	broken *atomic.Pointer[error]
}

func (c conn) Ready(context.Context) error { return c.TryReady() }
func (c conn) TryReady() error {
	if e := c.broken.Load(); e != nil {
		return *e
	}
	return nil
}

func TestReadinessFailingPermanentlyRestartsAndTheCallWaits(t *testing.T) {
	var broken atomic.Pointer[error]
	var made atomic.Int64
	s := newSup(t, supervisor.Config{})
	c, err := supervisor.Add(context.Background(), s, supervisor.Spec[string, string]{
		Name: "conn", Backoff: supervisor.Backoff{None: true},
		Factory: func(context.Context) (service.Service[string, string], error) {
			made.Add(1)
			broken.Store(nil) // a fresh connection works
			return conn{Func: func(_ context.Context, r string) (string, error) { return r, nil }, broken: &broken}, nil
		},
	})
	require.NoError(t, err)
	e := errors.New("connection reset")
	broken.Store(&e)
	got, err := c.Ref().Call(context.Background(), "a")
	require.NoError(t, err, "the call was not handed to the broken instance: it waited for the redial")
	assert.Equal(t, "a", got)
	assert.EqualValues(t, 2, made.Load())
}

func TestRestartTypes(t *testing.T) {
	closed := service.NewError("conn: closed", service.ErrClosed)
	for _, tc := range []struct {
		name      string
		restart   supervisor.Restart
		cause     error
		restarted bool
		final     error
	}{
		{"permanent is restarted after a normal end", supervisor.Permanent, closed, true, nil},
		{"transient is restarted after a failure", supervisor.Transient, errors.New("reset"), true, nil},
		{"transient ends after a normal end", supervisor.Transient, closed, false, supervisor.ErrEnded},
		{"temporary is never restarted", supervisor.Temporary, errors.New("reset"), false, service.ErrFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var broken atomic.Pointer[error]
			var made atomic.Int64
			s := newSup(t, supervisor.Config{})
			c, err := supervisor.Add(context.Background(), s, supervisor.Spec[string, string]{
				Name: "c", Restart: tc.restart, Backoff: supervisor.Backoff{None: true},
				Factory: func(context.Context) (service.Service[string, string], error) {
					made.Add(1)
					broken.Store(nil)
					return conn{Func: func(_ context.Context, r string) (string, error) { return r, nil }, broken: &broken}, nil
				},
			})
			require.NoError(t, err)
			cause := tc.cause
			broken.Store(&cause)
			_, err = c.Ref().Call(context.Background(), "a")
			if tc.restarted {
				require.NoError(t, err)
				assert.EqualValues(t, 2, made.Load())
				return
			}
			require.ErrorIs(t, err, tc.final)
			require.ErrorIs(t, err, cause)
			_, err = c.Ref().Call(context.Background(), "b")
			require.ErrorIs(t, err, tc.final, "later calls fail fast")
			eventually(t, func() bool { return len(s.Children()) == 0 })
			assert.EqualValues(t, 1, made.Load())
		})
	}
}

func TestFailureAccrual(t *testing.T) {
	t.Run("consecutive failures restart the child", func(t *testing.T) {
		s := newSup(t, supervisor.Config{})
		f := &flaky{}
		c := addFlaky(t, s, "x", f, func(sp *supervisor.Spec[string, string]) {
			sp.Accrual = supervisor.Accrual{Consecutive: 3}
			sp.Workers = 1
		})
		ref := c.Ref()
		for range 2 {
			_, err := ref.Call(context.Background(), "fail")
			require.Error(t, err)
		}
		got, _ := ref.Call(context.Background(), "ok") // a success resets the count
		assert.Equal(t, "ok@1", got)
		for range 3 {
			_, err := ref.Call(context.Background(), "fail")
			require.EqualError(t, err, "call failed", "the failed calls keep their own errors")
		}
		got, _ = ref.Call(context.Background(), "ok")
		assert.Equal(t, "ok@2", got)
	})
	t.Run("a failure rate over a window, with a minimum volume", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, err := supervisor.New(supervisor.Config{})
			require.NoError(t, err)
			f := &flaky{}
			c := addFlaky(t, s, "x", f, func(sp *supervisor.Spec[string, string]) {
				sp.Accrual = supervisor.Accrual{Rate: 0.5, Window: 10 * time.Second, MinCalls: 10}
				sp.Workers = 1
			})
			ref := c.Ref()
			call := func(r string) string { got, _ := ref.Call(context.Background(), r); return got }
			for range 4 { // 4 of 8 failed, below the volume
				call("fail")
				call("ok")
			}
			assert.Equal(t, "ok@1", call("ok"))
			time.Sleep(11 * time.Second) // the window forgets them
			for range 4 {
				call("fail")
				call("ok")
			}
			assert.Equal(t, "ok@1", call("ok"), "the old calls no longer count: 4 of 9")
			call("fail") // 5 of 10
			assert.Equal(t, "ok@2", call("ok"))
			require.NoError(t, s.Stop(context.Background()))
		})
	})
}

func TestHealthCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		s, err := supervisor.New(supervisor.Config{Name: "r", Events: rec.emit})
		require.NoError(t, err)
		f := &flaky{}
		var sick atomic.Bool
		var checks atomic.Int64
		c := addFlaky(t, s, "x", f, func(sp *supervisor.Spec[string, string]) {
			sp.HealthInterval = time.Second
			sp.Health = func(ctx context.Context, svc service.Service[string, string]) error {
				checks.Add(1)
				if sick.Swap(false) {
					return errors.New("ping timed out")
				}
				_, err := svc.Call(ctx, "ping")
				return err
			}
		})
		time.Sleep(3500 * time.Millisecond)
		assert.EqualValues(t, 3, checks.Load())
		sick.Store(true)
		time.Sleep(time.Second)
		synctest.Wait()
		got, err := c.Ref().Call(context.Background(), "a")
		require.NoError(t, err)
		assert.Equal(t, "a@2", got)
		var ce *supervisor.ChildError
		for _, e := range rec.all() {
			if e.Kind == service.EventFailed {
				require.ErrorAs(t, e.Err, &ce)
			}
		}
		require.NotNil(t, ce)
		assert.Equal(t, supervisor.ReasonHealth, ce.Reason)
		require.NoError(t, s.Stop(context.Background()))
	})
}

func TestStopDrainsQueuedCallsWithinTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := supervisor.New(supervisor.Config{})
		require.NoError(t, err)
		release := make(chan struct{})
		c, err := supervisor.Add(context.Background(), s, supervisor.Spec[int, int]{
			Name: "slow", Workers: 1, Shutdown: time.Second,
			Factory: func(context.Context) (service.Service[int, int], error) {
				return service.Func[int, int](func(ctx context.Context, x int) (int, error) {
					if x == 0 {
						<-release
					}
					return x, nil
				}), nil
			},
		})
		require.NoError(t, err)
		errs := make(chan error, 4)
		for i := range 4 {
			go func() { _, err := c.Ref().Call(context.Background(), i); errs <- err }()
			synctest.Wait()
		}
		go func() { time.Sleep(100 * time.Millisecond); close(release) }()
		require.NoError(t, s.Stop(context.Background()))
		for range 4 {
			require.NoError(t, <-errs, "queued calls were served during the drain")
		}
		_, err = c.Ref().Call(context.Background(), 1)
		require.ErrorIs(t, err, service.ErrClosed)
		require.ErrorIs(t, err, supervisor.ErrStopped)
	})
}

func TestAddRemoveLookupTemplate(t *testing.T) {
	s := newSup(t, supervisor.Config{Name: "pool"})
	tpl := supervisor.Template[string, string, string]{
		Spec: supervisor.Spec[string, string]{Backoff: supervisor.Backoff{None: true}},
		Factory: func(_ context.Context, addr string) (service.Service[string, string], error) {
			return service.Func[string, string](func(_ context.Context, r string) (string, error) { return addr + ":" + r, nil }), nil
		},
	}
	for _, addr := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		_, err := tpl.Start(context.Background(), s, addr, addr)
		require.NoError(t, err)
	}
	_, err := tpl.Start(context.Background(), s, "10.0.0.1", "x")
	require.ErrorContains(t, err, "exists")
	assert.Equal(t, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}, s.Children())
	ref, err := supervisor.Lookup[string, string](s, "10.0.0.2")
	require.NoError(t, err)
	got, err := ref.Call(context.Background(), "q")
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.2:q", got)
	_, err = supervisor.Lookup[int, int](s, "10.0.0.2")
	require.ErrorIs(t, err, supervisor.ErrNotFound, "wrong types")
	_, err = supervisor.Lookup[string, string](s, "nope")
	require.ErrorIs(t, err, supervisor.ErrNotFound)

	require.NoError(t, s.Remove(context.Background(), "10.0.0.2"))
	assert.Equal(t, []string{"10.0.0.1", "10.0.0.3"}, s.Children())
	_, err = ref.Call(context.Background(), "q")
	require.ErrorIs(t, err, service.ErrClosed)
	require.ErrorIs(t, s.Remove(context.Background(), "10.0.0.2"), supervisor.ErrNotFound)
}

func TestFactoryErrorAtAddAddsNothing(t *testing.T) {
	s := newSup(t, supervisor.Config{})
	f := &flaky{}
	f.factErr.Store(1)
	_, err := supervisor.Add(context.Background(), s, supervisor.Spec[string, string]{Name: "x", Factory: f.factory})
	require.ErrorContains(t, err, "dial refused")
	_, err = supervisor.Add(context.Background(), s, supervisor.Spec[string, string]{Name: "y",
		Factory: func(context.Context) (service.Service[string, string], error) { panic("no") }})
	require.ErrorIs(t, err, service.ErrPanicked)
	assert.Empty(t, s.Children())
}

func TestEventsHookPanicAndLogger(t *testing.T) {
	var buf bytes.Buffer
	s := newSup(t, supervisor.Config{Name: "r", Events: func(service.Event) { panic("hook") },
		Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	f := &flaky{}
	c := addFlaky(t, s, "x", f, nil)
	_, err := c.Ref().Call(context.Background(), "panic")
	require.ErrorIs(t, err, service.ErrFailed)
	_, err = c.Ref().Call(context.Background(), "ok")
	require.NoError(t, err, "a panicking hook breaks nothing")
	require.NoError(t, s.Stop(context.Background()))
	out := buf.String()
	for _, want := range []string{"supervisor: started", "supervisor: failed", "stack=", "supervisor: restarted", "supervisor: stopped", "child=r/x"} {
		assert.Contains(t, out, want)
	}
}

func TestBadInput(t *testing.T) {
	_, err := supervisor.New(supervisor.Config{Name: "a/b"})
	require.ErrorContains(t, err, "supervisor: ")
	for _, cfg := range []supervisor.Config{
		{Intensity: -1}, {Period: -time.Second}, {Period: math.MaxInt64}, {Strategy: 9},
	} {
		_, err := supervisor.New(cfg)
		require.Error(t, err, "%+v", cfg)
		require.ErrorContains(t, err, "supervisor: ")
	}
	s := newSup(t, supervisor.Config{})
	f := (&flaky{}).factory
	for name, spec := range map[string]supervisor.Spec[string, string]{
		"empty name":     {Factory: f},
		"slash":          {Name: "a/b", Factory: f},
		"nil factory":    {Name: "x"},
		"restart type":   {Name: "x", Factory: f, Restart: 7},
		"negative drain": {Name: "x", Factory: f, Shutdown: -1},
		"capacity":       {Name: "x", Factory: f, Capacity: -1},
		"huge capacity":  {Name: "x", Factory: f, Capacity: math.MaxInt},
		"factor":         {Name: "x", Factory: f, Backoff: supervisor.Backoff{Factor: 0.5}},
		"nan factor":     {Name: "x", Factory: f, Backoff: supervisor.Backoff{Factor: math.NaN()}},
		"jitter":         {Name: "x", Factory: f, Backoff: supervisor.Backoff{Jitter: 2}},
		"max below min":  {Name: "x", Factory: f, Backoff: supervisor.Backoff{Min: time.Second, Max: time.Millisecond}},
		"rate":           {Name: "x", Factory: f, Accrual: supervisor.Accrual{Rate: 1.5}},
		"nan rate":       {Name: "x", Factory: f, Accrual: supervisor.Accrual{Rate: math.NaN()}},
		"consecutive":    {Name: "x", Factory: f, Accrual: supervisor.Accrual{Consecutive: -2}},
		"health":         {Name: "x", Factory: f, HealthInterval: -time.Second},
		"nil service": {Name: "x", Factory: func(context.Context) (service.Service[string, string], error) {
			return nil, nil
		}},
	} {
		t.Run(name+" is refused", func(t *testing.T) {
			_, err := supervisor.Add(context.Background(), s, spec)
			require.ErrorContains(t, err, "supervisor: ")
		})
	}
	_, err = supervisor.Add[string, string](context.Background(), nil, supervisor.Spec[string, string]{Name: "x", Factory: f})
	require.Error(t, err)
	_, err = s.AddSupervisor(supervisor.Config{Name: "sub"}, supervisor.SubSpec{Restart: 5})
	require.ErrorContains(t, err, "supervisor: ")
	require.NoError(t, s.Stop(context.Background()))
	_, err = supervisor.Add(context.Background(), s, supervisor.Spec[string, string]{Name: "late", Factory: f})
	require.ErrorIs(t, err, supervisor.ErrStopped, "no child after Stop")
}
