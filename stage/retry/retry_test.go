package retry_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/retry"
)

var errFlaky = errors.New("flaky")

// flaky is the W6 service: an echo that fails when its own call counter (from 1) is
// a multiple of every.
func flaky(every uint64) service.Func[uint64, uint64] {
	var n atomic.Uint64
	return func(_ context.Context, req uint64) (uint64, error) {
		if n.Add(1)%every == 0 {
			return 0, errFlaky
		}
		return req + 1, nil
	}
}

// script is an inner service that answers from a list of errors, one per attempt,
// and records the requests it got.
type script struct {
	mu   sync.Mutex
	errs []error
	reqs []int
}

func (s *script) Call(_ context.Context, req int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, req)
	if len(s.errs) == 0 {
		return req * 10, nil
	}
	err := s.errs[0]
	s.errs = s.errs[1:]
	if err != nil {
		return -1, err
	}
	return req * 10, nil
}

func policy(t *testing.T, max int, opts ...retry.PolicyOption) *retry.StandardPolicy[int, int] {
	t.Helper()
	p, err := retry.NewPolicy[int, int](max, opts...)
	require.NoError(t, err)
	return p
}

func TestNew(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil })
	p := policy(t, 3)
	tests := []struct {
		name   string
		inner  service.Service[int, int]
		policy retry.Policy[int, int]
		opts   []retry.Option
		want   string
	}{
		{"a nil service is refused", nil, p, nil, "retry: inner service is nil"},
		{"a nil policy is refused", echo, nil, nil, "retry: policy is nil"},
		{"a nil budget is refused", echo, p, []retry.Option{retry.WithBudget(nil)}, "retry: budget is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := retry.New(tt.inner, tt.policy, tt.opts...)
			require.EqualError(t, err, tt.want)
			assert.Nil(t, r)
			svc, err := retry.Layer(tt.policy, tt.opts...)(new(service.Scope), tt.inner)
			require.Error(t, err)
			assert.True(t, svc == nil, "the layer must return an untyped nil service")
		})
	}
}

