package fallback_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/stage/buffer"
	"github.com/tower-go/tower/stage/fallback"
)

func TestBehindBuffer(t *testing.T) {
	f, err := fallback.New[int, int](broken{}, func(_ context.Context, x int, err error) (int, error) {
		return -x, nil
	})
	require.NoError(t, err)
	require.NoError(t, f.Ready(context.Background()), "the function answers, so the stage is ready")
	require.NoError(t, f.TryReady())

	// A buffer in front must not fail with the inner service.
	b, err := buffer.New[int, int](f, 4)
	require.NoError(t, err)
	defer b.Stop(context.Background())
	for i := 1; i <= 3; i++ {
		v, err := b.Call(context.Background(), i)
		require.NoError(t, err)
		assert.Equal(t, -i, v)
	}
}
