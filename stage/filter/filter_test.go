package filter_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/filter"
)

var errOdd = errors.New("odd")

// reasonError is a predicate error that carries data, to check errors.As.
type reasonError struct{ n int }

func (e *reasonError) Error() string { return fmt.Sprintf("bad request %d", e.n) }

func evenOnly(n int) error {
	if n%2 != 0 {
		return errOdd
	}
	return nil
}

// counter is a synchronous inner service that counts its calls.
type counter struct {
	calls atomic.Int32
	last  atomic.Int64
	err   error
}

func (c *counter) Call(_ context.Context, n int) (int, error) {
	c.calls.Add(1)
	c.last.Store(int64(n))
	return n * 10, c.err
}

// readyOnly hides the mock's TryCall: readiness without a non-blocking call.
type readyOnly struct{ m *servicetest.Mock[int, int] }

func (r readyOnly) Call(ctx context.Context, n int) (int, error) { return r.m.Call(ctx, n) }
func (r readyOnly) Ready(ctx context.Context) error              { return r.m.Ready(ctx) }
func (r readyOnly) TryReady() error                              { return r.m.TryReady() }

// filters lists every form of filter with the same rule (even requests pass), so
// that the shared contract is checked for each.
func filters(opts ...filter.Option) map[string]service.Layer[int, int] {
	return map[string]service.Layer[int, int]{
		"sync":  filter.Layer[int, int](evenOnly, opts...),
		"async": filter.AsyncLayer[int, int](func(_ context.Context, n int) error { return evenOnly(n) }, opts...),
		"transform": filter.TransformLayer[int, int](func(n int) (int, error) {
			return n, evenOnly(n)
		}, opts...),
		"async transform": filter.AsyncTransformLayer[int, int](func(_ context.Context, n int) (int, error) {
			return n, evenOnly(n)
		}, opts...),
	}
}