func TestCall(t *testing.T) {
	t.Run("W6: an echo failing every 5th call, up to 3 attempts, answers every call", func(t *testing.T) {
		p, err := retry.NewPolicy[uint64, uint64](3)
		require.NoError(t, err)
		var retried int
		r, err := retry.New[uint64, uint64](flaky(5), p, retry.WithEvents(func(e service.Event) {
			if e.Kind == service.EventRetried {
				retried++
			}
		}))
		require.NoError(t, err)
		const calls = 10_000
		ok := 0
		for i := range uint64(calls) {
			res, err := r.Call(context.Background(), i)
			if err == nil && res == i+1 {
				ok++
			}
		}
		assert.Equal(t, calls, ok)
		assert.Equal(t, 2499, retried, "12,499 attempts: 10,000 successes and 2,499 failures, each retried once")
	})
	tests := []struct {
		name     string
		max      int
		errs     []error
		wantRes  int
		wantErr  error
		attempts int
	}{
		{"a success is not retried", 3, nil, 10, nil, 1},
		{"a failure is retried until it succeeds", 3, []error{errFlaky, errFlaky}, 10, nil, 3},
		{"the last failure is returned when attempts run out", 3, []error{errFlaky, errFlaky, errFlaky}, -1, errFlaky, 3},
		{"one attempt means no retry", 1, []error{errFlaky}, -1, errFlaky, 1},
		{"context.Canceled is not retried", 3, []error{context.Canceled}, -1, context.Canceled, 1},
		{"service.ErrClosed is not retried", 3, []error{fmt.Errorf("x: %w", service.ErrClosed)}, -1, service.ErrClosed, 1},
		{"service.ErrRejected is not retried", 3, []error{service.ErrRejected}, -1, service.ErrRejected, 1},
		{"service.ErrFailed is not retried", 3, []error{&service.FailedError{Err: errFlaky}}, -1, service.ErrFailed, 1},
		{"an attempt's deadline is retried", 3, []error{context.DeadlineExceeded}, 10, nil, 2},
		{"overload is retried", 3, []error{service.ErrOverloaded}, 10, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &script{errs: tt.errs}
			r, err := retry.New[int, int](in, policy(t, tt.max))
			require.NoError(t, err)
			res, err := r.Call(context.Background(), 1)
			assert.Equal(t, tt.wantRes, res)
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Len(t, in.reqs, tt.attempts)
		})
	}
	t.Run("events name each retry, with the time since the call started", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var events []service.Event
			in := &script{errs: []error{errFlaky, service.ErrOverloaded}}
			slow := service.Func[int, int](func(ctx context.Context, r int) (int, error) {
				time.Sleep(10 * time.Millisecond) // each attempt takes 10ms
				return in.Call(ctx, r)
			})
			r, err := retry.New[int, int](slow, policy(t, 3),
				retry.WithEvents(func(e service.Event) { events = append(events, e) }))
			require.NoError(t, err)
			_, err = r.Call(context.Background(), 1)
			require.NoError(t, err)
			assert.Equal(t, []service.Event{
				{Stage: "retry", Kind: service.EventRetried, Err: errFlaky, Attempt: 2, Elapsed: 10 * time.Millisecond},
				{Stage: "retry", Kind: service.EventRetried, Err: service.ErrOverloaded, Attempt: 3, Elapsed: 20 * time.Millisecond},
			}, events)
		})
	})
	t.Run("the caller's ended ctx stops retries", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		in := service.Func[int, int](func(context.Context, int) (int, error) {
			cancel()
			return 0, errFlaky
		})
		var attempts int
		r, err := retry.New[int, int](service.Func[int, int](func(ctx context.Context, req int) (int, error) {
			attempts++
			return in(ctx, req)
		}), policy(t, 5))
		require.NoError(t, err)
		_, err = r.Call(ctx, 1)
		assert.Same(t, errFlaky, err, "the attempt's own result is returned")
		assert.Equal(t, 1, attempts)
	})
	t.Run("every attempt gets a clone and the policy sees the original", func(t *testing.T) {
		type req struct{ body []byte }
		var got [][]byte
		var seen []string
		inner := service.Func[req, int](func(_ context.Context, r req) (int, error) {
			got = append(got, r.body)
			r.body[0] = 'X' // an attempt that consumes its request
			return 0, errFlaky
		})
		p, err := retry.NewPolicy[req, int](3)
		require.NoError(t, err)
		p, err = p.WithClone(func(r req) req { return req{body: append([]byte(nil), r.body...)} })
		require.NoError(t, err)
		spy := policyFunc[req, int]{p: p, seen: func(r req) { seen = append(seen, string(r.body)) }}
		r, err := retry.New[req, int](inner, spy)
		require.NoError(t, err)
		_, err = r.Call(context.Background(), req{body: []byte("abc")})
		assert.ErrorIs(t, err, errFlaky)
		require.Len(t, got, 3)
		for _, b := range got {
			assert.Equal(t, "Xbc", string(b))
		}
		assert.Equal(t, []string{"abc", "abc", "abc"}, seen)
	})
	t.Run("a policy may retry a response", func(t *testing.T) {
		n := 0
		inner := service.Func[int, int](func(context.Context, int) (int, error) { n++; return n, nil })
		p := retryBelow{3}
		r, err := retry.New[int, int](inner, p)
		require.NoError(t, err)
		res, err := r.Call(context.Background(), 0)
		require.NoError(t, err)
		assert.Equal(t, 3, res)
	})
	t.Run("readiness is the inner service's", func(t *testing.T) {
		r, err := retry.New[int, int](&notReady{}, policy(t, 3))
		require.NoError(t, err)
		assert.ErrorIs(t, r.TryReady(), service.ErrOverloaded)
		assert.ErrorIs(t, r.Ready(context.Background()), service.ErrClosed)
	})
}

// policyFunc wraps a policy and reports the requests Retry sees.
type policyFunc[Req, Res any] struct {
	p    retry.Policy[Req, Res]
	seen func(Req)
}

