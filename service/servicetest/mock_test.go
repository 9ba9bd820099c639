package servicetest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

type result struct {
	res int
	err error
}

// call runs mock.Call on a new goroutine and returns the channel its result comes on.
func call(ctx context.Context, m *servicetest.Mock[int, int], req int) <-chan result {
	ch := make(chan result, 1)
	go func() {
		res, err := m.Call(ctx, req)
		ch <- result{res, err}
	}()
	return ch
}

func TestCallIsAnsweredByTheHandle(t *testing.T) {
	t.Run("Respond gives the caller the response", func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		got := call(t.Context(), mock, 7)
		r, err := h.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 7, r.Req)
		assert.Equal(t, 1, h.Pending())
		require.NoError(t, r.Respond(70))
		assert.Equal(t, result{70, nil}, <-got)
		assert.Equal(t, 0, h.Pending())
		assert.Equal(t, 1, h.Calls())
	})
	t.Run("Error gives the caller the error", func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		boom := errors.New("boom")
		got := call(t.Context(), mock, 7)
		r, err := h.Next(t.Context())
		require.NoError(t, err)
		require.NoError(t, r.Error(boom))
		res := <-got
		assert.ErrorIs(t, res.err, boom)
		assert.Zero(t, res.res)
	})
	t.Run("the request carries the caller's context", func(t *testing.T) {
		type key struct{}
		mock, h := servicetest.New[int, int]()
		ctx := context.WithValue(t.Context(), key{}, "v")
		got := call(ctx, mock, 1)
		r, err := h.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "v", r.Ctx.Value(key{}))
		require.NoError(t, r.Respond(1))
		<-got
	})
}

func TestRequestsComeOutInArrivalOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		var results []<-chan result
		for i := range 5 {
			results = append(results, call(t.Context(), mock, i))
			synctest.Wait() // call i is accepted before call i+1 starts
		}
		assert.Equal(t, []int{0, 1, 2, 3, 4}, h.Requests())
		assert.Equal(t, 5, h.Calls())
		assert.Equal(t, 5, h.Pending())
		for i := range 5 {
			r, ok := h.TryNext()
			require.True(t, ok)
			assert.Equal(t, i, r.Req)
			require.NoError(t, r.Respond(i*10))
		}
		_, ok := h.TryNext()
		assert.False(t, ok, "every request was taken")
		for i, ch := range results {
			assert.Equal(t, result{i * 10, nil}, <-ch)
		}
		assert.Equal(t, 0, h.Pending())
	})
}

func TestRequestsReturnsACopy(t *testing.T) {
	mock, h := servicetest.New[int, int]()
	got := call(t.Context(), mock, 1)
	r, err := h.Next(t.Context())
	require.NoError(t, err)
	reqs := h.Requests()
	reqs[0] = 99
	assert.Equal(t, []int{1}, h.Requests())
	require.NoError(t, r.Respond(0))
	<-got
}

func TestReadinessIsUnlimitedByDefault(t *testing.T) {
	mock, h := servicetest.New[int, int]()
	require.NoError(t, mock.TryReady())
	require.NoError(t, mock.Ready(t.Context()))
	var results []<-chan result
	for i := range 100 {
		results = append(results, call(t.Context(), mock, i))
	}
	for range 100 {
		r, err := h.Next(t.Context())
		require.NoError(t, err)
		require.NoError(t, r.Respond(r.Req))
	}
	for _, ch := range results {
		assert.NoError(t, (<-ch).err)
	}
	assert.NoError(t, mock.TryReady())
}

