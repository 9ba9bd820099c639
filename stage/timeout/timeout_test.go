package timeout_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/timeout"
)

// blocked is an inner service that waits for its context to end and reports how.
func blocked(seen *context.Context) service.Func[int, int] {
	return func(ctx context.Context, _ int) (int, error) {
		if seen != nil {
			*seen = ctx
		}
		<-ctx.Done()
		return 0, ctx.Err()
	}
}

func TestNew(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil })
	tests := []struct {
		name  string
		inner service.Service[int, int]
		d     time.Duration
		want  string
	}{
		{"a nil service is refused", nil, time.Second, "timeout: inner service is nil"},
		{"a zero duration is refused", echo, 0, "timeout: duration must be positive, got 0s"},
		{"a negative duration is refused", echo, -time.Second, "timeout: duration must be positive, got -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := timeout.New(tt.inner, tt.d)
			require.EqualError(t, err, tt.want)
			assert.Nil(t, s)
			svc, err := timeout.Layer[int, int](tt.d)(new(service.Scope), tt.inner)
			require.Error(t, err)
			assert.True(t, svc == nil, "the layer must return an untyped nil service")
		})
	}
	t.Run("a valid stage reports its duration", func(t *testing.T) {
		s, err := timeout.New(echo, time.Second, nil)
		require.NoError(t, err)
		assert.Equal(t, time.Second, s.Duration())
	})
}

