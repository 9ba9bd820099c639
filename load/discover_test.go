package load_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

func endpoints(t *testing.T, names ...string) *discover.Mapped[string, string, int, int] {
	t.Helper()
	var entries []discover.Entry[string, string]
	for _, n := range names {
		entries = append(entries, discover.Entry[string, string]{Key: n, Value: n + ".example:80"})
	}
	src, err := discover.NewStatic(entries...)
	require.NoError(t, err)
	m, err := discover.Map(src, func(_ context.Context, _ string, _ string, _ *service.Scope) (service.Service[int, int], error) {
		return echo, nil
	}, discover.MapConfig{})
	require.NoError(t, err)
	return m
}

func TestDiscover(t *testing.T) {
	t.Run("PendingDiscover puts every endpoint behind a pending count", func(t *testing.T) {
		d, err := load.PendingDiscover(endpoints(t, "a", "b"))
		require.NoError(t, err)
		for _, want := range []string{"a", "b"} {
			c, err := d.Next(t.Context())
			require.NoError(t, err)
			assert.Equal(t, discover.OpInsert, c.Op)
			assert.Equal(t, want, c.Key)
			p, ok := c.Value.Service.(*load.Pending[int, int])
			require.True(t, ok, "%T", c.Value.Service)
			assert.NotNil(t, c.Value.Scope, "the endpoint's scope is kept")
			got, err := p.Call(t.Context(), 3)
			require.NoError(t, err)
			assert.Equal(t, 3, got)
		}
		_, err = d.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrEnded)
	})
	t.Run("PeakEWMADiscover puts every endpoint behind peak-EWMA, removes pass through", func(t *testing.T) {
		ch := make(chan discover.Change[string, discover.Endpoint[int, int]], 2)
		ch <- discover.Insert("a", discover.Endpoint[int, int]{Service: echo})
		ch <- discover.Remove[string, discover.Endpoint[int, int]]("a")
		src, err := discover.NewChannel(ch)
		require.NoError(t, err)
		d, err := load.PeakEWMADiscover(src, load.WithDefaultRTT(time.Second))
		require.NoError(t, err)
		c, err := d.Next(t.Context())
		require.NoError(t, err)
		assert.InEpsilon(t, float64(time.Second), service.Load(c.Value.Service), 0.01, "the default RTT, barely decayed")
		c, err = d.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, discover.Remove[string, discover.Endpoint[int, int]]("a"), c)
	})
	t.Run("an insert with a nil service is reported, and the source goes on", func(t *testing.T) {
		ch := make(chan discover.Change[string, discover.Endpoint[int, int]], 2)
		ch <- discover.Insert("nil", discover.Endpoint[int, int]{})
		ch <- discover.Insert("ok", discover.Endpoint[int, int]{Service: echo})
		src, _ := discover.NewChannel(ch)
		d, err := load.PendingDiscover(src)
		require.NoError(t, err)
		_, err = d.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrInvalidChange)
		c, err := d.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "ok", c.Key)
	})
	t.Run("rejects a nil source and bad options at construction", func(t *testing.T) {
		_, err := load.PendingDiscover[string, int, int](nil)
		assert.ErrorContains(t, err, "load: discover: source is nil")
		var typedNil *discover.Static[string, discover.Endpoint[int, int]]
		_, err = load.PeakEWMADiscover[string, int, int](typedNil)
		assert.ErrorContains(t, err, "load: discover: source is nil")
		_, err = load.PeakEWMADiscover(endpoints(t), load.WithDecay(-1))
		assert.ErrorContains(t, err, "load: decay")
		_, err = load.PendingDiscover(endpoints(t), load.WithPenalty(time.Second))
		assert.ErrorContains(t, err, "load: pending does not take WithPenalty")
	})
}
