package discover_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/service"
)

type epChange = discover.Change[string, discover.Endpoint[string, string]]

// stopper records that it was stopped.
type stopper struct{ stopped atomic.Int32 }

func (s *stopper) Stop(context.Context) error { s.stopped.Add(1); return nil }

// flaky is a factory that fails for the keys in fail (until removed from it) and
// hands a stopper to every endpoint's scope.
type flaky struct {
	fail  map[string]bool
	calls atomic.Int32
	stops []*stopper
}

func (f *flaky) make(_ context.Context, key string, addr string, sc *service.Scope) (service.Service[string, string], error) {
	f.calls.Add(1)
	st := new(stopper)
	f.stops = append(f.stops, st)
	if err := sc.Own(context.Background(), st); err != nil {
		return nil, err
	}
	if f.fail[key] {
		return nil, errors.New("dial " + addr + ": connection refused")
	}
	return service.Func[string, string](func(_ context.Context, s string) (string, error) { return addr + " " + s, nil }), nil
}

func newMapped(t *testing.T, f *flaky, cfg discover.MapConfig) (chan discover.Change[string, string], *discover.Mapped[string, string, string, string]) {
	t.Helper()
	ch := make(chan discover.Change[string, string], 8)
	src, err := discover.NewChannel(ch)
	require.NoError(t, err)
	m, err := discover.Map(src, f.make, cfg)
	require.NoError(t, err)
	return ch, m
}

func TestMap(t *testing.T) {
	t.Run("makes a service per inserted address; removes pass through", func(t *testing.T) {
		f := &flaky{}
		ch, m := newMapped(t, f, discover.MapConfig{})
		ch <- discover.Insert("a", "10.0.0.1:80")
		ch <- discover.Remove[string, string]("a")
		c, err := m.Next(t.Context())
		require.NoError(t, err)
		require.Equal(t, discover.OpInsert, c.Op)
		got, err := c.Value.Service.Call(t.Context(), "hi")
		require.NoError(t, err)
		assert.Equal(t, "10.0.0.1:80 hi", got)
		require.NotNil(t, c.Value.Scope)
		assert.Equal(t, 1, c.Value.Scope.Len(), "the endpoint's scope owns what the factory started")
		c, err = m.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, epChange{Op: discover.OpRemove, Key: "a"}, c)
	})
	t.Run("a factory failure is skipped, reported, and retried after the interval", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var evs []discover.Event
			f := &flaky{fail: map[string]bool{"bad": true}}
			ch, m := newMapped(t, f, discover.MapConfig{RetryInterval: 5 * time.Second, Events: func(e discover.Event) { evs = append(evs, e) }})
			ch <- discover.Insert("bad", "10.0.0.9:80")
			ch <- discover.Insert("good", "10.0.0.1:80")
			start := time.Now()
			c, err := m.Next(t.Context())
			require.NoError(t, err)
			assert.Equal(t, "good", c.Key, "the failed endpoint is skipped")
			require.Len(t, evs, 1)
			assert.Equal(t, discover.EventFactoryFailed, evs[0].Kind)
			assert.Equal(t, "bad", evs[0].Key)
			assert.ErrorContains(t, evs[0].Err, "connection refused")
			assert.Equal(t, int32(1), f.stops[0].stopped.Load(), "what the failed factory started is stopped")

			f.fail["bad"] = false // the endpoint comes up
			c, err = m.Next(t.Context())
			require.NoError(t, err)
			assert.Equal(t, "bad", c.Key)
			assert.Equal(t, 5*time.Second, time.Since(start), "retried after the retry interval")
		})
	})
	t.Run("a removed endpoint is not retried, and its remove is not delivered", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := &flaky{fail: map[string]bool{"bad": true}}
			ch, m := newMapped(t, f, discover.MapConfig{})
			ch <- discover.Insert("bad", "x")
			ch <- discover.Remove[string, string]("bad")
			ch <- discover.Insert("good", "y")
			c, err := m.Next(t.Context())
			require.NoError(t, err)
			assert.Equal(t, "good", c.Key)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			_, err = m.Next(ctx)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, int32(2), f.calls.Load(), "no retry for a removed endpoint")
		})
	})
	t.Run("a failed replacement keeps the delivered endpoint", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := &flaky{fail: map[string]bool{}}
			ch, m := newMapped(t, f, discover.MapConfig{RetryInterval: time.Second})
			ch <- discover.Insert("a", "v1")
			_, err := m.Next(t.Context())
			require.NoError(t, err)
			f.fail["a"] = true
			ch <- discover.Insert("a", "v2")
			ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
			_, err = m.Next(ctx)
			cancel()
			assert.ErrorIs(t, err, context.DeadlineExceeded, "nothing delivered: the old endpoint stays")
			f.fail["a"] = false
			c, err := m.Next(t.Context())
			require.NoError(t, err)
			got, _ := c.Value.Service.Call(t.Context(), "x")
			assert.Equal(t, "v2 x", got)
		})
	})
	t.Run("a nil service from the factory is a failure", func(t *testing.T) {
		var nilFunc service.Func[string, string]
		src, _ := discover.NewStatic(discover.Entry[string, string]{Key: "a", Value: "x"})
		var failures int
		m, err := discover.Map(src, func(context.Context, string, string, *service.Scope) (service.Service[string, string], error) {
			return nilFunc, nil
		}, discover.MapConfig{Events: func(discover.Event) { failures++ }})
		require.NoError(t, err)
		_, err = m.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrEnded)
		assert.Equal(t, 1, failures)
	})
	t.Run("the inner source's end and errors pass through", func(t *testing.T) {
		f := &flaky{}
		ch, m := newMapped(t, f, discover.MapConfig{})
		ch <- discover.Change[string, string]{}
		close(ch)
		_, err := m.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrInvalidChange)
		_, err = m.Next(t.Context())
		assert.ErrorIs(t, err, discover.ErrEnded)
	})
	t.Run("rejects bad input", func(t *testing.T) {
		src, _ := discover.NewStatic[string, string]()
		f := &flaky{}
		_, err := discover.Map[string, string, string, string](nil, f.make, discover.MapConfig{})
		assert.ErrorContains(t, err, "discover: map: source is nil")
		_, err = discover.Map[string, string, string, string](src, nil, discover.MapConfig{})
		assert.ErrorContains(t, err, "discover: map: factory is nil")
		_, err = discover.Map(src, f.make, discover.MapConfig{RetryInterval: -1})
		assert.ErrorContains(t, err, "discover: map: RetryInterval -1ns is negative")
	})
}
