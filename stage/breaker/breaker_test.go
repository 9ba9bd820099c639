package breaker_test

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
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/breaker"
)

func TestConsecutiveFailures(t *testing.T) {
	t.Run("the breaker opens after exactly the configured number of failures", func(t *testing.T) {
		inner := &scripted{err: errBoom}
		b := mustNew(t, inner, breaker.WithConsecutiveFailures(3))
		for i := range 2 {
			require.ErrorIs(t, call(t, b), errBoom, "failure %d", i+1)
			require.Equal(t, breaker.Closed, b.State())
		}
		require.ErrorIs(t, call(t, b), errBoom)
		require.Equal(t, breaker.Open, b.State())

		err := call(t, b)
		require.ErrorIs(t, err, breaker.ErrOpen)
		assert.ErrorIs(t, err, service.ErrUnavailable)
		assert.NotErrorIs(t, err, service.ErrOverloaded, "an open circuit is not a momentary overload")
		assert.Equal(t, 3, inner.count(), "an open breaker must not call the inner service")
	})
	t.Run("a success starts the count again", func(t *testing.T) {
		inner := &scripted{}
		b := mustNew(t, inner, breaker.WithConsecutiveFailures(3))
		for _, err := range []error{errBoom, errBoom, nil, errBoom, errBoom} {
			inner.set(err)
			_ = call(t, b)
		}
		require.Equal(t, breaker.Closed, b.State())
		inner.set(errBoom)
		_ = call(t, b)
		require.Equal(t, breaker.Open, b.State())
	})
	t.Run("the default rule is five consecutive failures", func(t *testing.T) {
		b := mustNew(t, &scripted{err: errBoom})
		for range breaker.DefaultConsecutiveFailures - 1 {
			_ = call(t, b)
		}
		require.Equal(t, breaker.Closed, b.State())
		_ = call(t, b)
		require.Equal(t, breaker.Open, b.State())
	})
}

func TestFailureRate(t *testing.T) {
	rate := breaker.WithFailureRate(0.5, 10*time.Second, 10)
	t.Run("the breaker trips only once the minimum volume is reached", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := mustNew(t, &scripted{err: errBoom}, rate)
			for range 9 {
				_ = call(t, b)
			}
			require.Equal(t, breaker.Closed, b.State(), "9 failures are below the minimum volume of 10")
			_ = call(t, b)
			require.Equal(t, breaker.Open, b.State())
		})
	})
	for _, tc := range []struct {
		name            string
		successes, fail int
		open            bool
	}{
		{"a failure rate below the threshold keeps the breaker closed", 6, 4, false},
		{"a failure rate at the threshold opens the breaker", 5, 5, true},
		{"a failure rate above the threshold opens the breaker", 2, 8, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				inner := &scripted{}
				b := mustNew(t, inner, rate)
				// Successes first, so that the volume is reached with the last failure.
				for range tc.successes {
					require.NoError(t, call(t, b))
				}
				inner.set(errBoom)
				for range tc.fail {
					_ = call(t, b)
				}
				assert.Equal(t, tc.open, b.State() == breaker.Open)
			})
		})
	}
	t.Run("outcomes older than the window no longer count", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := mustNew(t, &scripted{err: errBoom}, rate)
			for range 9 {
				_ = call(t, b)
			}
			time.Sleep(15 * time.Second) // the old failures' bucket is not reused
			for range 9 {
				_ = call(t, b)
			}
			require.Equal(t, breaker.Closed, b.State(), "the first 9 failures left the window")
			_ = call(t, b)
			require.Equal(t, breaker.Open, b.State())
		})
	})
	t.Run("outcomes within the window add up across buckets", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := mustNew(t, &scripted{err: errBoom}, rate)
			for range 9 {
				_ = call(t, b)
				time.Sleep(time.Second) // the window is 10 s
			}
			_ = call(t, b)
			require.Equal(t, breaker.Open, b.State())
		})
	})
	t.Run("closing forgets the outcomes that opened the breaker", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{err: errBoom}
			b := mustNew(t, inner, rate, breaker.WithOpenTimeout(time.Second))
			for range 10 {
				_ = call(t, b)
			}
			require.Equal(t, breaker.Open, b.State())
			time.Sleep(time.Second)
			inner.set(nil)
			require.NoError(t, call(t, b))
			require.Equal(t, breaker.Closed, b.State())
			inner.set(errBoom)
			_ = call(t, b)
			require.Equal(t, breaker.Closed, b.State(), "one failure is below the minimum volume")
		})
	})
	t.Run("a rate rule alone does not also trip on consecutive failures", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := mustNew(t, &scripted{err: errBoom}, breaker.WithFailureRate(0.5, time.Second, 100))
			for range 99 {
				_ = call(t, b)
			}
			require.Equal(t, breaker.Closed, b.State())
		})
	})
	t.Run("both rules trip on whichever fires first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := mustNew(t, &scripted{err: errBoom}, rate, breaker.WithConsecutiveFailures(3))
			for range 3 {
				_ = call(t, b)
			}
			require.Equal(t, breaker.Open, b.State())
		})
	})
}

