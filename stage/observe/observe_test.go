package observe_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/observe"
)

func TestForwardsEveryAbility(t *testing.T) {
	servicetest.CheckLayer(t, observe.Layer[int, int](func(observe.Outcome) {}), 1)
}

func TestReportsElapsedAndError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		slow := service.Func[int, int](func(ctx context.Context, n int) (int, error) {
			time.Sleep(time.Duration(n) * time.Millisecond)
			if n > 5 {
				return 0, boom
			}
			return n, nil
		})
		var mu sync.Mutex
		var got []observe.Outcome
		s, err := observe.New[int, int](slow, func(o observe.Outcome) {
			mu.Lock()
			got = append(got, o)
			mu.Unlock()
		})
		require.NoError(t, err)
		_, err = s.Call(t.Context(), 3)
		require.NoError(t, err)
		_, err = s.TryCall(t.Context(), 7)
		require.ErrorIs(t, err, boom)
		require.Len(t, got, 2)
		assert.Equal(t, observe.Outcome{Elapsed: 3 * time.Millisecond}, got[0])
		assert.Equal(t, observe.Outcome{Elapsed: 7 * time.Millisecond, Err: boom, Try: true}, got[1])
	})
}

func TestRefusalsAreReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mock, h := servicetest.New[int, int]()
		defer h.Close()
		h.Allow(0)
		var last observe.Outcome
		s, err := observe.New[int, int](mock, func(o observe.Outcome) { last = o })
		require.NoError(t, err)
		_, err = s.TryCall(t.Context(), 1)
		require.ErrorIs(t, err, service.ErrOverloaded)
		assert.ErrorIs(t, last.Err, service.ErrOverloaded)
		assert.True(t, last.Try)
		assert.Zero(t, last.Elapsed)
	})
}

func TestBadInput(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, n int) (int, error) { return n, nil })
	_, err := observe.New[int, int](echo, nil)
	assert.ErrorContains(t, err, "observe: hook is nil")
	_, err = observe.New[int, int](nil, func(observe.Outcome) {})
	assert.ErrorIs(t, err, service.ErrNilService)
	_, err = observe.New[int, int](service.Func[int, int](nil), func(observe.Outcome) {})
	assert.ErrorIs(t, err, service.ErrNilService)
	_, err = service.Apply(observe.Layer[int, int](nil), new(service.Scope), echo)
	assert.Error(t, err)
}

func BenchmarkObserve(b *testing.B) {
	echo := service.Func[int, int](func(_ context.Context, n int) (int, error) { return n, nil })
	s, err := observe.New[int, int](echo, func(observe.Outcome) {})
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = s.Call(ctx, 1)
	}
}

func Example() {
	echo := service.Func[string, string](func(_ context.Context, s string) (string, error) {
		if s == "" {
			return "", errors.New("empty")
		}
		return s, nil
	})
	var calls, failures int
	s, err := observe.New[string, string](echo, func(o observe.Outcome) {
		calls++
		if o.Err != nil {
			failures++
		}
	})
	if err != nil {
		panic(err)
	}
	_, _ = s.Call(context.Background(), "a")
	_, _ = s.Call(context.Background(), "")
	fmt.Println(calls, "calls,", failures, "failed")
	// Output:
	// 2 calls, 1 failed
}
