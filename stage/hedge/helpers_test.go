package hedge_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/hedge"
)

// Test configuration: a hedge over a scripted mock, with a 1s period and a 10-call
// minimum, warmed up so that it hedges at the p90 of its warm-up latencies.
const (
	period  = time.Second
	minData = 10
)

type events = servicetest.Events

func newHedge(t *testing.T, opts ...hedge.Option) (*hedge.Hedge[int, int], *servicetest.Handle[int, int], *events) {
	t.Helper()
	m, h := servicetest.New[int, int]()
	t.Cleanup(h.Close)
	ev := &events{}
	opts = append([]hedge.Option{
		hedge.WithPeriod(period), hedge.WithMinDataPoints(minData), hedge.WithPercentile(0.9),
		hedge.WithEvents(ev.Emit),
	}, opts...)
	s, err := hedge.New[int, int](m, opts...)
	require.NoError(t, err)
	return s, h, ev
}

// warm makes len(lats) sequential calls, the i-th answered after lats[i], then
// sleeps into the next period, so that the period just ended holds those latencies.
// It must start at the beginning of a period, in a synctest bubble.
func warm(t *testing.T, s *hedge.Hedge[int, int], h *servicetest.Handle[int, int], lats ...time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	i := 0
	wg.Go(func() {
		_ = h.Serve(ctx, func(r int) (int, error) {
			time.Sleep(lats[i])
			i++
			return r, nil
		})
	})
	start := time.Now()
	for n := range lats {
		res, err := s.Call(t.Context(), n)
		require.NoError(t, err)
		require.Equal(t, n, res)
	}
	cancel()
	wg.Wait()
	require.Less(t, time.Since(start), period, "warm-up must fit in one period")
	time.Sleep(period - time.Since(start) + time.Millisecond)
}

// repeat returns n copies of d.
func repeat(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// p90of10ms is a warm-up whose p90 is 10ms: nine calls of 10ms, one of 100ms.
var p90of10ms = append(repeat(9, 10*time.Millisecond), 100*time.Millisecond)

// result is one Call's outcome.
type result struct {
	res int
	err error
}

// goCall starts s.Call(ctx, req) on a new goroutine; the channel gets its result.
func goCall(ctx context.Context, s service.Service[int, int], req int) <-chan result {
	ch := make(chan result, 1)
	go func() {
		res, err := s.Call(ctx, req)
		ch <- result{res, err}
	}()
	return ch
}

// next takes the next request from the mock, failing the test if there is none
// once every goroutine of the bubble is blocked.
func next(t *testing.T, h *servicetest.Handle[int, int]) *servicetest.Request[int, int] {
	t.Helper()
	r, ok := h.TryNext()
	require.True(t, ok, "no request reached the inner service")
	return r
}

// switchable is a service whose function the test can swap.
type switchable struct {
	mu sync.Mutex
	f  service.Func[int, int]
}

func (s *switchable) set(f service.Func[int, int]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f = f
}

func (s *switchable) Call(ctx context.Context, req int) (int, error) {
	s.mu.Lock()
	f := s.f
	s.mu.Unlock()
	return f(ctx, req)
}

// warmFunc is warm for a hedge over a switchable: it answers request i after
// lats[i], then sleeps into the next period.
func warmFunc(t *testing.T, s *hedge.Hedge[int, int], inner *switchable, lats ...time.Duration) {
	t.Helper()
	inner.set(func(_ context.Context, req int) (int, error) {
		time.Sleep(lats[req])
		return req, nil
	})
	start := time.Now()
	for n := range lats {
		_, err := s.Call(t.Context(), n)
		require.NoError(t, err)
	}
	require.Less(t, time.Since(start), period, "warm-up must fit in one period")
	time.Sleep(period - time.Since(start) + time.Millisecond)
}

// fakeBudget counts deposits and grants withdrawals while it has tokens.
type fakeBudget struct {
	mu        sync.Mutex
	deposits  int
	tokens    int
	withdraws int
}

func (b *fakeBudget) Deposit() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deposits++
}

func (b *fakeBudget) Withdraw() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.withdraws++
	if b.tokens == 0 {
		return false
	}
	b.tokens--
	return true
}
