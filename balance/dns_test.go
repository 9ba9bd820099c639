package balance_test

import (
	"context"
	"net/netip"
	"sync"
	"sync/atomic"
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

// TestDNS balances over a DNS source served by a real DNS server: one A record
// added and another removed on the running server are reflected in the
// balancer's set after one refresh interval (the injected clock is moved by
// exactly one), while callers keep calling and none of their calls is lost or
// fails.
func TestDNS(t *testing.T) {
	const refresh = 30 * time.Second
	s := startDNS(t)
	s.SetHost("web.test.", "127.0.0.1", "127.0.0.2")
	clock := newFakeClock()
	start := clock.Now()
	dnsSrc, err := discover.NewDNS("web.test.", 80, discover.DNSConfig{Resolver: s.Resolver(), Refresh: refresh, Clock: clock})
	require.NoError(t, err)
	defer func() { require.NoError(t, dnsSrc.Stop(context.Background())) }()

	// Each endpoint is an actor answering the last byte of its address.
	mapped, err := discover.Map(dnsSrc, func(_ context.Context, _ netip.AddrPort, a discover.Addr, sc *service.Scope) (service.Service[int, int], error) {
		last := int(a.AddrPort.Addr().As4()[3])
		act, err := actor.Spawn[int, int](service.Func[int, int](func(context.Context, int) (int, error) {
			time.Sleep(20 * time.Microsecond)
			return last, nil
		}), 16, actor.WithWorkers(2))
		if err != nil {
			return nil, err
		}
		return act.Ref(), sc.Own(context.Background(), act)
	}, discover.MapConfig{})
	require.NoError(t, err)
	src, err := load.PendingDiscover(mapped)
	require.NoError(t, err)
	b, err := balance.New(src)
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Stop(context.Background())) }()

	keys := func(c *assert.CollectT, want ...int) {
		var got []int
		for _, k := range b.Keys() {
			got = append(got, int(k.Addr().As4()[3]))
		}
		assert.ElementsMatch(c, want, got)
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) { keys(c, 1, 2) }, 10*time.Second, time.Millisecond)

	var calls, failed atomic.Int64
	var mu sync.Mutex
	served := map[int]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				v, err := b.Call(t.Context(), 0)
				calls.Add(1)
				if err != nil {
					failed.Add(1)
					continue
				}
				mu.Lock()
				served[v]++
				mu.Unlock()
			}
		})
	}

	s.SetHost("web.test.", "127.0.0.2", "127.0.0.3") // .3 added, .1 removed
	clock.WaitFor(t, start.Add(refresh))             // the source waits for its next refresh
	clock.Advance(refresh)                           // one refresh interval
	require.EventuallyWithT(t, func(c *assert.CollectT) { keys(c, 2, 3) }, 10*time.Second, time.Millisecond)
	mu.Lock()
	before3 := served[3]
	mu.Unlock()
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return served[3] > before3+100 }, 10*time.Second, time.Millisecond)
	close(stop)
	wg.Wait()

	assert.Zero(t, failed.Load(), "calls failed while the set changed")
	mu.Lock()
	defer mu.Unlock()
	total := 0
	for _, n := range served {
		total += n
	}
	assert.Equal(t, calls.Load(), int64(total), "every call answered")
	t.Logf("calls %d, served %v, rerouted %d", calls.Load(), served, b.Rerouted())
}
