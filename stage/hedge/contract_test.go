package hedge_test

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/hedge"
	"github.com/tower-go/tower/stage/retry"
)

func TestCheckLayer(t *testing.T) {
	servicetest.CheckLayer(t, hedge.Layer[int, int](), 1)
	b, err := retry.NewBudget(10*time.Second, 10, 0.2)
	require.NoError(t, err)
	servicetest.CheckLayer(t, hedge.Layer[int, int](hedge.WithBudget(b), hedge.WithMinDataPoints(1)), 1)
}

// One interface: both budget types serve both stages.
var (
	_ retry.Budget = (*hedge.PercentBudget)(nil)
	_ hedge.Budget = (*retry.TpsBudget)(nil)
)

func TestOneBudgetInterface(t *testing.T) {
	pb, err := hedge.NewBudget(50, 1)
	require.NoError(t, err)
	echo := service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil })
	_, err = retry.New[int, int](echo, retry.Attempts[int, int](2), retry.WithBudget(pb))
	require.NoError(t, err, "a hedge budget bounds retries")
	tb, err := retry.NewBudget(time.Second, 1, 0.1)
	require.NoError(t, err)
	_, err = hedge.New[int, int](echo, hedge.WithBudget(tb))
	require.NoError(t, err, "a retry budget bounds hedges")
}

func TestBadInput(t *testing.T) {
	m, h := servicetest.New[int, int]()
	defer h.Close()
	for _, inner := range []service.Service[int, int]{nil, (*servicetest.Mock[int, int])(nil), service.Func[int, int](nil)} {
		s, err := hedge.New(inner)
		require.EqualError(t, err, "hedge: inner service is nil")
		assert.Nil(t, s)
		l, err := hedge.Layer[int, int]()(new(service.Scope), inner)
		require.Error(t, err)
		assert.True(t, l == nil)
	}
	for _, tc := range []struct {
		name string
		opt  hedge.Option
		want string // "" when accepted
	}{
		{"NaN percentile", hedge.WithPercentile(math.NaN()), "hedge: percentile must be between 0 and 1 (exclusive), got NaN"},
		{"+Inf percentile", hedge.WithPercentile(math.Inf(1)), "hedge: percentile must be between 0 and 1 (exclusive), got +Inf"},
		{"negative percentile", hedge.WithPercentile(-0.5), "hedge: percentile must be between 0 and 1 (exclusive), got -0.5"},
		{"huge percentile", hedge.WithPercentile(1e300), "hedge: percentile must be between 0 and 1 (exclusive), got 1e+300"},
		{"negative min data points", hedge.WithMinDataPoints(-1), "hedge: min data points must be at least 1, got -1"},
		{"MaxInt min data points (never hedges, as asked)", hedge.WithMinDataPoints(math.MaxInt), ""},
		{"negative period", hedge.WithPeriod(-time.Second), "hedge: period must be positive and at most 24h0m0s, got -1s"},
		{"MaxInt64 period", hedge.WithPeriod(math.MaxInt64), "hedge: period must be positive and at most 24h0m0s, got 2562047h47m16.854775807s"},
		{"NaN budget percent", hedge.WithBudgetPercent(math.NaN()), "hedge: budget percent must be between 0.01 and 100, got NaN"},
		{"+Inf budget percent", hedge.WithBudgetPercent(math.Inf(1)), "hedge: budget percent must be between 0.01 and 100, got +Inf"},
		{"negative budget percent", hedge.WithBudgetPercent(-1), "hedge: budget percent must be between 0.01 and 100, got -1"},
		{"zero PercentBudget", hedge.WithBudget(&hedge.PercentBudget{}), "hedge: budget is a zero PercentBudget; make one with hedge.NewBudget"},
		{"zero retry.TpsBudget", hedge.WithBudget(&retry.TpsBudget{}), "hedge: budget is a zero TpsBudget; make one with retry.NewBudget"},
		{"typed-nil retry.TpsBudget", hedge.WithBudget((*retry.TpsBudget)(nil)), "hedge: budget is nil"},
		{"nil events hook", hedge.WithEvents(nil), ""},
		{"nil option", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := hedge.New[int, int](m, tc.opt)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.want)
			assert.Nil(t, s)
		})
	}
	t.Run("NewBudget rejects NaN, Inf, negative and huge values", func(t *testing.T) {
		for _, c := range []struct {
			percent float64
			burst   int
		}{{math.NaN(), 1}, {math.Inf(1), 1}, {math.Inf(-1), 1}, {-1, 1}, {0.001, 1}, {10, -1}, {10, math.MaxInt}, {10, hedge.MaxBudgetBurst + 1}} {
			b, err := hedge.NewBudget(c.percent, c.burst)
			assert.Error(t, err, "%+v", c)
			assert.Nil(t, b)
		}
		b, err := hedge.NewBudget(100, hedge.MaxBudgetBurst)
		require.NoError(t, err)
		for range 3 {
			b.Deposit()
		}
		assert.Equal(t, 3, b.Hedges(), "the largest burst does not overflow")
	})
	t.Run("a zero PercentBudget used directly never allows a hedge", func(t *testing.T) {
		var b hedge.PercentBudget
		b.Deposit()
		assert.False(t, b.Withdraw())
	})
}

// tryMock is an inner service whose TryCall refuses while full, counting calls.
type tryMock struct {
	full        bool
	tries, cals int
}

func (s *tryMock) Call(context.Context, int) (int, error) { s.cals++; return 1, nil }
func (s *tryMock) TryCall(ctx context.Context, r int) (int, error) {
	s.tries++
	if s.full {
		return 0, service.ErrOverloaded
	}
	return s.Call(ctx, r)
}

func TestTryCall(t *testing.T) {
	t.Run("a refused first attempt returns at once, sends no hedge and deposits nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			in := &tryMock{full: true}
			b := &fakeBudget{tokens: 10}
			s, err := hedge.New[int, int](in, hedge.WithBudget(b))
			require.NoError(t, err)
			hedge.PinDelay(s, time.Millisecond) // hedging is on
			start := time.Now()
			_, err = s.TryCall(t.Context(), 1)
			require.ErrorIs(t, err, service.ErrOverloaded)
			assert.Zero(t, time.Since(start))
			time.Sleep(time.Second)
			assert.Equal(t, 1, in.tries)
			assert.Zero(t, b.deposits)
			assert.Zero(t, b.withdraws)
		})
	})
	t.Run("an accepted first attempt is a call as usual", func(t *testing.T) {
		in := &tryMock{}
		b := &fakeBudget{}
		s, err := hedge.New[int, int](in, hedge.WithBudget(b))
		require.NoError(t, err)
		res, err := s.TryCall(t.Context(), 1)
		require.NoError(t, err)
		assert.Equal(t, 1, res)
		assert.Equal(t, 1, b.deposits)
	})
}

func TestEventsCarryElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, h, ev := newHedge(t)
		warm(t, s, h, p90of10ms...)
		done := goCall(t.Context(), s, 7)
		synctest.Wait()
		first := next(t, h)
		time.Sleep(s.Delay())
		synctest.Wait()
		hedged := next(t, h)
		_ = hedged.Respond(7)
		<-done
		_ = first
		all := ev.All()
		require.NotEmpty(t, all)
		last := all[len(all)-1]
		assert.Equal(t, service.EventHedged, last.Kind)
		assert.Equal(t, s.Delay(), last.Elapsed)
	})
}