func TestAllowGatesReadiness(t *testing.T) {
	t.Run("with no permit TryReady and TryCall fail as overloaded and nothing is recorded", func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		h.Allow(0)
		err := mock.TryReady()
		assert.ErrorIs(t, err, servicetest.ErrNotReady)
		assert.ErrorIs(t, err, service.ErrOverloaded)
		_, err = mock.TryCall(t.Context(), 1)
		assert.ErrorIs(t, err, service.ErrOverloaded)
		_, err = service.TryCall[int, int](t.Context(), mock, 1)
		assert.ErrorIs(t, err, service.ErrOverloaded)
		assert.Equal(t, 0, h.Calls())
	})
	t.Run("Ready waits for a permit and Ready consumes none", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			h.Allow(0)
			ready := make(chan error, 2)
			for range 2 {
				go func() { ready <- mock.Ready(t.Context()) }()
			}
			synctest.Wait()
			require.Empty(t, ready, "Ready returned without a permit")
			h.Allow(1)
			synctest.Wait()
			require.NoError(t, <-ready)
			require.NoError(t, <-ready, "Ready consumes no permit, so both waiters see it")
			assert.NoError(t, mock.TryReady())
		})
	})
	t.Run("Ready gives up when its ctx ends", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			h.Allow(0)
			ctx, cancel := context.WithCancel(t.Context())
			ready := make(chan error, 1)
			go func() { ready <- mock.Ready(ctx) }()
			synctest.Wait()
			cancel()
			assert.ErrorIs(t, <-ready, context.Canceled)
		})
	})
	t.Run("each accepted call consumes one permit and Call waits for the next", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			h.Allow(2)
			a, b, c := call(t.Context(), mock, 1), call(t.Context(), mock, 2), call(t.Context(), mock, 3)
			synctest.Wait()
			assert.Equal(t, 2, h.Calls(), "two permits let two calls in")
			assert.ErrorIs(t, mock.TryReady(), servicetest.ErrNotReady)
			h.Allow(1)
			synctest.Wait()
			assert.Equal(t, 3, h.Calls())
			assert.ErrorIs(t, mock.TryReady(), servicetest.ErrNotReady, "the third call consumed the new permit")
			for range 3 {
				r, ok := h.TryNext()
				require.True(t, ok)
				require.NoError(t, r.Respond(r.Req))
			}
			got := []int{(<-a).res, (<-b).res, (<-c).res}
			assert.ElementsMatch(t, []int{1, 2, 3}, got)
		})
	})
	t.Run("a call waiting for a permit gives up when its ctx ends and is not recorded", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			h.Allow(0)
			ctx, cancel := context.WithCancel(t.Context())
			got := call(ctx, mock, 1)
			synctest.Wait()
			cancel()
			assert.ErrorIs(t, (<-got).err, context.Canceled)
			assert.Equal(t, 0, h.Calls())
			h.Allow(1)
			assert.NoError(t, mock.TryReady(), "the abandoned call consumed no permit")
		})
	})
	t.Run("TryCall takes a permit when there is one", func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		h.Allow(1)
		got := make(chan result, 1)
		go func() {
			res, err := mock.TryCall(t.Context(), 5)
			got <- result{res, err}
		}()
		r, err := h.Next(t.Context())
		require.NoError(t, err)
		require.NoError(t, r.Respond(50))
		assert.Equal(t, result{50, nil}, <-got)
		assert.ErrorIs(t, mock.TryReady(), servicetest.ErrNotReady)
	})
}

func TestFailMakesReadinessFailForGood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		boom := errors.New("connection lost")

		accepted := call(t.Context(), mock, 1)
		synctest.Wait()
		h.Allow(0)
		waitingReady := make(chan error, 1)
		go func() { waitingReady <- mock.Ready(t.Context()) }()
		waitingCall := call(t.Context(), mock, 2)
		synctest.Wait()

		h.Fail(boom)
		synctest.Wait()
		assert.ErrorIs(t, <-waitingReady, boom, "a waiting Ready is woken with the error")
		assert.ErrorIs(t, (<-waitingCall).err, boom, "a call waiting for a permit fails")
		assert.ErrorIs(t, mock.Ready(t.Context()), boom)
		assert.ErrorIs(t, mock.TryReady(), boom)
		h.Allow(5)
		assert.ErrorIs(t, mock.TryReady(), boom, "permits do not undo a failure")
		_, err := mock.Call(t.Context(), 3)
		assert.ErrorIs(t, err, boom)
		_, err = mock.TryCall(t.Context(), 3)
		assert.ErrorIs(t, err, boom)
		assert.Equal(t, 1, h.Calls(), "failed calls are not recorded")

		r, ok := h.TryNext()
		require.True(t, ok, "the call accepted before the failure is still there")
		require.NoError(t, r.Respond(10))
		assert.Equal(t, result{10, nil}, <-accepted)
	})
}