// trip opens b with failing calls on inner.
func trip(t *testing.T, b *breaker.Breaker[int, int], inner *scripted) {
	t.Helper()
	inner.set(errBoom)
	for b.State() != breaker.Open {
		_ = call(t, b)
	}
	inner.set(nil)
}

func TestOpen(t *testing.T) {
	t.Run("the breaker fails calls until the open timeout has passed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{}
			b := mustNew(t, inner, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(time.Minute))
			trip(t, b, inner)
			time.Sleep(time.Minute - time.Nanosecond)
			require.ErrorIs(t, call(t, b), breaker.ErrOpen)
			require.Equal(t, breaker.Open, b.State())
			time.Sleep(time.Nanosecond)
			require.Equal(t, breaker.HalfOpen, b.State())
			require.NoError(t, call(t, b))
			require.Equal(t, breaker.Closed, b.State())
		})
	})
}

func TestHalfOpen(t *testing.T) {
	const timeout = 5 * time.Second
	t.Run("exactly the configured number of probes pass among concurrent callers", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			var rec recorder
			b := mustNew(t, mock, append(rec.options(), breaker.WithConsecutiveFailures(1),
				breaker.WithOpenTimeout(timeout), breaker.WithProbes(3))...)
			go func() {
				r, _ := h.Next(t.Context())
				_ = r.Error(errBoom)
			}()
			require.ErrorIs(t, call(t, b), errBoom)
			require.Equal(t, breaker.Open, b.State())
			time.Sleep(timeout)

			const callers = 10
			errs := make(chan error, callers)
			for range callers {
				go func() { errs <- call(t, b) }()
			}
			synctest.Wait() // every caller has either been refused or reached the mock
			require.Equal(t, 3, h.Pending(), "exactly 3 probes reach the inner service")
			for range callers - 3 {
				require.ErrorIs(t, <-errs, breaker.ErrOpen)
			}
			require.Equal(t, breaker.HalfOpen, b.State())

			for range 3 {
				r, err := h.Next(t.Context())
				require.NoError(t, err)
				require.NoError(t, r.Respond(r.Req))
			}
			for range 3 {
				require.NoError(t, <-errs)
			}
			require.Equal(t, breaker.Closed, b.State())
			require.Equal(t, []string{"open", "half-open", "closed"}, rec.events())
		})
	})
	t.Run("the breaker closes only after every probe succeeded", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{}
			b := mustNew(t, inner, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(timeout), breaker.WithProbes(2))
			trip(t, b, inner)
			time.Sleep(timeout)
			require.NoError(t, call(t, b))
			require.Equal(t, breaker.HalfOpen, b.State())
			require.NoError(t, call(t, b))
			require.Equal(t, breaker.Closed, b.State())
		})
	})
	t.Run("a failed probe re-opens the breaker and later probes of that round do not count", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			var rec recorder
			b := mustNew(t, mock, append(rec.options(), breaker.WithConsecutiveFailures(1),
				breaker.WithOpenTimeout(timeout), breaker.WithProbes(2))...)
			go func() {
				r, _ := h.Next(t.Context())
				_ = r.Error(errBoom)
			}()
			_ = call(t, b)
			time.Sleep(timeout)

			errs := make(chan error, 2)
			for range 2 {
				go func() { errs <- call(t, b) }()
			}
			synctest.Wait()
			first, err := h.Next(t.Context())
			require.NoError(t, err)
			second, err := h.Next(t.Context())
			require.NoError(t, err)
			require.NoError(t, first.Error(errBoom))
			require.ErrorIs(t, <-errs, errBoom)
			require.Equal(t, breaker.Open, b.State())
			require.NoError(t, second.Respond(0))
			require.NoError(t, <-errs)
			require.Equal(t, breaker.Open, b.State(), "a probe of the failed round must not close the breaker")
			require.ErrorIs(t, call(t, b), breaker.ErrOpen)

			time.Sleep(timeout)
			require.Equal(t, breaker.HalfOpen, b.State())
			require.Equal(t, []string{"open", "half-open", "open"}, rec.events())
		})
	})
	t.Run("a probe whose error is not counted frees its slot", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{}
			b := mustNew(t, inner, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(timeout))
			trip(t, b, inner)
			time.Sleep(timeout)
			inner.set(context.Canceled)
			require.ErrorIs(t, call(t, b), context.Canceled)
			require.Equal(t, breaker.HalfOpen, b.State())
			inner.set(nil)
			require.NoError(t, call(t, b), "the slot of the cancelled probe is free again")
			require.Equal(t, breaker.Closed, b.State())
		})
	})
	t.Run("a panicking probe counts as a failure and the panic propagates", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var panicking bool
			inner := service.Func[int, int](func(_ context.Context, x int) (int, error) {
				if panicking {
					panic("probe")
				}
				return x, errBoom
			})
			b := mustNew(t, inner, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(timeout))
			_ = call(t, b)
			time.Sleep(timeout)
			panicking = true
			require.PanicsWithValue(t, "probe", func() { _ = call(t, b) })
			require.Equal(t, breaker.Open, b.State())
		})
	})
}