func TestCall(t *testing.T) {
	t.Run("a blocked inner that honours ctx returns at exactly d with ErrElapsed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var events []service.Event
			s, err := timeout.New(blocked(nil), time.Second, timeout.WithEvents(func(e service.Event) { events = append(events, e) }))
			require.NoError(t, err)
			start := time.Now()
			_, err = s.Call(context.Background(), 1)
			assert.Equal(t, time.Second, time.Since(start))
			assert.Same(t, timeout.ErrElapsed, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			require.Len(t, events, 1)
			assert.Equal(t, service.Event{Stage: "timeout", Kind: service.EventTimedOut, Err: err, Elapsed: time.Second}, events[0])
		})
	})
	t.Run("the inner ctx carries the deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var dl time.Time
			var ok bool
			s, err := timeout.New(service.Func[int, int](func(ctx context.Context, r int) (int, error) {
				dl, ok = ctx.Deadline()
				return r, nil
			}), 3*time.Second)
			require.NoError(t, err)
			time.Sleep(time.Hour) // the deadline is relative to the call, not to New
			start := time.Now()
			_, err = s.Call(context.Background(), 1)
			require.NoError(t, err)
			require.True(t, ok)
			assert.True(t, dl.Equal(start.Add(3*time.Second)), "deadline %v, want %v", dl, start.Add(3*time.Second))
		})
	})
	t.Run("a parent with an earlier deadline is passed through untouched", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var seen context.Context
			var events int
			s, err := timeout.New(blocked(&seen), time.Second, timeout.WithEvents(func(service.Event) { events++ }))
			require.NoError(t, err)
			for _, pd := range []time.Duration{500 * time.Millisecond, time.Second} {
				parent, cancel := context.WithTimeout(context.Background(), pd)
				start := time.Now()
				_, err = s.Call(parent, 1)
				assert.Equal(t, pd, time.Since(start))
				assert.Same(t, parent, seen, "the parent itself reaches the inner service")
				assert.Equal(t, context.DeadlineExceeded, err, "the parent's own deadline is the caller's error, not ErrElapsed")
				cancel()
			}
			assert.Zero(t, events)
		})
	})
	t.Run("a parent with a later deadline gets the stage's", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, err := timeout.New(blocked(nil), time.Second)
			require.NoError(t, err)
			parent, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			start := time.Now()
			_, err = s.Call(parent, 1)
			assert.Equal(t, time.Second, time.Since(start))
			assert.ErrorIs(t, err, timeout.ErrElapsed)
			assert.NoError(t, parent.Err())
		})
	})
	t.Run("parent cancellation reaches the inner service through Done", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var events int
			s, err := timeout.New(blocked(nil), time.Second, timeout.WithEvents(func(service.Event) { events++ }))
			require.NoError(t, err)
			parent, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err = s.Call(parent, 1)
			assert.Equal(t, 100*time.Millisecond, time.Since(start))
			assert.Same(t, context.Canceled, err)
			assert.Zero(t, events)
		})
	})
	t.Run("an inner error in time is returned untouched", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			boom := errors.New("boom")
			s, err := timeout.New(service.Func[int, int](func(context.Context, int) (int, error) {
				time.Sleep(999 * time.Millisecond)
				return 7, boom
			}), time.Second)
			require.NoError(t, err)
			res, err := s.Call(context.Background(), 1)
			assert.Equal(t, 7, res)
			assert.Same(t, boom, err)
		})
	})
	t.Run("an inner error of its own after the deadline is wrapped", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			boom := errors.New("boom")
			s, err := timeout.New(service.Func[int, int](func(context.Context, int) (int, error) {
				time.Sleep(2 * time.Second) // ignores ctx
				return 0, boom
			}), time.Second)
			require.NoError(t, err)
			_, err = s.Call(context.Background(), 1)
			assert.ErrorIs(t, err, timeout.ErrElapsed)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, err, boom)
			var ee *timeout.ElapsedError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, time.Second, ee.Timeout)
			assert.EqualError(t, err, "timeout: elapsed after 1s: boom")
		})
	})
	t.Run("a late success is returned as it is", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var events int
			s, err := timeout.New(service.Func[int, int](func(_ context.Context, r int) (int, error) {
				time.Sleep(2 * time.Second)
				return r + 1, nil
			}), time.Second, timeout.WithEvents(func(service.Event) { events++ }))
			require.NoError(t, err)
			res, err := s.Call(context.Background(), 1)
			require.NoError(t, err)
			assert.Equal(t, 2, res)
			assert.Zero(t, events)
		})
	})
	t.Run("the inner ctx is canceled when the call returns", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var early, late context.Context
			s, err := timeout.New(service.Func[int, int](func(ctx context.Context, r int) (int, error) {
				if r == 0 {
					early = ctx
					_ = ctx.Done() // armed during the call
				} else {
					late = ctx
				}
				return r, nil
			}), time.Second)
			require.NoError(t, err)
			_, _ = s.Call(context.Background(), 0)
			_, _ = s.Call(context.Background(), 1)
			for _, ctx := range []context.Context{early, late} {
				assert.Same(t, context.Canceled, ctx.Err())
				select {
				case <-ctx.Done():
				default:
					t.Fatal("Done is open after the call returned")
				}
			}
		})
	})
	t.Run("nested timeouts: the shorter one wins", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var seen context.Context
			short, err := timeout.New(blocked(&seen), time.Second)
			require.NoError(t, err)
			long, err := timeout.New[int, int](short, 2*time.Second)
			require.NoError(t, err)
			start := time.Now()
			_, err = long.Call(context.Background(), 1)
			assert.Equal(t, time.Second, time.Since(start))
			assert.Same(t, timeout.ErrElapsed, err)

			inner2, err := timeout.New(blocked(&seen), 2*time.Second)
			require.NoError(t, err)
			outer1, err := timeout.New[int, int](inner2, time.Second)
			require.NoError(t, err)
			start = time.Now()
			_, err = outer1.Call(context.Background(), 1)
			assert.Equal(t, time.Second, time.Since(start))
			assert.ErrorIs(t, err, timeout.ErrElapsed)
		})
	})
	t.Run("a buffer inside the timeout gives a hard deadline over an inner that ignores ctx", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			stubborn := service.Func[int, int](func(_ context.Context, r int) (int, error) {
				time.Sleep(5 * time.Second)
				return r, nil
			})
			a, err := actor.Spawn[int, int](stubborn, 4, actor.WithWorkers(1))
			require.NoError(t, err)
			s, err := timeout.New[int, int](a, time.Second)
			require.NoError(t, err)
			start := time.Now()
			_, err = s.Call(context.Background(), 1)
			assert.Equal(t, time.Second, time.Since(start))
			assert.ErrorIs(t, err, timeout.ErrElapsed)
			require.NoError(t, a.Stop(context.Background()))
		})
	})
	t.Run("without a timeout the fused stage cannot preempt an inner that ignores ctx", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, err := timeout.New(service.Func[int, int](func(context.Context, int) (int, error) {
				time.Sleep(5 * time.Second)
				return 0, errors.New("late")
			}), time.Second)
			require.NoError(t, err)
			start := time.Now()
			_, err = s.Call(context.Background(), 1)
			assert.Equal(t, 5*time.Second, time.Since(start))
			assert.ErrorIs(t, err, timeout.ErrElapsed)
		})
	})
}

