package stage_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage"
)

func TestStagesComposeInAPipeline(t *testing.T) {
	ctx := context.Background()
	m, h := served(t, func(x uint64) (uint64, error) {
		if x == 13 {
			return 0, errBoom
		}
		return x + 1, nil
	})
	var optional service.Layer[uint64, uint64] // left out by configuration
	sc := new(service.Scope)
	defer func() { require.NoError(t, sc.Stop(ctx)) }()
	st, err := stack(sc, service.Service[uint64, uint64](m),
		stage.Box[uint64, uint64](),
		stage.MapErr[uint64, uint64](func(err error) error { return fmt.Errorf("echo: %w", err) }),
		stage.MapRequest[uint64, uint64](func(x uint64) uint64 { return x * 2 }),
		stage.Optional(optional),
		stage.If(func(x uint64) bool { return x > 100 }, stage.MapResponse[uint64](func(x uint64) uint64 { return 0 })),
		stage.MapRequest[uint64, uint64](func(x uint64) uint64 { return x + 1 }),
		stage.AndThen[uint64](func(_ context.Context, x uint64) (uint64, error) { return x * 1000, nil }),
	)
	require.NoError(t, err)

	// 5 -> *2 = 10 -> not > 100 -> +1 = 11 -> echo 12 -> *1000
	res, err := st.Call(ctx, 5)
	require.NoError(t, err)
	assert.Equal(t, uint64(12000), res)

	// 60 -> 120 -> > 100: through MapResponse(0) -> 121 -> 122 -> *1000 -> 0
	res, err = st.Call(ctx, 60)
	require.NoError(t, err)
	assert.Zero(t, res)

	// 6 -> 12 -> 13 -> boom, wrapped by MapErr, AndThen skipped
	_, err = st.Call(ctx, 6)
	assert.ErrorIs(t, err, errBoom)
	assert.EqualError(t, err, "echo: boom")

	// The stack is as ready as the mock, and TryCall reaches the mock's TryCall.
	h.Allow(0)
	assert.ErrorIs(t, service.TryReady(st), service.ErrOverloaded)
	_, err = service.TryCall(ctx, st, 5)
	assert.ErrorIs(t, err, servicetest.ErrNotReady)
	assert.EqualError(t, err, "echo: servicetest: not ready")
	h.Allow(1)
	res, err = service.TryCall(ctx, st, 5)
	require.NoError(t, err)
	assert.Equal(t, uint64(12000), res)
	assert.Equal(t, []uint64{11, 121, 13, 11}, h.Requests())
}

func TestTypeChangingStagesWrapAPipeline(t *testing.T) {
	ctx := context.Background()
	st, err := apply(t, stage.MapResponse[uint64](func(x uint64) uint64 { return x * 2 }), service.Service[uint64, uint64](echo))
	require.NoError(t, err)
	parse, err := stage.MapRequestTo(st, func(s string) uint64 {
		n, _ := strconv.ParseUint(s, 10, 64)
		return n
	})
	require.NoError(t, err)
	format, err := stage.MapResponseTo(parse, func(x uint64) string { return strconv.FormatUint(x, 10) })
	require.NoError(t, err)
	res, err := format.Call(ctx, "20")
	require.NoError(t, err)
	assert.Equal(t, "42", res)
}

// A layer that starts a goroutine (a buffer-like hop) inside If's branch hands it
// to the scope If is built in, and the scope's Stop ends it: goleak (TestMain)
// fails the package if it leaks.
func TestIfOverABoundaryIsStoppedWithTheScope(t *testing.T) {
	ctx := context.Background()
	var h *hop
	sc := new(service.Scope)
	st, err := stack(sc, service.Service[uint64, uint64](echo),
		stage.MapRequest[uint64, uint64](same),
		stage.If(func(x uint64) bool { return x%2 == 0 }, hopLayer(&h)),
	)
	require.NoError(t, err)
	require.NotNil(t, h)
	assert.Equal(t, 1, sc.Len(), "the branch's goroutine is owned by the pipeline's scope")
	_, isStopper := st.(service.Stopper)
	assert.False(t, isStopper, "no stage is probed for Stop")
	for x := range uint64(6) {
		res, err := st.Call(ctx, x)
		require.NoError(t, err)
		assert.Equal(t, x+1, res)
	}

	require.NoError(t, sc.Stop(ctx))
	assert.Equal(t, int32(1), h.stopped.Load(), "the scope stopped the branch's goroutine")
	select {
	case <-h.done:
	default:
		t.Fatal("the branch's goroutine is still running after the scope's Stop")
	}
	_, err = st.Call(ctx, 2)
	assert.ErrorIs(t, err, service.ErrClosed, "the branch is stopped")
	res, err := st.Call(ctx, 3)
	require.NoError(t, err, "the direct branch never had a boundary")
	assert.Equal(t, uint64(4), res)
}