func TestStaleOutcomes(t *testing.T) {
	t.Run("a call that started before the breaker opened does not count after it closed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			b := mustNew(t, mock, breaker.WithConsecutiveFailures(2), breaker.WithOpenTimeout(time.Second))
			slow := make(chan error, 1)
			go func() { slow <- call(t, b) }()
			synctest.Wait()
			old, err := h.Next(t.Context())
			require.NoError(t, err)

			// Trip, wait, and close again with a successful probe.
			go func() {
				for range 2 {
					r, _ := h.Next(t.Context())
					_ = r.Error(errBoom)
				}
			}()
			_ = call(t, b)
			_ = call(t, b)
			require.Equal(t, breaker.Open, b.State())
			time.Sleep(time.Second)
			go func() {
				r, _ := h.Next(t.Context())
				_ = r.Respond(0)
			}()
			require.NoError(t, call(t, b))
			require.Equal(t, breaker.Closed, b.State())

			require.NoError(t, old.Error(errBoom))
			require.ErrorIs(t, <-slow, errBoom)
			go func() {
				r, _ := h.Next(t.Context())
				_ = r.Error(errBoom)
			}()
			require.ErrorIs(t, call(t, b), errBoom)
			require.Equal(t, breaker.Closed, b.State(), "the old call's failure belongs to an earlier generation and must not count")
		})
	})
}

func TestEvents(t *testing.T) {
	t.Run("every transition is reported in order", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{}
			var rec recorder
			b := mustNew(t, inner, append(rec.options(), breaker.WithConsecutiveFailures(2), breaker.WithOpenTimeout(time.Second))...)
			trip(t, b, inner) // closed -> open
			time.Sleep(time.Second)
			inner.set(errBoom)
			_ = call(t, b) // -> half-open -> open
			time.Sleep(time.Second)
			inner.set(nil)
			_ = call(t, b) // -> half-open -> closed
			require.Equal(t, []string{"open", "half-open", "open", "half-open", "closed"}, rec.events())
			require.Equal(t, [][2]breaker.State{
				{breaker.Closed, breaker.Open}, {breaker.Open, breaker.HalfOpen}, {breaker.HalfOpen, breaker.Open},
				{breaker.Open, breaker.HalfOpen}, {breaker.HalfOpen, breaker.Closed},
			}, rec.changes)
		})
	})
	t.Run("the event that opens the breaker carries the failure", func(t *testing.T) {
		var got []service.Event
		b := mustNew(t, &scripted{err: errBoom}, breaker.WithConsecutiveFailures(1),
			breaker.WithEvents(func(e service.Event) { got = append(got, e) }))
		_ = call(t, b)
		require.Len(t, got, 1)
		assert.Equal(t, service.Event{Stage: "breaker", Kind: service.EventStateChanged, State: "open", Err: errBoom}, got[0])
	})
}

