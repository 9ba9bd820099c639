package balance_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/balance"
	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

type change = discover.Change[string, discover.Endpoint[int, int]]

// answer is a service that answers its name's number.
func answer(n int) service.Func[int, int] {
	return func(context.Context, int) (int, error) { return n, nil }
}

// spawned is an actor endpoint whose scope owns the actor.
type spawned struct {
	a  *actor.Actor[int, int]
	ep discover.Endpoint[int, int]
}

// spawn makes an actor endpoint over svc (workers fixed, mailbox capacity).
func spawn(t *testing.T, svc service.Service[int, int], capacity, workers int) spawned {
	t.Helper()
	a, err := actor.Spawn(svc, capacity, actor.WithWorkers(workers))
	require.NoError(t, err)
	sc := new(service.Scope)
	require.NoError(t, sc.Own(context.Background(), a))
	t.Cleanup(func() { _ = sc.Stop(context.Background()) })
	return spawned{a: a, ep: discover.Endpoint[int, int]{Service: a.Ref(), Scope: sc}}
}

// withLoad puts an endpoint behind a constant load.
func withLoad(t *testing.T, ep discover.Endpoint[int, int], cost float64) discover.Endpoint[int, int] {
	t.Helper()
	c, err := load.NewConstant(ep.Service, cost)
	require.NoError(t, err)
	ep.Service = c
	return ep
}

// source is a channel source a test feeds.
type source struct {
	ch chan change
	*discover.Channel[string, discover.Endpoint[int, int]]
	reports chan struct{}
}

func newSource(t *testing.T) *source {
	t.Helper()
	ch := make(chan change, 64)
	c, err := discover.NewChannel[string, discover.Endpoint[int, int]](ch)
	require.NoError(t, err)
	// Changes still in the channel when the test ends were never delivered, so no
	// balancer owns their endpoints: stop them here. (t.Cleanup runs last in, first
	// out, so this runs after the cleanup of a balancer built over the source.)
	t.Cleanup(func() {
		for {
			select {
			case c := <-ch:
				if c.Op == discover.OpInsert && c.Value.Scope != nil {
					_ = c.Value.Scope.Stop(context.Background())
				}
			default:
				return
			}
		}
	})
	return &source{ch: ch, Channel: c, reports: make(chan struct{}, 16)}
}

func (s *source) insert(key string, ep discover.Endpoint[int, int]) {
	s.ch <- discover.Insert(key, ep)
}
func (s *source) remove(key string) {
	s.ch <- discover.Remove[string, discover.Endpoint[int, int]](key)
}

// ReportFailure makes the source a discover.FailureReporter.
func (s *source) ReportFailure() {
	select {
	case s.reports <- struct{}{}:
	default:
	}
}

// newBalancer builds a balancer over src, stopped at cleanup.
func newBalancer(t *testing.T, src discover.Source[string, discover.Endpoint[int, int]], opts ...balance.Option) *balance.Balancer[string, int, int] {
	t.Helper()
	b, err := balance.New(src, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, b.Stop(ctx))
	})
	return b
}

// waitKeys waits until the balancer's set has exactly the keys given.
func waitKeys(t *testing.T, b *balance.Balancer[string, int, int], keys ...string) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.ElementsMatch(c, keys, b.Keys())
	}, 5*time.Second, time.Millisecond)
}

// gate is a service that blocks each call until released, counting calls that
// reached it.
type gate struct {
	n       int
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate(n int) *gate {
	return &gate{n: n, entered: make(chan struct{}, 1024), release: make(chan struct{})}
}

func (g *gate) Call(ctx context.Context, _ int) (int, error) {
	g.entered <- struct{}{}
	select {
	case <-g.release:
		return g.n, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (g *gate) open() { g.once.Do(func() { close(g.release) }) }