func TestCallerWhoseContextEndsGetsCtxErrAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		ctx, cancel := context.WithCancel(t.Context())
		got := call(ctx, mock, 1)
		synctest.Wait()
		cancel()
		synctest.Wait()
		select {
		case res := <-got:
			assert.ErrorIs(t, res.err, context.Canceled)
		default:
			t.Fatal("the caller did not return when its ctx ended")
		}

		r, ok := h.TryNext()
		require.True(t, ok, "the abandoned request stays with the handle")
		assert.ErrorIs(t, r.Ctx.Err(), context.Canceled)
		assert.Equal(t, 1, h.Pending())
		require.NoError(t, r.Respond(1), "a late answer is accepted and does not block")
		assert.Equal(t, 0, h.Pending())
	})
}

func TestCallWithEndedContextIsNotAccepted(t *testing.T) {
	mock, h := servicetest.New[int, int]()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := mock.Call(ctx, 1)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, h.Calls())
}

func TestAnswerIsGivenExactlyOnce(t *testing.T) {
	mock, h := servicetest.New[int, int]()
	got := call(t.Context(), mock, 1)
	r, err := h.Next(t.Context())
	require.NoError(t, err)
	require.NoError(t, r.Respond(1))
	assert.ErrorIs(t, r.Respond(2), servicetest.ErrAnswered)
	assert.ErrorIs(t, r.Error(errors.New("late")), servicetest.ErrAnswered)
	assert.Equal(t, result{1, nil}, <-got)
	assert.Equal(t, 0, h.Pending(), "a refused second answer does not change the count")
}

func TestMisusePanicsWithThePackagePrefix(t *testing.T) {
	_, h := servicetest.New[int, int]()
	assert.PanicsWithValue(t, "servicetest: Handle.Allow with a negative count", func() { h.Allow(-1) })
	assert.PanicsWithValue(t, "servicetest: Handle.Fail with a nil error", func() { h.Fail(nil) })

	mock, h := servicetest.New[int, int]()
	got := call(t.Context(), mock, 1)
	r, err := h.Next(t.Context())
	require.NoError(t, err)
	assert.PanicsWithValue(t, "servicetest: Request.Error with a nil error", func() { _ = r.Error(nil) })
	require.NoError(t, r.Respond(1), "the panic did not answer the request")
	<-got
}

func TestNext(t *testing.T) {
	t.Run("waits for a call", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			mock, h := servicetest.New[int, int]()
			next := make(chan *servicetest.Request[int, int], 1)
			go func() {
				r, err := h.Next(t.Context())
				assert.NoError(t, err)
				next <- r
			}()
			synctest.Wait()
			require.Empty(t, next)
			got := call(t.Context(), mock, 3)
			r := <-next
			assert.Equal(t, 3, r.Req)
			require.NoError(t, r.Respond(0))
			<-got
		})
	})
	t.Run("gives up when its ctx ends", func(t *testing.T) {
		_, h := servicetest.New[int, int]()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := h.Next(ctx)
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestCloseAnswersEverythingAndRefusesTheRest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		queued := call(t.Context(), mock, 1)
		taken := call(t.Context(), mock, 2)
		synctest.Wait()
		answered := call(t.Context(), mock, 3)
		synctest.Wait()
		r1, _ := h.TryNext()
		r2, _ := h.TryNext()
		r3, _ := h.TryNext()
		require.NotNil(t, r3)
		require.NoError(t, r3.Respond(30))
		_ = r1 // left in the handle unanswered, as r2
		h.Allow(0)
		permitWaiter := call(t.Context(), mock, 4)
		nextWaiter := make(chan error, 1)
		readyWaiter := make(chan error, 1)
		go func() { _, err := h.Next(t.Context()); nextWaiter <- err }()
		go func() { readyWaiter <- mock.Ready(t.Context()) }()
		synctest.Wait()

		h.Close()
		synctest.Wait()
		for _, ch := range []<-chan result{queued, taken, permitWaiter} {
			res := <-ch
			assert.ErrorIs(t, res.err, servicetest.ErrClosed)
			assert.ErrorIs(t, res.err, service.ErrClosed)
		}
		assert.Equal(t, result{30, nil}, <-answered, "an answered call keeps its answer")
		assert.ErrorIs(t, <-nextWaiter, servicetest.ErrClosed)
		assert.ErrorIs(t, <-readyWaiter, service.ErrClosed)
		assert.ErrorIs(t, r2.Respond(2), servicetest.ErrAnswered, "Close answered it")
		assert.Equal(t, 0, h.Pending())
		assert.Equal(t, 3, h.Calls())

		assert.ErrorIs(t, mock.TryReady(), service.ErrClosed)
		_, err := mock.Call(t.Context(), 5)
		assert.ErrorIs(t, err, service.ErrClosed)
		_, err = h.Next(t.Context())
		assert.ErrorIs(t, err, servicetest.ErrClosed)
		h.Fail(errors.New("after close"))
		assert.ErrorIs(t, mock.TryReady(), service.ErrClosed, "closed is final")
		h.Close() // idempotent
	})
}