func TestIsFailure(t *testing.T) {
	t.Run("by default a cancelled call does not count but a deadline does", func(t *testing.T) {
		inner := &scripted{err: context.Canceled}
		b := mustNew(t, inner, breaker.WithConsecutiveFailures(1))
		_ = call(t, b)
		require.Equal(t, breaker.Closed, b.State())
		inner.set(context.DeadlineExceeded)
		_ = call(t, b)
		require.Equal(t, breaker.Open, b.State())
	})
	t.Run("errors the predicate rejects neither count nor break a run of failures", func(t *testing.T) {
		errOther := errors.New("not found")
		inner := &scripted{}
		b := mustNew(t, inner, breaker.WithConsecutiveFailures(2),
			breaker.WithIsFailure(func(err error) bool { return errors.Is(err, errBoom) }))
		for _, err := range []error{errBoom, errOther, errOther} {
			inner.set(err)
			_ = call(t, b)
		}
		require.Equal(t, breaker.Closed, b.State())
		inner.set(errBoom)
		_ = call(t, b)
		require.Equal(t, breaker.Open, b.State())
	})
	t.Run("a panic in a closed breaker propagates and is not counted", func(t *testing.T) {
		b := mustNew(t, service.Func[int, int](func(context.Context, int) (int, error) { panic("x") }),
			breaker.WithConsecutiveFailures(1))
		require.PanicsWithValue(t, "x", func() { _ = call(t, b) })
		require.Equal(t, breaker.Closed, b.State())
	})
}

func TestReadiness(t *testing.T) {
	t.Run("TryReady reports ErrOpen while open", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{}
			b := mustNew(t, inner, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(time.Second))
			require.NoError(t, b.TryReady())
			trip(t, b, inner)
			err := b.TryReady()
			require.ErrorIs(t, err, breaker.ErrOpen)
			require.ErrorIs(t, err, service.ErrUnavailable)
			time.Sleep(time.Second)
			require.NoError(t, b.TryReady())
		})
	})
	t.Run("Ready waits out the open timeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{}
			b := mustNew(t, inner, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(time.Minute))
			trip(t, b, inner)
			start := time.Now()
			require.NoError(t, b.Ready(t.Context()))
			assert.Equal(t, time.Minute, time.Since(start))
			require.Equal(t, breaker.HalfOpen, b.State())
		})
	})
	t.Run("Ready returns the context's error if it ends first", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{}
			b := mustNew(t, inner, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(time.Minute))
			trip(t, b, inner)
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			require.ErrorIs(t, b.Ready(ctx), context.DeadlineExceeded)
			require.Equal(t, breaker.Open, b.State())
		})
	})
	t.Run("Ready waits while every probe slot is taken", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			b := mustNew(t, mock, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(time.Second))
			go func() {
				r, _ := h.Next(t.Context())
				_ = r.Error(errBoom)
			}()
			_ = call(t, b)
			time.Sleep(time.Second)
			probe := make(chan error, 1)
			go func() { probe <- call(t, b) }()
			synctest.Wait()
			require.ErrorIs(t, b.TryReady(), breaker.ErrOpen, "the only probe slot is taken")

			ready := make(chan error, 1)
			go func() { ready <- b.Ready(t.Context()) }()
			synctest.Wait()
			select {
			case err := <-ready:
				t.Fatalf("Ready returned %v while the probe slot was taken", err)
			default:
			}
			r, err := h.Next(t.Context())
			require.NoError(t, err)
			require.NoError(t, r.Respond(0))
			require.NoError(t, <-probe)
			require.NoError(t, <-ready)
			require.Equal(t, breaker.Closed, b.State())
		})
	})
	t.Run("Ready wakes when a probe frees its slot", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			b := mustNew(t, mock, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(time.Second))
			go func() {
				r, _ := h.Next(t.Context())
				_ = r.Error(errBoom)
			}()
			_ = call(t, b)
			time.Sleep(time.Second)
			probe := make(chan error, 1)
			go func() { probe <- call(t, b) }()
			synctest.Wait() // the probe holds the only slot
			ready := make(chan error, 1)
			go func() { ready <- b.Ready(t.Context()) }()
			synctest.Wait()
			require.Empty(t, ready, "Ready must wait while the probe slot is taken")
			r, err := h.Next(t.Context())
			require.NoError(t, err)
			require.NoError(t, r.Error(context.Canceled))
			require.ErrorIs(t, <-probe, context.Canceled)
			require.NoError(t, <-ready)
			require.Equal(t, breaker.HalfOpen, b.State())
		})
	})
	t.Run("a closed breaker forwards the inner service's readiness", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			b := mustNew(t, mock)
			h.Allow(0)
			require.ErrorIs(t, b.TryReady(), servicetest.ErrNotReady)
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			require.ErrorIs(t, b.Ready(ctx), context.DeadlineExceeded)
			h.Fail(errBoom)
			require.ErrorIs(t, b.Ready(t.Context()), errBoom)
		})
	})
}