func TestEveryFilter(t *testing.T) {
	ctx := context.Background()
	for name := range filters() {
		t.Run(name, func(t *testing.T) {
			t.Run("accepted requests reach the inner service", func(t *testing.T) {
				c := &counter{}
				svc, err := filters()[name](new(service.Scope), c)
				require.NoError(t, err)
				res, err := svc.Call(ctx, 4)
				require.NoError(t, err)
				assert.Equal(t, 40, res)
				assert.Equal(t, int32(1), c.calls.Load())
			})

			t.Run("rejected requests get a RejectedError and never reach the inner service", func(t *testing.T) {
				c := &counter{}
				var events []service.Event
				svc, err := filters(filter.WithEvents(func(e service.Event) { events = append(events, e) }))[name](new(service.Scope), c)
				require.NoError(t, err)
				res, err := svc.Call(ctx, 3)
				assert.Zero(t, res)
				assert.ErrorIs(t, err, filter.ErrRejected)
				assert.ErrorIs(t, err, service.ErrRejected)
				assert.ErrorIs(t, err, errOdd, "the predicate's reason is still there")
				assert.False(t, errors.Is(err, service.ErrOverloaded))
				var rej *filter.RejectedError
				require.ErrorAs(t, err, &rej)
				assert.Same(t, errOdd, rej.Err)
				assert.EqualError(t, err, "filter: rejected: odd")
				assert.Zero(t, c.calls.Load())

				_, err = service.TryCall(ctx, svc, 5)
				assert.ErrorIs(t, err, filter.ErrRejected)
				assert.Zero(t, c.calls.Load())

				require.Len(t, events, 2, "one event per rejection")
				assert.Equal(t, service.Event{Stage: "filter", Kind: service.EventRejected, Err: errOdd}, events[0])
			})

			t.Run("accepted calls emit no event", func(t *testing.T) {
				var events atomic.Int32
				svc, err := filters(filter.WithEvents(func(service.Event) { events.Add(1) }))[name](new(service.Scope), &counter{})
				require.NoError(t, err)
				_, err = svc.Call(ctx, 2)
				require.NoError(t, err)
				assert.Zero(t, events.Load())
			})

			t.Run("inner errors pass through unchanged", func(t *testing.T) {
				boom := errors.New("boom")
				svc, err := filters()[name](new(service.Scope), &counter{err: boom})
				require.NoError(t, err)
				_, err = svc.Call(ctx, 2)
				assert.Same(t, boom, err)
			})

			t.Run("readiness is the inner service's", func(t *testing.T) {
				m, h := servicetest.New[int, int]()
				defer h.Close()
				svc, err := filters()[name](new(service.Scope), m)
				require.NoError(t, err)
				require.NoError(t, service.TryReady(svc))
				h.Allow(0)
				assert.ErrorIs(t, service.TryReady(svc), servicetest.ErrNotReady)
				h.Fail(errOdd)
				assert.ErrorIs(t, service.Ready(ctx, svc), errOdd)
			})

			t.Run("TryCall checks first, then makes the inner non-blocking call", func(t *testing.T) {
				m, h := servicetest.New[int, int]()
				done := make(chan struct{})
				go func() { defer close(done); _ = h.Serve(ctx, func(n int) (int, error) { return n + 1, nil }) }()
				defer func() { h.Close(); <-done }()
				svc, err := filters()[name](new(service.Scope), m)
				require.NoError(t, err)

				h.Allow(0)
				_, err = service.TryCall(ctx, svc, 3)
				assert.ErrorIs(t, err, filter.ErrRejected, "a rejected request does not ask for capacity")
				_, err = service.TryCall(ctx, svc, 2)
				assert.ErrorIs(t, err, servicetest.ErrNotReady)
				assert.False(t, errors.Is(err, service.ErrRejected))
				h.Allow(1)
				res, err := service.TryCall(ctx, svc, 2)
				require.NoError(t, err)
				assert.Equal(t, 3, res)
				assert.Equal(t, []int{2}, h.Requests())
			})

			t.Run("TryCall asks TryReady of an inner service without TryCall", func(t *testing.T) {
				m, h := servicetest.New[int, int]()
				defer h.Close()
				svc, err := filters()[name](new(service.Scope), readyOnly{m})
				require.NoError(t, err)
				h.Allow(0)
				_, err = service.TryCall(ctx, svc, 2)
				assert.ErrorIs(t, err, servicetest.ErrNotReady)
				assert.Equal(t, 0, h.Calls())
			})

			t.Run("a nil inner service is rejected", func(t *testing.T) {
				svc, err := filters()[name](new(service.Scope), nil)
				assert.EqualError(t, err, "filter: inner service is nil")
				assert.True(t, svc == nil, "no typed nil in the interface")
			})
		})
	}
}

func TestNilPredicatesAndOptionsAreRejected(t *testing.T) {
	c := &counter{}
	_, err := filter.New[int, int](c, nil)
	assert.EqualError(t, err, "filter: predicate is nil")
	_, err = filter.NewAsync[int, int](c, nil)
	assert.EqualError(t, err, "filter: predicate is nil")
	_, err = filter.NewTransform[int, int](c, nil)
	assert.EqualError(t, err, "filter: predicate is nil")
	_, err = filter.NewAsyncTransform[int, int](c, nil)
	assert.EqualError(t, err, "filter: predicate is nil")
	_, err = filter.New[int, int](c, evenOnly, nil)
	assert.EqualError(t, err, "filter: option is nil")
	svc, err := filter.Layer[int, int](nil)(new(service.Scope), c)
	assert.Error(t, err)
	assert.True(t, svc == nil)
}

func TestPredicateErrorsKeepTheirData(t *testing.T) {
	f, err := filter.New[int, int](&counter{}, func(n int) error { return &reasonError{n} })
	require.NoError(t, err)
	_, err = f.Call(context.Background(), 7)
	var re *reasonError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 7, re.n)
	assert.EqualError(t, err, "filter: rejected: bad request 7")
}

