package breaker_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/stage/breaker"
	"github.com/tower-go/tower/stage/buffer"
)

func TestBehindBuffer(t *testing.T) {
	t.Run("a buffer in front of an open breaker waits out the open timeout instead of failing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			inner := &scripted{err: errBoom}
			b := mustNew(t, inner, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(time.Minute))
			buf, err := buffer.New[int, int](b, 8)
			require.NoError(t, err)
			defer func() { require.NoError(t, buf.Stop(context.Background())) }()

			_, err = buf.Call(t.Context(), 1)
			require.ErrorIs(t, err, errBoom)
			require.Equal(t, breaker.Open, b.State())

			inner.set(nil)
			start := time.Now()
			got, err := buf.Call(t.Context(), 2)
			require.NoError(t, err, "the buffer's worker waited in Ready, so the buffer did not fail")
			assert.Equal(t, 2, got)
			assert.Equal(t, time.Minute, time.Since(start))
			assert.Equal(t, breaker.Closed, b.State())
		})
	})
}
