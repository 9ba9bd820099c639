package hedge_test

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
	"github.com/tower-go/tower/stage/hedge"
)

func TestNewRejectsBadInput(t *testing.T) {
	m, h := servicetest.New[int, int]()
	defer h.Close()
	for _, tc := range []struct {
		name string
		opts []hedge.Option
		want string
	}{
		{"percentile zero", []hedge.Option{hedge.WithPercentile(0)}, "hedge: percentile must be between 0 and 1"},
		{"percentile one", []hedge.Option{hedge.WithPercentile(1)}, "hedge: percentile must be between 0 and 1"},
		{"min data points zero", []hedge.Option{hedge.WithMinDataPoints(0)}, "hedge: min data points must be at least 1, got 0"},
		{"period zero", []hedge.Option{hedge.WithPeriod(0)}, "hedge: period must be positive and at most 24h0m0s, got 0s"},
		{"budget percent zero", []hedge.Option{hedge.WithBudgetPercent(0)}, "hedge: budget percent must be between 0.01 and 100, got 0"},
		{"budget percent above 100", []hedge.Option{hedge.WithBudgetPercent(101)}, "hedge: budget percent must be between 0.01 and 100"},
		{"nil budget", []hedge.Option{hedge.WithBudget(nil)}, "hedge: budget is nil"},
		{"typed nil budget", []hedge.Option{hedge.WithBudget((*hedge.PercentBudget)(nil))}, "hedge: budget is nil"},
		{"both budgets", []hedge.Option{hedge.WithBudgetPercent(5), hedge.WithBudget(&fakeBudget{})}, "hedge: WithBudget and WithBudgetPercent cannot be combined"},
		{"clone of another type", []hedge.Option{hedge.WithClone(func(s string) (string, bool) { return s, true })}, "hedge: clone function is func(string) (string, bool), want func(int) (int, bool)"},
		{"nil clone", []hedge.Option{hedge.WithClone[int](nil)}, "hedge: nil clone function"},
	} {
		t.Run(tc.name+" is an error", func(t *testing.T) {
			s, err := hedge.New[int, int](m, tc.opts...)
			require.ErrorContains(t, err, tc.want)
			assert.Nil(t, s)
			l, err := hedge.Layer[int, int](tc.opts...)(new(service.Scope), m)
			require.ErrorContains(t, err, tc.want)
			assert.Nil(t, l, "the layer returns a nil interface, not a typed nil")
		})
	}
	t.Run("a nil service is an error", func(t *testing.T) {
		_, err := hedge.New[int, int](nil)
		require.EqualError(t, err, "hedge: inner service is nil")
	})
	t.Run("nil options are ignored", func(t *testing.T) {
		_, err := hedge.New[int, int](m, nil)
		require.NoError(t, err)
	})
}

func TestNoHedgeBeforeData(t *testing.T) {
	t.Run("no call of the first period is hedged", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, h, ev := newHedge(t)
			warm(t, s, h, repeat(50, 10*time.Millisecond)...) // also sleeps into period 2
			// Every warm-up call took 10ms, more than... nothing: no delay existed yet.
			assert.Equal(t, 50, h.Calls(), "no warm-up call was hedged")
			assert.Zero(t, ev.Count(service.EventHedged))
		})
	})
	t.Run("a period with fewer than the minimum data points does not hedge", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, h, ev := newHedge(t)
			warm(t, s, h, repeat(minData-1, 10*time.Millisecond)...)
			done := goCall(t.Context(), s, 7)
			time.Sleep(time.Second / 2) // far beyond any percentile of the warm-up
			synctest.Wait()
			assert.Equal(t, minData, h.Calls(), "the slow call was not hedged")
			assert.Zero(t, s.Delay())
			require.NoError(t, next(t, h).Respond(7))
			assert.Equal(t, result{7, nil}, <-done)
			assert.Zero(t, ev.Count(service.EventHedged))
		})
	})
	t.Run("the minimum data points make the next period hedge", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, h, _ := newHedge(t)
			warm(t, s, h, repeat(minData, 10*time.Millisecond)...)
			done := goCall(t.Context(), s, 7)
			time.Sleep(time.Second / 2)
			synctest.Wait()
			assert.Equal(t, minData+2, h.Calls(), "the slow call was hedged")
			require.NoError(t, next(t, h).Respond(7))
			assert.Equal(t, result{7, nil}, <-done)
		})
	})
	t.Run("after two idle periods the stage stops hedging", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, h, _ := newHedge(t)
			warm(t, s, h, p90of10ms...)
			time.Sleep(2 * period)
			done := goCall(t.Context(), s, 7)
			time.Sleep(time.Second / 2)
			synctest.Wait()
			assert.Equal(t, minData+1, h.Calls(), "the slow call was not hedged")
			assert.Zero(t, s.Delay())
			require.NoError(t, next(t, h).Respond(7))
			<-done
		})
	})
}