func TestTransformRewritesTheRequest(t *testing.T) {
	ctx := context.Background()
	c := &counter{}
	f, err := filter.NewTransform[int, int](c, func(n int) (int, error) {
		if n < 0 {
			return 0, errors.New("negative")
		}
		return n + 100, nil
	})
	require.NoError(t, err)
	res, err := f.Call(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, int64(101), c.last.Load())
	assert.Equal(t, 1010, res)
	res, err = f.TryCall(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, 1020, res)
	_, err = f.Call(ctx, -1)
	assert.EqualError(t, err, "filter: rejected: negative")
	assert.Same(t, c, f.Unwrap())
}

type userKey struct{}

// An async predicate can block, as an auth lookup does, and gets the caller's ctx.
func TestAsyncPredicateBlocksHonouringCtx(t *testing.T) {
	lookup := func(ctx context.Context, user string) (string, error) {
		select {
		case <-time.After(10 * time.Millisecond): // the lookup's latency
		case <-ctx.Done():
			return "", fmt.Errorf("auth lookup: %w", ctx.Err())
		}
		if ctx.Value(userKey{}) != "root" && user != "alice" {
			return "", fmt.Errorf("unknown user %q", user)
		}
		return "user:" + user, nil
	}

	t.Run("a slow accept waits for the predicate", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := service.Func[string, string](func(_ context.Context, s string) (string, error) { return s, nil })
			f, err := filter.NewAsyncTransform[string, string](inner, lookup)
			require.NoError(t, err)
			start := time.Now()
			res, err := f.Call(context.Background(), "alice")
			require.NoError(t, err)
			assert.Equal(t, "user:alice", res)
			assert.Equal(t, 10*time.Millisecond, time.Since(start))

			_, err = f.Call(context.Background(), "mallory")
			assert.EqualError(t, err, `filter: rejected: unknown user "mallory"`)
			res, err = f.Call(context.WithValue(context.Background(), userKey{}, "root"), "mallory")
			require.NoError(t, err, "the predicate sees the caller's ctx")
			assert.Equal(t, "user:mallory", res)
		})
	})

	t.Run("a caller whose ctx ends gets the cancellation, not a rejection", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var events atomic.Int32
			c := service.Func[string, string](func(_ context.Context, s string) (string, error) { return s, nil })
			f, err := filter.NewAsyncTransform[string, string](c, lookup, filter.WithEvents(func(service.Event) { events.Add(1) }))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err = f.Call(ctx, "alice")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.False(t, errors.Is(err, service.ErrRejected))
			assert.EqualError(t, err, "auth lookup: context deadline exceeded")
			assert.Equal(t, 5*time.Millisecond, time.Since(start), "the call ended with ctx, not with the lookup")
			assert.Zero(t, events.Load())
		})
	})

	t.Run("the predicate's own timeout is a rejection", func(t *testing.T) {
		f, err := filter.NewAsync[int, int](&counter{}, func(context.Context, int) error { return context.DeadlineExceeded })
		require.NoError(t, err)
		_, err = f.Call(context.Background(), 2)
		assert.ErrorIs(t, err, filter.ErrRejected)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

func TestFilterIsSafeForConcurrentUse(t *testing.T) {
	c := &counter{}
	var rejected atomic.Int32
	f, err := filter.New[int, int](c, evenOnly, filter.WithEvents(func(service.Event) { rejected.Add(1) }))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				_, _ = f.Call(context.Background(), g*100+i)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(400), c.calls.Load())
	assert.Equal(t, int32(400), rejected.Load())
}

func TestFiltersComposed(t *testing.T) {
	ctx := context.Background()
	echo := service.Func[string, string](func(_ context.Context, s string) (string, error) { return s, nil })
	sc := new(service.Scope)
	lower, err := service.Apply(filter.TransformLayer[string, string](func(s string) (string, error) { return strings.ToLower(s), nil }), sc, service.Service[string, string](echo))
	require.NoError(t, err)
	st, err := service.Apply(filter.Layer[string, string](func(s string) error {
		if s == "" {
			return errors.New("empty")
		}
		return nil
	}), sc, lower)
	require.NoError(t, err)
	res, err := st.Call(ctx, "HeLLo")
	require.NoError(t, err)
	assert.Equal(t, "hello", res)
	_, err = st.Call(ctx, "")
	assert.ErrorIs(t, err, service.ErrRejected)
}
