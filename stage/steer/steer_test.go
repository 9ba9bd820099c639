package steer_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/steer"
)

// byValue routes request r to service r mod n (negative r picks out of range).
func byValue(r, n int) int {
	if r < 0 {
		return r
	}
	return r % n
}

func mocks(t *testing.T, n int) ([]service.Service[int, int], []*servicetest.Handle[int, int]) {
	t.Helper()
	svcs := make([]service.Service[int, int], n)
	hs := make([]*servicetest.Handle[int, int], n)
	for i := range n {
		m, h := servicetest.New[int, int]()
		t.Cleanup(h.Close)
		svcs[i], hs[i] = m, h
	}
	return svcs, hs
}

// serve answers every call on h with 100*id + request until the test ends.
func serve(t *testing.T, h *servicetest.Handle[int, int], id int) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Serve(ctx, func(r int) (int, error) { return 100*id + r, nil })
	}()
	t.Cleanup(func() { cancel(); <-done })
}

func TestNewRejectsBadInput(t *testing.T) {
	svcs, _ := mocks(t, 2)
	for _, tc := range []struct {
		name string
		pick steer.Picker[int]
		svcs []service.Service[int, int]
		want string
	}{
		{"a nil picker", nil, svcs, "steer: nil picker"},
		{"no services", byValue, nil, "steer: no services"},
		{"an empty list of services", byValue, []service.Service[int, int]{}, "steer: no services"},
		{"a nil service", byValue, []service.Service[int, int]{svcs[0], nil}, "steer: services[1] (of 2): service is nil"},
		{"a typed nil service", byValue, []service.Service[int, int]{(*servicetest.Mock[int, int])(nil), svcs[1]}, "steer: services[0] (of 2): service is nil"},
		{"a nil service.Func", byValue, []service.Service[int, int]{svcs[0], service.Func[int, int](nil)}, "steer: services[1] (of 2): service is nil"},
	} {
		t.Run(tc.name+" is an error", func(t *testing.T) {
			s, err := steer.New(tc.pick, tc.svcs...)
			require.EqualError(t, err, tc.want)
			assert.Nil(t, s)
			if strings.Contains(tc.want, "service is nil") {
				assert.ErrorIs(t, err, service.ErrNilService)
			}
		})
	}
}

func TestRoutesByThePicker(t *testing.T) {
	svcs, hs := mocks(t, 3)
	for i, h := range hs {
		serve(t, h, i)
	}
	s, err := steer.New(byValue, svcs...)
	require.NoError(t, err)
	require.Equal(t, 3, s.Len())
	for r := range 7 {
		res, err := s.Call(t.Context(), r)
		require.NoError(t, err)
		assert.Equal(t, 100*(r%3)+r, res, "request %d", r)
		res, err = s.TryCall(t.Context(), r)
		require.NoError(t, err)
		assert.Equal(t, 100*(r%3)+r, res, "request %d", r)
	}
	assert.Equal(t, []int{0, 0, 3, 3, 6, 6}, hs[0].Requests())
	assert.Equal(t, []int{1, 1, 4, 4}, hs[1].Requests())
	assert.Equal(t, []int{2, 2, 5, 5}, hs[2].Requests())
	assert.Same(t, svcs[1], s.Service(1))
}

func TestBadPick(t *testing.T) {
	svcs, hs := mocks(t, 2)
	s, err := steer.New(func(r, _ int) int { return r }, svcs...)
	require.NoError(t, err)
	for _, pick := range []int{-1, 2, 99, math.MaxInt, math.MinInt} {
		_, err := s.Call(t.Context(), pick)
		require.ErrorIs(t, err, steer.ErrBadPick)
		assert.EqualError(t, err, "steer: picker returned an index out of range: "+strconv.Itoa(pick)+", with 2 services")
		_, err = s.TryCall(t.Context(), pick)
		require.ErrorIs(t, err, steer.ErrBadPick)
	}
	assert.Zero(t, hs[0].Calls()+hs[1].Calls(), "no service was called")
}

func TestNoHeadOfLineBlocking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svcs, hs := mocks(t, 2)
		hs[0].Allow(0) // service 0 is not ready
		serve(t, hs[1], 1)
		s, err := steer.New(byValue, svcs...)
		require.NoError(t, err)

		require.NoError(t, service.Ready(t.Context(), service.Service[int, int](s)), "the steer itself is always ready")
		res, err := s.Call(t.Context(), 1)
		require.NoError(t, err, "a call for a ready service is not held back by a slow one")
		assert.Equal(t, 101, res)

		_, err = s.TryCall(t.Context(), 0)
		assert.ErrorIs(t, err, service.ErrOverloaded, "TryCall fails at once for the service that is not ready")

		done := make(chan error, 1)
		go func() {
			res, err := s.Call(t.Context(), 2)
			if err == nil && res != 2 {
				err = errors.New("wrong answer")
			}
			done <- err
		}()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("the call for the service that is not ready returned: %v", err)
		default:
		}
		assert.Zero(t, hs[0].Calls(), "it waits for that service's readiness")
		res, err = s.Call(t.Context(), 3)
		require.NoError(t, err, "meanwhile the other service still serves")
		assert.Equal(t, 103, res)

		hs[0].Allow(1)
		synctest.Wait()
		r := next(t, hs[0])
		require.NoError(t, r.Respond(2))
		require.NoError(t, <-done)
	})
}

func next(t *testing.T, h *servicetest.Handle[int, int]) *servicetest.Request[int, int] {
	t.Helper()
	r, ok := h.TryNext()
	require.True(t, ok, "no request reached the service")
	return r
}

func TestCancellationWhileWaitingForReadiness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svcs, hs := mocks(t, 2)
		hs[1].Allow(0)
		s, err := steer.New(byValue, svcs...)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, err := s.Call(ctx, 1)
			done <- err
		}()
		synctest.Wait()
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
		assert.Zero(t, hs[1].Calls())
	})
}

func TestReadinessFailureOfTheRoutedService(t *testing.T) {
	svcs, hs := mocks(t, 2)
	serve(t, hs[0], 0)
	boom := errors.New("connection refused")
	hs[1].Fail(boom)
	s, err := steer.New(byValue, svcs...)
	require.NoError(t, err)
	_, err = s.Call(t.Context(), 1)
	assert.ErrorIs(t, err, boom)
	_, err = s.TryCall(t.Context(), 1)
	assert.ErrorIs(t, err, boom)
	res, err := s.Call(t.Context(), 0)
	require.NoError(t, err, "the other service is unaffected")
	assert.Equal(t, 0, res)
}