func TestHedgeFiresAtThePercentile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, h, ev := newHedge(t)
		warm(t, s, h, p90of10ms...)
		start := time.Now()
		done := goCall(t.Context(), s, 7)
		synctest.Wait()
		first := next(t, h)
		d := s.Delay()
		// The delay is the p90 of the warm-up (10ms), rounded up to its bucket.
		assert.GreaterOrEqual(t, d, 10*time.Millisecond)
		assert.LessOrEqual(t, d, 10*time.Millisecond+10*time.Millisecond/16)

		time.Sleep(d - time.Nanosecond)
		synctest.Wait()
		_, ok := h.TryNext()
		require.False(t, ok, "no hedge before the delay")
		assert.Zero(t, ev.Count(service.EventHedged))

		time.Sleep(time.Nanosecond)
		synctest.Wait()
		hedged := next(t, h)
		assert.Equal(t, d, time.Since(start), "the hedge is sent at the delay exactly")
		assert.Equal(t, 7, hedged.Req)
		assert.Equal(t, 1, ev.Count(service.EventHedged))
		require.NoError(t, first.Respond(1))
		assert.Equal(t, result{1, nil}, <-done)
	})
}

func TestFirstSuccessWins(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name         string
		answer       func(first, hedged *servicetest.Request[int, int])
		want         result
		loserIsFirst bool
	}{
		{
			name:         "the hedge answers first and the first attempt is cancelled",
			answer:       func(_, hedged *servicetest.Request[int, int]) { _ = hedged.Respond(2) },
			want:         result{2, nil},
			loserIsFirst: true,
		},
		{
			name:   "the first attempt answers after the hedge was sent and the hedge is cancelled",
			answer: func(first, _ *servicetest.Request[int, int]) { _ = first.Respond(1) },
			want:   result{1, nil},
		},
		{
			name: "the first attempt fails and the hedge succeeds",
			answer: func(first, hedged *servicetest.Request[int, int]) {
				_ = first.Error(boom)
				synctestWait()
				_ = hedged.Respond(2)
			},
			want: result{2, nil},
		},
		{
			name: "the hedge fails and the first attempt succeeds",
			answer: func(first, hedged *servicetest.Request[int, int]) {
				_ = hedged.Error(boom)
				synctestWait()
				_ = first.Respond(1)
			},
			want: result{1, nil},
		},
		{
			name: "both fail and the first attempt's error is returned",
			answer: func(first, hedged *servicetest.Request[int, int]) {
				_ = hedged.Error(errors.New("second"))
				synctestWait()
				_ = first.Error(boom)
			},
			want: result{0, boom},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, h, _ := newHedge(t)
				warm(t, s, h, p90of10ms...)
				done := goCall(t.Context(), s, 7)
				synctest.Wait()
				first := next(t, h)
				time.Sleep(s.Delay())
				synctest.Wait()
				hedged := next(t, h)
				tc.answer(first, hedged)
				got := <-done
				assert.Equal(t, tc.want, got)
				if tc.want.err == nil {
					loser := hedged
					if tc.loserIsFirst {
						loser = first
					}
					assert.ErrorIs(t, loser.Ctx.Err(), context.Canceled, "the loser's ctx is cancelled")
				}
			})
		})
	}
}

// synctestWait lets the stage see one answer before the next is given.
func synctestWait() { synctest.Wait() }

func TestFailureBeforeTheDelayIsNotHedged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, h, ev := newHedge(t)
		warm(t, s, h, p90of10ms...)
		boom := errors.New("boom")
		done := goCall(t.Context(), s, 7)
		synctest.Wait()
		time.Sleep(5 * time.Millisecond)
		require.NoError(t, next(t, h).Error(boom))
		assert.Equal(t, result{0, boom}, <-done)
		time.Sleep(time.Second / 4)
		synctest.Wait()
		assert.Equal(t, minData+1, h.Calls())
		assert.Zero(t, ev.Count(service.EventHedged))
	})
}