// readier is an inner service whose readiness waits on a channel.
type readier struct {
	service.Func[int, int]
	room chan struct{}
}

func (r *readier) Ready(ctx context.Context) error {
	select {
	case <-r.room:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *readier) TryReady() error {
	select {
	case <-r.room:
		return nil
	default:
		return service.ErrOverloaded
	}
}

func TestReady(t *testing.T) {
	newInner := func() *readier {
		return &readier{Func: func(_ context.Context, r int) (int, error) { return r, nil }, room: make(chan struct{})}
	}
	t.Run("with WithReady the wait for readiness is bounded by d", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var events int
			s, err := timeout.New[int, int](newInner(), time.Second, timeout.WithReady(), timeout.WithEvents(func(service.Event) { events++ }))
			require.NoError(t, err)
			start := time.Now()
			err = s.Ready(context.Background())
			assert.Equal(t, time.Second, time.Since(start))
			assert.Same(t, timeout.ErrElapsed, err)
			assert.Equal(t, 1, events)
		})
	})
	t.Run("with WithReady a parent with an earlier deadline bounds the wait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, err := timeout.New[int, int](newInner(), time.Second, timeout.WithReady())
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			defer cancel()
			assert.Equal(t, context.DeadlineExceeded, s.Ready(ctx))
		})
	})
	t.Run("with WithReady readiness in time is reported", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			in := newInner()
			s, err := timeout.New[int, int](in, time.Second, timeout.WithReady())
			require.NoError(t, err)
			go func() { time.Sleep(500 * time.Millisecond); in.room <- struct{}{} }()
			assert.NoError(t, s.Ready(context.Background()))
		})
	})
	t.Run("without WithReady readiness is forwarded and bounded by ctx only", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, err := timeout.New[int, int](newInner(), time.Second)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			assert.Equal(t, context.DeadlineExceeded, s.Ready(ctx))
			assert.Equal(t, 5*time.Second, time.Since(start))
			assert.ErrorIs(t, s.TryReady(), service.ErrOverloaded)
		})
	})
	t.Run("an inner without readiness is always ready", func(t *testing.T) {
		s, err := timeout.New(service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil }), time.Second, timeout.WithReady())
		require.NoError(t, err)
		assert.NoError(t, s.Ready(context.Background()))
		assert.NoError(t, s.TryReady())
	})
}

// tryer is an inner service with a non-blocking call that refuses when told to.
type tryer struct {
	service.Func[int, int]
	full bool
}

func (t *tryer) TryCall(ctx context.Context, r int) (int, error) {
	if t.full {
		return 0, service.ErrOverloaded
	}
	return t.Call(ctx, r)
}

func TestTryCall(t *testing.T) {
	t.Run("TryCall goes through the inner service's TryCall", func(t *testing.T) {
		in := &tryer{Func: func(_ context.Context, r int) (int, error) { return r + 1, nil }}
		s, err := timeout.New[int, int](in, time.Second)
		require.NoError(t, err)
		res, err := service.TryCall[int, int](context.Background(), s, 1)
		require.NoError(t, err)
		assert.Equal(t, 2, res)
		in.full = true
		_, err = s.TryCall(context.Background(), 1)
		assert.Same(t, service.ErrOverloaded, err)
	})
	t.Run("TryCall is bounded by d", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, err := timeout.New[int, int](&tryer{Func: blocked(nil)}, time.Second)
			require.NoError(t, err)
			start := time.Now()
			_, err = s.TryCall(context.Background(), 1)
			assert.Equal(t, time.Second, time.Since(start))
			assert.Same(t, timeout.ErrElapsed, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			defer cancel()
			_, err = s.TryCall(ctx, 1)
			assert.Equal(t, context.DeadlineExceeded, err)
		})
	})
}

func TestConcurrentCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := timeout.New(service.Func[int, int](func(ctx context.Context, r int) (int, error) {
			if r%2 == 0 {
				<-ctx.Done()
				return 0, ctx.Err()
			}
			return r, ctx.Err()
		}), time.Second)
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 100)
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.Call(context.Background(), i) })
		}
		wg.Wait()
		for i, err := range errs {
			if i%2 == 0 {
				assert.Same(t, timeout.ErrElapsed, err)
			} else {
				assert.NoError(t, err)
			}
		}
	})
}