func TestServe(t *testing.T) {
	t.Run("answers with the function and returns nil when closed", func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		boom := errors.New("odd")
		served := make(chan error, 1)
		go func() {
			served <- h.Serve(t.Context(), func(n int) (int, error) {
				if n%2 == 1 {
					return -1, boom
				}
				return n * 10, nil
			})
		}()
		res, err := mock.Call(t.Context(), 2)
		require.NoError(t, err)
		assert.Equal(t, 20, res)
		res, err = mock.Call(t.Context(), 3)
		assert.ErrorIs(t, err, boom)
		assert.Equal(t, -1, res, "the caller gets fn's result as it is")
		h.Close()
		assert.NoError(t, <-served)
	})
	t.Run("returns ctx.Err() when its ctx ends", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, h := servicetest.New[int, int]()
			ctx, cancel := context.WithCancel(t.Context())
			served := make(chan error, 1)
			go func() { served <- h.Serve(ctx, func(n int) (int, error) { return n, nil }) }()
			synctest.Wait()
			cancel()
			assert.ErrorIs(t, <-served, context.Canceled)
		})
	})
}

// Many callers, several Serve loops and a closer racing: run with -race.
func TestConcurrentUse(t *testing.T) {
	mock, h := servicetest.New[int, int]()
	const callers, perCaller = 8, 200
	var serving sync.WaitGroup
	for range 3 {
		serving.Go(func() {
			assert.NoError(t, h.Serve(t.Context(), func(n int) (int, error) { return n + 1, nil }))
		})
	}
	var calling sync.WaitGroup
	for c := range callers {
		calling.Go(func() {
			for i := range perCaller {
				req := c*perCaller + i
				var (
					res int
					err error
				)
				if i%2 == 0 {
					res, err = mock.Call(t.Context(), req)
				} else {
					res, err = service.Oneshot[int, int](t.Context(), mock, req)
				}
				if !assert.NoError(t, err) || !assert.Equal(t, req+1, res) {
					return
				}
				_ = h.Pending()
				_ = mock.TryReady()
			}
		})
	}
	calling.Wait()
	assert.Equal(t, callers*perCaller, h.Calls())
	assert.Equal(t, 0, h.Pending())
	reqs := h.Requests()
	seen := make(map[int]bool, len(reqs))
	for _, r := range reqs {
		seen[r] = true
	}
	assert.Len(t, seen, callers*perCaller, "every request recorded once")
	h.Close()
	serving.Wait()
}

func TestCloseRacingWithAnswers(t *testing.T) {
	for range 50 {
		mock, h := servicetest.New[int, int]()
		var wg sync.WaitGroup
		results := make(chan error, 20)
		for i := range 20 {
			wg.Go(func() {
				_, err := mock.Call(t.Context(), i)
				results <- err
			})
		}
		wg.Go(func() { _ = h.Serve(t.Context(), func(n int) (int, error) { return n, nil }) })
		h.Close()
		wg.Wait()
		close(results)
		for err := range results {
			if err != nil {
				assert.ErrorIs(t, err, servicetest.ErrClosed)
			}
		}
		assert.Equal(t, 0, h.Pending())
	}
}
