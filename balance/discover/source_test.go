package discover_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/balance/discover"
)

func TestStatic(t *testing.T) {
	t.Run("delivers its list as inserts, in order, then ends", func(t *testing.T) {
		src, err := discover.NewStatic(discover.Entry[string, int]{Key: "a", Value: 1}, discover.Entry[string, int]{Key: "b", Value: 2})
		require.NoError(t, err)
		for _, want := range []discover.Change[string, int]{discover.Insert("a", 1), discover.Insert("b", 2)} {
			c, err := src.Next(t.Context())
			require.NoError(t, err)
			assert.Equal(t, want, c)
		}
		_, err = src.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrEnded)
	})
	t.Run("an ended ctx consumes nothing", func(t *testing.T) {
		src, _ := discover.NewStatic(discover.Entry[string, int]{Key: "a", Value: 1})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := src.Next(ctx)
		require.ErrorIs(t, err, context.Canceled)
		c, err := src.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "a", c.Key)
	})
	t.Run("an empty list ends at once; a duplicate key is rejected", func(t *testing.T) {
		src, err := discover.NewStatic[string, int]()
		require.NoError(t, err)
		_, err = src.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrEnded)
		_, err = discover.NewStatic(discover.Entry[string, int]{Key: "a"}, discover.Entry[string, int]{Key: "a"})
		assert.ErrorContains(t, err, "discover: static: key a given twice")
	})
}

func TestChannel(t *testing.T) {
	t.Run("delivers what is sent, then ends when the channel closes", func(t *testing.T) {
		ch := make(chan discover.Change[string, int], 4)
		src, err := discover.NewChannel(ch)
		require.NoError(t, err)
		ch <- discover.Insert("a", 1)
		ch <- discover.Change[string, int]{} // invalid
		ch <- discover.Remove[string, int]("a")
		close(ch)
		c, err := src.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "insert a=1", c.String())
		_, err = src.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrInvalidChange)
		c, err = src.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "remove a", c.String())
		_, err = src.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrEnded)
	})
	t.Run("Next waits bounded by ctx, consuming nothing when it ends", func(t *testing.T) {
		ch := make(chan discover.Change[string, int], 1)
		src, _ := discover.NewChannel(ch)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, err := src.Next(ctx)
			done <- err
		}()
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		ch <- discover.Insert("b", 2)
		c, err := src.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, discover.Insert("b", 2), c)
	})
	t.Run("rejects a nil channel", func(t *testing.T) {
		_, err := discover.NewChannel[string, int](nil)
		assert.ErrorContains(t, err, "discover: channel: the channel is nil")
	})
	t.Run("op names", func(t *testing.T) {
		assert.Equal(t, "insert", discover.OpInsert.String())
		assert.Equal(t, "remove", discover.OpRemove.String())
		assert.Equal(t, "invalid", discover.Op(0).String())
		assert.Equal(t, "factory_failed", discover.EventFactoryFailed.String())
		assert.Equal(t, "unknown", discover.EventKind(0).String())
	})
}
