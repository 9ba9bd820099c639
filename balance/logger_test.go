package balance_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/balance"
	"github.com/tower-go/tower/balance/discover"
)

// lockedBuffer is a buffer written by the balancer's goroutines and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

func TestWithLogger(t *testing.T) {
	var out lockedBuffer
	l := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	src := newSource(t)
	b := newBalancer(t, src, balance.WithLogger(l))

	src.insert("a", discover.Endpoint[int, int]{Service: answer(1)})
	src.insert("b", discover.Endpoint[int, int]{Service: answer(2)})
	waitKeys(t, b, "a", "b")
	src.remove("b")
	waitKeys(t, b, "a")
	src.insert("a", discover.Endpoint[int, int]{Service: answer(3)})
	require.Eventually(t, func() bool { v, _ := b.Call(t.Context(), 0); return v == 3 }, 5*time.Second, time.Millisecond)

	dead := spawn(t, answer(4), 4, 1)
	require.NoError(t, dead.a.Stop(context.Background()))
	src.insert("dead", dead.ep)
	waitKeys(t, b, "a", "dead")
	require.EventuallyWithT(t, func(c *assert.CollectT) { // picks find it stopped and evict it
		_, _ = b.Call(t.Context(), 0)
		assert.ElementsMatch(c, []string{"a"}, b.Keys())
	}, 5*time.Second, time.Millisecond)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		lines := out.lines()
		if !assert.Len(c, lines, 6) {
			return
		}
		assert.Equal(c, []string{
			`level=INFO msg="endpoint added" stage=balance endpoint=a`,
			`level=INFO msg="endpoint added" stage=balance endpoint=b`,
			`level=INFO msg="endpoint removed" stage=balance endpoint=b`,
			`level=INFO msg="endpoint replaced" stage=balance endpoint=a`,
			`level=INFO msg="endpoint added" stage=balance endpoint=dead`,
		}, lines[:5])
		assert.True(c, strings.HasPrefix(lines[5], `level=WARN msg="endpoint evicted" stage=balance endpoint=dead err=`), lines[5])
	}, 5*time.Second, time.Millisecond)
}
