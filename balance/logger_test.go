package balance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/balance"
	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/service/servicetest"
)

func TestWithLogger(t *testing.T) {
	var out servicetest.Logs
	src := newSource(t)
	b := newBalancer(t, src, balance.WithLogger(out.Logger()))

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
		lines := out.Lines()
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