func TestBudgetCapsHedges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := hedge.NewBudget(50, 2)
		require.NoError(t, err)
		negate := hedge.WithClone(func(r int) (int, bool) { return -r, true })
		s, h, ev := newHedge(t, hedge.WithBudget(b), negate)
		warm(t, s, h, p90of10ms...) // deposits 10 × 0.5, capped at 2
		require.Equal(t, 2, b.Hedges())

		// Ten slow calls: the first attempt is answered only after 50ms, a hedge at once.
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				r, err := h.Next(ctx)
				if err != nil {
					return
				}
				if r.Req < 0 { // a hedge: answer now
					_ = r.Respond(r.Req)
					continue
				}
				go func() {
					select {
					case <-time.After(50 * time.Millisecond):
						_ = r.Respond(r.Req)
					case <-r.Ctx.Done():
					}
				}()
			}
		})
		wins := 0
		for i := range 10 {
			res, err := s.Call(t.Context(), i+1)
			require.NoError(t, err)
			if res < 0 {
				wins++
			}
		}
		cancel()
		wg.Wait()
		// Balance 2, then each call deposits 0.5 before its hedge is due:
		// calls 1, 2, 3, 5, 7 and 9 are hedged, the other four find the budget empty.
		assert.Equal(t, 6, ev.Count(service.EventHedged))
		assert.Equal(t, 4, ev.Count(service.EventBudgetExhausted))
		assert.Equal(t, 6, wins, "every hedge sent won")
		for _, e := range ev.All() {
			assert.Equal(t, "hedge", e.Stage)
			assert.Equal(t, 2, e.Attempt)
		}
	})
}

func TestCallWaitsForTheLoser(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &switchable{}
		s, err := hedge.New[int, int](inner, hedge.WithPeriod(period), hedge.WithMinDataPoints(minData), hedge.WithPercentile(0.9))
		require.NoError(t, err)
		warmFunc(t, s, inner, p90of10ms...)
		// The first attempt takes 1ms to react to cancellation; the hedge wins at once.
		var (
			mu       sync.Mutex
			attempts int
			returned bool
		)
		inner.set(func(ctx context.Context, req int) (int, error) {
			mu.Lock()
			attempts++
			n := attempts
			mu.Unlock()
			if n == 2 {
				return 2, nil
			}
			<-ctx.Done()
			time.Sleep(time.Millisecond)
			mu.Lock()
			returned = true
			mu.Unlock()
			return 0, ctx.Err()
		})
		res, err := s.Call(t.Context(), 7)
		require.NoError(t, err)
		assert.Equal(t, 2, res)
		mu.Lock()
		defer mu.Unlock()
		assert.True(t, returned, "Call returned only after the cancelled first attempt did")
	})
}

func TestCancellationEndsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, h, _ := newHedge(t)
		warm(t, s, h, p90of10ms...)
		ctx, cancel := context.WithCancel(t.Context())
		done := goCall(ctx, s, 7)
		synctest.Wait()
		time.Sleep(s.Delay())
		synctest.Wait()
		first, hedged := next(t, h), next(t, h)
		cancel()
		got := <-done
		assert.ErrorIs(t, got.err, context.Canceled)
		assert.Error(t, first.Ctx.Err())
		assert.Error(t, hedged.Ctx.Err())
		// Returning from the bubble proves that no goroutine of the stage is left.
	})
	t.Run("a call whose ctx ended before the delay sends no hedge", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &switchable{}
			ev := &events{}
			s, err := hedge.New[int, int](inner, hedge.WithPeriod(period), hedge.WithMinDataPoints(minData),
				hedge.WithPercentile(0.9), hedge.WithEvents(ev.Emit))
			require.NoError(t, err)
			warmFunc(t, s, inner, p90of10ms...)
			// The first attempt ignores cancellation for 20ms, past the hedge delay.
			inner.set(func(ctx context.Context, _ int) (int, error) {
				time.Sleep(20 * time.Millisecond)
				return 0, ctx.Err()
			})
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Millisecond)
			defer cancel()
			_, err = s.Call(ctx, 7)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Zero(t, ev.Count(service.EventHedged))
		})
	})
}

