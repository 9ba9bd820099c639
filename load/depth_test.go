package load_test

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

// queue is a stand-in for an actor's mailbox: anything with Len.
type queue struct{ n atomic.Int64 }

func (q *queue) Len() int { return int(q.n.Load()) }

func TestDepth(t *testing.T) {
	t.Run("reports the queue's length", func(t *testing.T) {
		q := new(queue)
		d, err := load.NewDepth[int, int](echo, q)
		require.NoError(t, err)
		assert.Equal(t, 0.0, d.Load())
		q.n.Store(5)
		assert.Equal(t, 5.0, d.Load())
		q.n.Store(-2)
		assert.Equal(t, 0.0, d.Load(), "a negative length reads as empty")
		got, err := d.Call(t.Context(), 4)
		require.NoError(t, err)
		assert.Equal(t, 4, got)
	})
	t.Run("a buffered channel's length, through a layer", func(t *testing.T) {
		ch := make(chan int, 4)
		ch <- 1
		ch <- 2
		svc, err := service.Apply(load.DepthLayer[int, int](lenFunc(func() int { return len(ch) })), new(service.Scope), service.Service[int, int](echo))
		require.NoError(t, err)
		assert.Equal(t, 2.0, service.Load(svc))
	})
	t.Run("rejects a nil queue or inner service", func(t *testing.T) {
		_, err := load.NewDepth[int, int](echo, nil)
		require.ErrorContains(t, err, "load: depth: queue is nil")
		var typedNil *queue
		_, err = load.NewDepth[int, int](echo, typedNil)
		require.ErrorContains(t, err, "load: depth: queue is nil")
		_, err = load.NewDepth[int, int](nil, new(queue))
		assert.ErrorIs(t, err, service.ErrNilService)
	})
	checkForwards(t, func(inner service.Service[int, int]) (service.Service[int, int], error) {
		return service.Built[int, int](load.NewDepth(inner, new(queue)))
	})
}

type lenFunc func() int

func (f lenFunc) Len() int { return f() }