func (f policyFunc[Req, Res]) Retry(ctx context.Context, req Req, res Res, err error, attempt int) (time.Duration, bool) {
	f.seen(req)
	return f.p.Retry(ctx, req, res, err, attempt)
}

func (f policyFunc[Req, Res]) Clone(req Req) Req { return f.p.Clone(req) }

// retryBelow retries responses below a threshold.
type retryBelow struct{ min int }

func (p retryBelow) Retry(_ context.Context, _ int, res int, err error, attempt int) (time.Duration, bool) {
	return 0, err == nil && res < p.min && attempt < 10
}

func (retryBelow) Clone(r int) int { return r }

type notReady struct{ service.Func[int, int] }

func (*notReady) Ready(context.Context) error { return service.ErrClosed }
func (*notReady) TryReady() error             { return service.ErrOverloaded }

func TestBackoffWaits(t *testing.T) {
	t.Run("retries wait the backoff between attempts", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var at []time.Duration
			start := time.Now()
			inner := service.Func[int, int](func(context.Context, int) (int, error) {
				at = append(at, time.Since(start))
				return 0, errFlaky
			})
			b, err := retry.NewBackoff(100*time.Millisecond, 100*time.Millisecond, 1)
			require.NoError(t, err)
			r, err := retry.New[int, int](inner, policy(t, 4, retry.WithBackoff(b)))
			require.NoError(t, err)
			_, err = r.Call(context.Background(), 1)
			assert.ErrorIs(t, err, errFlaky)
			assert.Equal(t, []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}, at)
		})
	})
	t.Run("a ctx canceled during a backoff wait returns at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b, err := retry.NewBackoff(time.Hour, time.Hour, 1)
			require.NoError(t, err)
			var attempts atomic.Int32
			r, err := retry.New[int, int](service.Func[int, int](func(context.Context, int) (int, error) {
				attempts.Add(1)
				return 0, errFlaky
			}), policy(t, 3, retry.WithBackoff(b)))
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(time.Second, cancel)
			start := time.Now()
			_, err = r.Call(ctx, 1)
			assert.Equal(t, time.Second, time.Since(start))
			assert.Same(t, context.Canceled, err)
			assert.EqualValues(t, 1, attempts.Load())
		})
	})
	t.Run("a ctx deadline during a backoff wait returns at the deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			b, err := retry.NewBackoff(time.Second, time.Second, 1)
			require.NoError(t, err)
			r, err := retry.New[int, int](service.Func[int, int](func(context.Context, int) (int, error) {
				return 0, errFlaky
			}), policy(t, 10, retry.WithBackoff(b)))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err = r.Call(ctx, 1)
			assert.Equal(t, 2500*time.Millisecond, time.Since(start))
			assert.Equal(t, context.DeadlineExceeded, err)
		})
	})
}

func TestConcurrentCalls(t *testing.T) {
	p, err := retry.NewPolicy[uint64, uint64](3)
	require.NoError(t, err)
	budget, err := retry.NewBudget(10*time.Second, 10, 1)
	require.NoError(t, err)
	var tried sync.Map // requests whose first attempt failed
	inner := service.Func[uint64, uint64](func(_ context.Context, req uint64) (uint64, error) {
		if _, again := tried.LoadOrStore(req, true); !again && req%5 == 0 {
			return 0, errFlaky
		}
		return req + 1, nil
	})
	var retried atomic.Int64
	r, err := retry.New[uint64, uint64](inner, p, retry.WithBudget(budget), retry.WithEvents(func(e service.Event) {
		if e.Kind == service.EventRetried {
			retried.Add(1)
		}
	}))
	require.NoError(t, err)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := range uint64(8) {
		wg.Go(func() {
			for i := range uint64(500) {
				req := g*1000 + i
				if res, err := r.Call(context.Background(), req); err == nil && res == req+1 {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 8*500, ok.Load())
	assert.EqualValues(t, 8*100, retried.Load())
}