func TestTryCall(t *testing.T) {
	t.Run("TryCall fails at once while open and passes the inner refusal on", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			defer h.Close()
			b := mustNew(t, mock, breaker.WithConsecutiveFailures(1))
			h.Allow(0)
			_, err := b.TryCall(t.Context(), 1)
			require.ErrorIs(t, err, servicetest.ErrNotReady)
			require.Equal(t, breaker.Open, b.State(), "the inner refusal counts as a failure")
			_, err = b.TryCall(t.Context(), 1)
			require.ErrorIs(t, err, breaker.ErrOpen)
			require.Equal(t, 0, h.Calls())
		})
	})
}

func TestConcurrentUse(t *testing.T) {
	t.Run("many callers share one breaker", func(t *testing.T) {
		var n sync.Mutex
		i := 0
		inner := service.Func[int, int](func(_ context.Context, x int) (int, error) {
			n.Lock()
			i++
			fail := i%3 == 0
			n.Unlock()
			if fail {
				return 0, errBoom
			}
			return x, nil
		})
		b := mustNew(t, inner, breaker.WithConsecutiveFailures(4),
			breaker.WithFailureRate(0.9, time.Second, 50), breaker.WithOpenTimeout(time.Millisecond))
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 2000 {
					_, err := b.Call(context.Background(), 1)
					if err != nil && !errors.Is(err, errBoom) && !errors.Is(err, breaker.ErrOpen) {
						t.Errorf("unexpected error %v", err)
					}
					_ = b.TryReady()
				}
			})
		}
		wg.Wait()
	})
}

func TestNew(t *testing.T) {
	inner := &scripted{}
	for _, tc := range []struct {
		name string
		opts []breaker.Option
		want string
	}{
		{"zero consecutive failures", []breaker.Option{breaker.WithConsecutiveFailures(0)}, "breaker: consecutive failures must be at least 1, got 0"},
		{"zero failure rate", []breaker.Option{breaker.WithFailureRate(0, time.Second, 1)}, "breaker: failure rate must be in (0, 1], got 0"},
		{"failure rate above one", []breaker.Option{breaker.WithFailureRate(1.5, time.Second, 1)}, "breaker: failure rate must be in (0, 1], got 1.5"},
		{"zero window", []breaker.Option{breaker.WithFailureRate(0.5, 0, 1)}, "breaker: failure rate window must be at least 10ns, got 0s"},
		{"zero minimum volume", []breaker.Option{breaker.WithFailureRate(0.5, time.Second, 0)}, "breaker: failure rate minimum volume must be at least 1, got 0"},
		{"negative open timeout", []breaker.Option{breaker.WithOpenTimeout(-time.Second)}, "breaker: open timeout must be positive, got -1s"},
		{"zero probes", []breaker.Option{breaker.WithProbes(0)}, "breaker: probes must be at least 1, got 0"},
		{"nil predicate", []breaker.Option{breaker.WithIsFailure(nil)}, "breaker: failure predicate must not be nil"},
		{"nil option", []breaker.Option{nil}, "breaker: nil option"},
	} {
		t.Run("rejects "+tc.name, func(t *testing.T) {
			b, err := breaker.New[int, int](inner, tc.opts...)
			require.EqualError(t, err, tc.want)
			require.Nil(t, b)
			s, err := breaker.Layer[int, int](tc.opts...)(new(service.Scope), inner)
			require.EqualError(t, err, tc.want)
			require.Nil(t, s)
		})
	}
	t.Run("rejects a nil inner service", func(t *testing.T) {
		_, err := breaker.New[int, int](nil)
		require.EqualError(t, err, "breaker: inner service is nil")
		s, err := breaker.Layer[int, int]()(new(service.Scope), nil)
		require.Error(t, err)
		require.Nil(t, s)
	})
	t.Run("the layer builds an independent breaker each time", func(t *testing.T) {
		layer := breaker.Layer[int, int](breaker.WithConsecutiveFailures(1))
		a, err := layer(new(service.Scope), &scripted{err: errBoom})
		require.NoError(t, err)
		b, err := layer(new(service.Scope), &scripted{})
		require.NoError(t, err)
		_, _ = a.Call(t.Context(), 1)
		require.ErrorIs(t, service.TryReady(a), breaker.ErrOpen)
		require.NoError(t, service.TryReady(b))
	})
}