var _ service.TryCaller[int, int] = (*timeout.Timeout[int, int])(nil)

func TestCheckLayer(t *testing.T) {
	servicetest.CheckLayer(t, timeout.Layer[int, int](time.Second), 1)
	servicetest.CheckLayer(t, timeout.Layer[int, int](time.Second, timeout.WithReady()), 1)
	servicetest.CheckLayer(t, timeout.Layer[int, int](math.MaxInt64), 1)
}

func TestBadInput(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil })
	for _, tc := range []struct {
		name  string
		inner service.Service[int, int]
		d     time.Duration
		opts  []timeout.Option
		want  string
	}{
		{"nil inner", nil, time.Second, nil, "timeout: inner service is nil"},
		{"typed-nil inner", (*servicetest.Mock[int, int])(nil), time.Second, nil, "timeout: inner service is nil"},
		{"nil Func inner", service.Func[int, int](nil), time.Second, nil, "timeout: inner service is nil"},
		{"zero duration", echo, 0, nil, "timeout: duration must be positive, got 0s"},
		{"negative duration", echo, -time.Second, nil, "timeout: duration must be positive, got -1s"},
		{"MinInt64 duration", echo, math.MinInt64, nil, "timeout: duration must be positive, got -2562047h47m16.854775808s"},
		{"nil option", echo, time.Second, []timeout.Option{nil}, ""},
		{"nil events hook", echo, time.Second, []timeout.Option{timeout.WithEvents(nil)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := timeout.New(tc.inner, tc.d, tc.opts...)
			svc, lerr := timeout.Layer[int, int](tc.d, tc.opts...)(new(service.Scope), tc.inner)
			if tc.want == "" {
				require.NoError(t, err)
				require.NoError(t, lerr)
				_, err := s.Call(t.Context(), 1)
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.want)
			assert.Nil(t, s)
			require.EqualError(t, lerr, tc.want)
			assert.True(t, svc == nil)
		})
	}
}

// A huge duration means "effectively no timeout": the deadline must not overflow
// into the past (it did: every call from the second on failed at once).
func TestHugeDurationDoesNotOverflow(t *testing.T) {
	for _, d := range []time.Duration{math.MaxInt64, math.MaxInt64 - time.Second, math.MaxInt64 / 2} {
		t.Run(d.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var ctxErrs []error
				inner := service.Func[int, int](func(ctx context.Context, r int) (int, error) {
					ctxErrs = append(ctxErrs, ctx.Err())
					if dl, ok := ctx.Deadline(); ok {
						assert.True(t, dl.After(time.Now()), "a deadline in the past: %v", dl)
					}
					return r, ctx.Err()
				})
				s, err := timeout.New[int, int](inner, d)
				require.NoError(t, err)
				for i := range 5 {
					res, err := s.Call(t.Context(), i)
					require.NoError(t, err, "call %d", i+1)
					assert.Equal(t, i, res)
					_, err = s.TryCall(t.Context(), i)
					require.NoError(t, err, "TryCall %d", i+1)
					time.Sleep(time.Second) // the stage's clock moves on between calls
				}
				for _, e := range ctxErrs {
					assert.NoError(t, e)
				}
			})
		})
	}
}

// TestOverACancelableParentTheContextIsTheStandardOne: over a parent that can be
// cancelled, the inner service sees context.WithDeadline's behaviour exactly: the
// parent's cancel has ended the inner ctx by the time cancel returns (the
// hand-written context would close Done a moment later, from a goroutine).
func TestOverACancelableParentTheContextIsTheStandardOne(t *testing.T) {
	parent, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	cause := errors.New("caller went away")
	inner := service.Func[int, int](func(ctx context.Context, n int) (int, error) {
		done := ctx.Done() // a service that watches its ctx, as most do
		cancel(cause)
		select {
		case <-done:
		default:
			t.Error("the parent's cancel had not reached the inner ctx's Done when it returned")
		}
		assert.ErrorIs(t, ctx.Err(), context.Canceled)
		assert.ErrorIs(t, context.Cause(ctx), cause)
		return 0, ctx.Err()
	})
	s, err := timeout.New[int, int](inner, time.Hour)
	require.NoError(t, err)
	_, err = s.Call(parent, 1)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, timeout.ErrElapsed, "the caller's cancel is not the stage's timeout")
}