func TestClone(t *testing.T) {
	t.Run("the hedge gets the clone", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, h, _ := newHedge(t, hedge.WithClone(func(r int) (int, bool) { return r + 100, true }))
			warm(t, s, h, p90of10ms...)
			done := goCall(t.Context(), s, 7)
			synctest.Wait()
			time.Sleep(s.Delay())
			synctest.Wait()
			first, hedged := next(t, h), next(t, h)
			assert.Equal(t, 7, first.Req)
			assert.Equal(t, 107, hedged.Req)
			require.NoError(t, hedged.Respond(1))
			assert.Equal(t, result{1, nil}, <-done)
		})
	})
	t.Run("a request the clone refuses is not hedged", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b := &fakeBudget{tokens: 100}
			s, h, ev := newHedge(t, hedge.WithBudget(b), hedge.WithClone(func(r int) (int, bool) { return r, r%2 == 0 }))
			warm(t, s, h, p90of10ms...)
			done := goCall(t.Context(), s, 7)
			time.Sleep(time.Second / 4)
			synctest.Wait()
			assert.Equal(t, minData+1, h.Calls())
			assert.Zero(t, ev.Count(service.EventHedged))
			assert.Zero(t, b.withdraws, "no budget is spent on a refused request")
			require.NoError(t, next(t, h).Respond(7))
			<-done
		})
	})
}

func TestNoHedgeWhenTheInnerServiceIsNotReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &fakeBudget{tokens: 100}
		s, h, ev := newHedge(t, hedge.WithBudget(b))
		warm(t, s, h, p90of10ms...)
		h.Allow(1) // the first attempt takes the last permit
		done := goCall(t.Context(), s, 7)
		time.Sleep(time.Second / 4)
		synctest.Wait()
		assert.Equal(t, minData+1, h.Calls(), "no hedge queued behind a full service")
		assert.Zero(t, ev.Count(service.EventHedged))
		assert.Zero(t, b.withdraws)
		require.NoError(t, next(t, h).Respond(7))
		assert.Equal(t, result{7, nil}, <-done)
	})
}

func TestReadinessIsForwarded(t *testing.T) {
	s, h, _ := newHedge(t)
	require.NoError(t, s.TryReady())
	h.Allow(0)
	assert.ErrorIs(t, s.TryReady(), service.ErrOverloaded)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, s.Ready(ctx), context.Canceled)
	h.Allow(1)
	require.NoError(t, s.Ready(t.Context()))
}

func TestBudgetDepositsOncePerCall(t *testing.T) {
	b := &fakeBudget{}
	s, h, _ := newHedge(t, hedge.WithBudget(b))
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = h.Serve(ctx, func(r int) (int, error) { return r, nil }) })
	for i := range 5 {
		_, err := s.Call(t.Context(), i)
		require.NoError(t, err)
	}
	cancel()
	wg.Wait()
	assert.Equal(t, 5, b.deposits)
}

func TestHedgePanicIsRaisedOnTheCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &switchable{}
		s, err := hedge.New[int, int](inner, hedge.WithPeriod(period), hedge.WithMinDataPoints(minData), hedge.WithPercentile(0.9))
		require.NoError(t, err)
		warmFunc(t, s, inner, p90of10ms...)
		var mu sync.Mutex
		attempts := 0
		inner.set(func(ctx context.Context, _ int) (int, error) {
			mu.Lock()
			attempts++
			n := attempts
			mu.Unlock()
			if n == 2 {
				panic("hedge exploded")
			}
			<-ctx.Done()
			return 0, ctx.Err()
		})
		var got any
		func() {
			defer func() { got = recover() }()
			_, _ = s.Call(t.Context(), 7)
		}()
		var pe *service.PanicError
		require.ErrorAs(t, asError(got), &pe)
		assert.Equal(t, "hedge exploded", pe.Value)
		assert.Contains(t, string(pe.Stack()), "TestHedgePanicIsRaisedOnTheCaller", "the stack is the hedge's")
	})
	t.Run("a panic in the first attempt unwinds the caller and stops the hedge", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &switchable{}
			s, err := hedge.New[int, int](inner, hedge.WithPeriod(period), hedge.WithMinDataPoints(minData), hedge.WithPercentile(0.9))
			require.NoError(t, err)
			warmFunc(t, s, inner, p90of10ms...)
			hedgeStarted := make(chan struct{})
			var hedgeErr error
			var mu sync.Mutex
			attempts := 0
			inner.set(func(ctx context.Context, _ int) (int, error) {
				mu.Lock()
				attempts++
				n := attempts
				mu.Unlock()
				if n == 2 {
					close(hedgeStarted)
					<-ctx.Done()
					hedgeErr = ctx.Err()
					return 0, ctx.Err()
				}
				<-hedgeStarted
				panic("first exploded")
			})
			var got any
			func() {
				defer func() { got = recover() }()
				_, _ = s.Call(t.Context(), 7)
			}()
			assert.Equal(t, "first exploded", got)
			assert.ErrorIs(t, hedgeErr, context.Canceled, "the hedge was cancelled and joined")
		})
	})
}

func asError(v any) error {
	err, _ := v.(error)
	return err
}
