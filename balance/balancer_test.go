package balance_test

import (
	"context"
	"math"
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

func TestBadInput(t *testing.T) {
	src := newSource(t)
	var typedNil *discover.Channel[string, discover.Endpoint[int, int]]
	cases := []struct {
		name string
		make func() error
		want string
	}{
		{"nil source", func() error { _, err := balance.New[string, int, int](nil); return err }, "balance: source is nil"},
		{"typed nil source", func() error { _, err := balance.New(typedNil); return err }, "balance: source is nil"},
		{"nil option", func() error { _, err := balance.New(src, nil); return err }, "balance: option 1 of 1 is nil"},
		{"unknown policy", func() error { _, err := balance.New(src, balance.WithPolicy(99)); return err }, "balance: unknown policy 99"},
		{"nil scope", func() error { _, err := balance.NewIn(nil, src); return err }, "balance: scope is nil"},
		{"nil logger", func() error { _, err := balance.New(src, balance.WithLogger(nil)); return err }, "balance: nil logger"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.make()
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}

	t.Run("a bad endpoint is skipped with an event, the others serve", func(t *testing.T) {
		var mu sync.Mutex
		var events []service.Event
		src := newSource(t)
		b := newBalancer(t, src, balance.WithEvents(func(e service.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		}))
		var typedNilSvc service.Func[int, int]
		src.insert("nil", discover.Endpoint[int, int]{})
		src.insert("typed-nil", discover.Endpoint[int, int]{Service: typedNilSvc})
		src.insert("nan", discover.Endpoint[int, int]{Service: answer(0), Weight: math.NaN()})
		src.insert("neg", discover.Endpoint[int, int]{Service: answer(0), Weight: -1})
		src.insert("ok", discover.Endpoint[int, int]{Service: answer(7)})
		waitKeys(t, b, "ok")
		got, err := b.Call(t.Context(), 0)
		require.NoError(t, err)
		assert.Equal(t, 7, got)
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, events, 4)
		for _, e := range events {
			assert.Equal(t, "balance", e.Stage)
			assert.Equal(t, service.EventFailed, e.Kind)
		}
	})
}

// share makes n sequential calls and returns how many each answer got.
func share(t *testing.T, b *balance.Balancer[string, int, int], n int) map[int]int {
	t.Helper()
	got := map[int]int{}
	for range n {
		v, err := b.Call(t.Context(), 0)
		require.NoError(t, err)
		got[v]++
	}
	return got
}

func TestPolicies(t *testing.T) {
	// Endpoints 1, 2, 3 with constant loads 10, 20, 30.
	setup := func(t *testing.T, opts ...balance.Option) *balance.Balancer[string, int, int] {
		src := newSource(t)
		b := newBalancer(t, src, opts...)
		for i, k := range []string{"a", "b", "c"} {
			src.insert(k, withLoad(t, discover.Endpoint[int, int]{Service: answer(i + 1)}, float64(10*(i+1))))
		}
		waitKeys(t, b, "a", "b", "c")
		return b
	}
	t.Run("p2c never picks the most loaded of three", func(t *testing.T) {
		got := share(t, setup(t), 3000)
		assert.Zero(t, got[3])
		// 1 wins whenever it is drawn (2 of 3 pairs), 2 only against 3.
		assert.InDelta(t, 2000, got[1], 200)
		assert.InDelta(t, 1000, got[2], 200)
	})
	t.Run("least loaded always picks the least loaded", func(t *testing.T) {
		got := share(t, setup(t, balance.WithPolicy(balance.LeastLoaded)), 300)
		assert.Equal(t, map[int]int{1: 300}, got)
	})
	t.Run("round robin takes each in turn", func(t *testing.T) {
		got := share(t, setup(t, balance.WithPolicy(balance.RoundRobin)), 300)
		assert.Equal(t, map[int]int{1: 100, 2: 100, 3: 100}, got)
	})
	t.Run("round robin takes each in turn behind a caller that checks readiness", func(t *testing.T) {
		b := setup(t, balance.WithPolicy(balance.RoundRobin))
		got := map[int]int{}
		for range 300 { // as an actor's worker does before each call
			require.NoError(t, b.Ready(t.Context()))
			require.NoError(t, b.TryReady())
			v, err := b.Call(t.Context(), 0)
			require.NoError(t, err)
			got[v]++
		}
		assert.Equal(t, map[int]int{1: 100, 2: 100, 3: 100}, got)
	})
	t.Run("weighted p2c shares by weight when loads are equal", func(t *testing.T) {
		src := newSource(t)
		b := newBalancer(t, src, balance.WithPolicy(balance.WeightedP2C))
		src.insert("light", discover.Endpoint[int, int]{Service: answer(1), Weight: 1})
		src.insert("heavy", discover.Endpoint[int, int]{Service: answer(3), Weight: 3})
		waitKeys(t, b, "light", "heavy")
		got := share(t, b, 4000)
		assert.InDelta(t, 3000, got[3], 200)
	})
	t.Run("weighted p2c draws each candidate by weight", func(t *testing.T) {
		src := newSource(t)
		b := newBalancer(t, src, balance.WithPolicy(balance.WeightedP2C))
		for w := 1; w <= 4; w++ {
			src.insert(string(rune('0'+w)), discover.Endpoint[int, int]{Service: answer(w), Weight: float64(w)})
		}
		waitKeys(t, b, "1", "2", "3", "4")
		// Equal loads: the first candidate drawn wins, so each gets w/10.
		got := share(t, b, 10000)
		for w := 1; w <= 4; w++ {
			assert.InDelta(t, 1000*w, got[w], 200, "weight %d", w)
		}
	})
	t.Run("weighted p2c compares load per unit of weight", func(t *testing.T) {
		src := newSource(t)
		b := newBalancer(t, src, balance.WithPolicy(balance.WeightedP2C))
		// 10/1 = 10 against 25/5 = 5: the heavy one wins every comparison.
		src.insert("light", withLoad(t, discover.Endpoint[int, int]{Service: answer(1), Weight: 1}, 10))
		src.insert("heavy", withLoad(t, discover.Endpoint[int, int]{Service: answer(5), Weight: 5}, 25))
		waitKeys(t, b, "light", "heavy")
		assert.Equal(t, map[int]int{5: 500}, share(t, b, 500))
	})
	t.Run("SRV weights travel from discover.Addr to the endpoint", func(t *testing.T) {
		assert.Equal(t, 10.0, discover.Addr{Weight: 10}.EndpointWeight())
		assert.Equal(t, discover.ZeroWeight, discover.Addr{Weight: 0}.EndpointWeight())
	})
	t.Run("policy names", func(t *testing.T) {
		assert.Equal(t, "p2c", balance.P2C.String())
		assert.Equal(t, "round_robin", balance.RoundRobin.String())
		assert.Equal(t, "least_loaded", balance.LeastLoaded.String())
		assert.Equal(t, "weighted_p2c", balance.WeightedP2C.String())
		assert.Equal(t, "unknown", balance.Policy(9).String())
	})
}

func TestReadiness(t *testing.T) {
	t.Run("a full endpoint is skipped; the ready one is used directly", func(t *testing.T) {
		src := newSource(t)
		b := newBalancer(t, src)
		g := newGate(1)
		full := spawn(t, g, 1, 1)
		src.insert("full", full.ep)
		src.insert("free", discover.Endpoint[int, int]{Service: answer(2)})
		waitKeys(t, b, "full", "free")
		// Fill "full": one call in its worker, one queued.
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { _, _ = full.ep.Service.Call(t.Context(), 0) })
		}
		<-g.entered
		require.Eventually(t, func() bool { return full.a.Len() == 1 }, 5*time.Second, time.Millisecond)
		assert.Equal(t, map[int]int{2: 200}, share(t, b, 200))
		g.open()
		wg.Wait()
	})

	t.Run("none ready: TryCall and fail-fast fail at once, Call waits bounded by ctx", func(t *testing.T) {
		src := newSource(t)
		b := newBalancer(t, src)
		g := newGate(1)
		ep := spawn(t, g, 1, 1)
		src.insert("a", ep.ep)
		waitKeys(t, b, "a")
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { _, _ = ep.ep.Service.Call(t.Context(), 0) })
		}
		<-g.entered
		require.Eventually(t, func() bool { return ep.a.Len() == 1 }, 5*time.Second, time.Millisecond)

		_, err := b.TryCall(t.Context(), 0)
		assert.ErrorIs(t, err, balance.ErrNotReady)
		assert.ErrorIs(t, err, service.ErrOverloaded)
		assert.NotErrorIs(t, err, balance.ErrNoEndpoints)
		assert.ErrorIs(t, b.TryReady(), service.ErrOverloaded)

		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		defer cancel()
		_, err = b.Call(ctx, 0)
		assert.ErrorIs(t, err, balance.ErrNotReady)
		assert.ErrorIs(t, err, service.ErrOverloaded)
		assert.ErrorIs(t, err, context.DeadlineExceeded)

		// A waiting call is served once the endpoint has room: the driver puts
		// it back.
		res := make(chan error, 1)
		go func() { _, err := b.Call(t.Context(), 0); res <- err }()
		g.open()
		require.NoError(t, <-res)
		require.NoError(t, b.Ready(t.Context()))
		wg.Wait()
	})

	t.Run("fail-fast Call fails at once", func(t *testing.T) {
		b := newBalancer(t, newSource(t), balance.WithFailFast())
		_, err := b.Call(t.Context(), 0) // no ctx deadline: must not wait
		assert.ErrorIs(t, err, balance.ErrNoEndpoints)
		assert.ErrorIs(t, err, service.ErrUnavailable)
		assert.NotErrorIs(t, err, service.ErrOverloaded)
	})

	t.Run("an endpoint unavailable for a while is driven back in the background", func(t *testing.T) {
		src := newSource(t)
		b := newBalancer(t, src)
		u := &unavailable{up: make(chan struct{})}
		src.insert("u", discover.Endpoint[int, int]{Service: u})
		waitKeys(t, b, "u")
		_, err := b.TryCall(t.Context(), 0)
		assert.ErrorIs(t, err, balance.ErrNotReady)
		assert.ErrorIs(t, err, service.ErrUnavailable)
		assert.NotErrorIs(t, err, service.ErrOverloaded)
		res := make(chan error, 1)
		go func() { _, err := b.Call(t.Context(), 0); res <- err }()
		close(u.up)
		require.NoError(t, <-res)
		assert.Equal(t, []string{"u"}, b.Keys())
	})

	t.Run("an endpoint whose readiness fails for good is evicted and reported", func(t *testing.T) {
		src := newSource(t)
		var evicted atomic.Int32
		b := newBalancer(t, src, balance.WithEvents(func(e service.Event) {
			if e.Kind == service.EventFailed {
				evicted.Add(1)
			}
		}))
		dead := spawn(t, answer(1), 4, 1)
		src.insert("dead", dead.ep)
		src.insert("ok", discover.Endpoint[int, int]{Service: answer(2)})
		waitKeys(t, b, "dead", "ok")
		require.NoError(t, dead.a.Stop(t.Context()))
		assert.Equal(t, map[int]int{2: 100}, share(t, b, 100))
		waitKeys(t, b, "ok")
		assert.Equal(t, int32(1), evicted.Load())
		select {
		case <-src.reports:
		case <-time.After(5 * time.Second):
			t.Fatal("the eviction was not reported to the source")
		}
	})
}

// unavailable refuses (ErrUnavailable) until up is closed.
type unavailable struct{ up chan struct{} }

func (u *unavailable) Call(context.Context, int) (int, error) { return 1, nil }
func (u *unavailable) TryReady() error {
	select {
	case <-u.up:
		return nil
	default:
		return service.ErrUnavailable
	}
}
func (u *unavailable) Ready(ctx context.Context) error {
	select {
	case <-u.up:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestNoEndpoints(t *testing.T) {
	src := newSource(t)
	b := newBalancer(t, src)
	_, err := b.TryCall(t.Context(), 0)
	assert.ErrorIs(t, err, balance.ErrNoEndpoints)
	assert.ErrorIs(t, b.TryReady(), balance.ErrNoEndpoints)
	assert.True(t, math.IsInf(b.Load(), 1))

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	_, err = b.Call(ctx, 0)
	assert.ErrorIs(t, err, balance.ErrNoEndpoints)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	ctx, cancel = context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, b.Ready(ctx), balance.ErrNoEndpoints)

	// A waiting call is served by the first endpoint inserted.
	res := make(chan int, 1)
	go func() { v, _ := b.Call(t.Context(), 0); res <- v }()
	src.insert("a", discover.Endpoint[int, int]{Service: answer(5)})
	assert.Equal(t, 5, <-res)
}

func TestLoad(t *testing.T) {
	src := newSource(t)
	b := newBalancer(t, src)
	src.insert("a", withLoad(t, discover.Endpoint[int, int]{Service: answer(1)}, 4))
	src.insert("b", withLoad(t, discover.Endpoint[int, int]{Service: answer(2)}, 2))
	waitKeys(t, b, "a", "b")
	assert.Equal(t, 2.0, b.Load())
}

func TestRemove(t *testing.T) {
	t.Run("queued calls are re-routed, the call in flight finishes", func(t *testing.T) {
		src := newSource(t)
		b := newBalancer(t, src)
		g := newGate(1)
		a := spawn(t, g, 16, 1)
		src.insert("a", a.ep)
		waitKeys(t, b, "a")
		const queued = 5
		results := make(chan int, queued+1)
		var wg sync.WaitGroup
		for range queued + 1 {
			wg.Go(func() {
				v, err := b.Call(t.Context(), 0)
				assert.NoError(t, err)
				results <- v
			})
		}
		<-g.entered
		require.Eventually(t, func() bool { return a.a.Len() == queued }, 5*time.Second, time.Millisecond)
		src.insert("b", discover.Endpoint[int, int]{Service: answer(2)})
		src.remove("a")
		for range queued {
			assert.Equal(t, 2, <-results) // re-routed to b while a's call runs
		}
		assert.Equal(t, uint64(queued), b.Rerouted())
		g.open()
		assert.Equal(t, 1, <-results)
		wg.Wait()
		select { // a's scope is stopped once its call has finished
		case <-a.a.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("the removed endpoint's actor was not stopped")
		}
	})

	t.Run("with no endpoint left, re-routed calls fail fast in fail-fast mode", func(t *testing.T) {
		src := newSource(t)
		b := newBalancer(t, src, balance.WithFailFast())
		g := newGate(1)
		a := spawn(t, g, 16, 1)
		src.insert("a", a.ep)
		waitKeys(t, b, "a")
		errs := make(chan error, 4)
		for range 4 {
			go func() { _, err := b.Call(t.Context(), 0); errs <- err }()
		}
		<-g.entered
		require.Eventually(t, func() bool { return a.a.Len() == 3 }, 5*time.Second, time.Millisecond)
		src.remove("a")
		for range 3 {
			assert.ErrorIs(t, <-errs, balance.ErrNoEndpoints)
		}
		g.open()
		assert.NoError(t, <-errs)
	})
}

func TestReplace(t *testing.T) {
	src := newSource(t)
	b := newBalancer(t, src)
	old := spawn(t, answer(1), 4, 1)
	src.insert("k", old.ep)
	waitKeys(t, b, "k")
	assert.Equal(t, map[int]int{1: 10}, share(t, b, 10))

	r := &unavailable{up: make(chan struct{})}
	src.insert("k", discover.Endpoint[int, int]{Service: service.Func[int, int](func(ctx context.Context, x int) (int, error) {
		return 2, nil
	})})
	// A replacement that is ready at once takes over; then one that is not yet
	// ready waits while the current endpoint serves.
	require.Eventually(t, func() bool { v, _ := b.Call(t.Context(), 0); return v == 2 }, 5*time.Second, time.Millisecond)
	select {
	case <-old.a.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the replaced endpoint's actor was not stopped")
	}
	src.insert("k", discover.Endpoint[int, int]{Service: r})
	// The insert is applied once the next change is: send a marker and wait for it.
	src.insert("marker", discover.Endpoint[int, int]{Service: answer(9)})
	waitKeys(t, b, "k", "marker")
	src.remove("marker")
	waitKeys(t, b, "k")
	assert.Equal(t, map[int]int{2: 50}, share(t, b, 50))
	close(r.up)
	require.Eventually(t, func() bool { v, _ := b.Call(t.Context(), 0); return v == 1 }, 5*time.Second, time.Millisecond)
}

func TestStop(t *testing.T) {
	t.Run("calls fail with ErrStopped, waiting ones too, scopes are stopped", func(t *testing.T) {
		src := newSource(t)
		b, err := balance.New(src)
		require.NoError(t, err)
		waiting := make(chan error, 1)
		go func() { _, err := b.Call(t.Context(), 0); waiting <- err }()
		a := spawn(t, answer(1), 4, 1)
		src.insert("a", a.ep)
		require.NoError(t, <-waiting)
		// A call waiting for an endpoint when Stop comes gets ErrStopped.
		src.remove("a")
		waitKeys(t, b)
		go func() { _, err := b.Call(t.Context(), 0); waiting <- err }()
		require.NoError(t, b.Stop(t.Context()))
		assert.ErrorIs(t, <-waiting, balance.ErrStopped)
		_, err = b.Call(t.Context(), 0)
		assert.ErrorIs(t, err, balance.ErrStopped)
		assert.ErrorIs(t, err, service.ErrClosed)
		assert.ErrorIs(t, b.TryReady(), balance.ErrStopped)
		assert.ErrorIs(t, b.Ready(t.Context()), balance.ErrStopped)
		require.NoError(t, b.Stop(t.Context()), "Stop again")
		<-a.a.Done()
	})

	t.Run("NewIn hands the balancer to the scope", func(t *testing.T) {
		var sc service.Scope
		src := newSource(t)
		b, err := balance.NewIn(&sc, src)
		require.NoError(t, err)
		a := spawn(t, answer(1), 4, 1)
		src.insert("a", a.ep)
		v, err := b.Call(t.Context(), 0)
		require.NoError(t, err)
		assert.Equal(t, 1, v)
		require.NoError(t, sc.Stop(t.Context()))
		_, err = b.Call(t.Context(), 0)
		assert.ErrorIs(t, err, balance.ErrStopped)
		<-a.a.Done() // the endpoint's scope was stopped with the balancer
	})
}

// TestChurn removes and inserts endpoints under many callers: every call gets
// exactly one answer and none fails.
func TestChurn(t *testing.T) {
	src := newSource(t)
	b := newBalancer(t, src)
	mk := func() discover.Endpoint[int, int] {
		a, err := actor.Spawn[int, int](service.Func[int, int](func(_ context.Context, x int) (int, error) {
			time.Sleep(50 * time.Microsecond)
			return x + 1, nil
		}), 4, actor.WithWorkers(2))
		require.NoError(t, err)
		sc := new(service.Scope)
		require.NoError(t, sc.Own(context.Background(), a))
		p, err := load.NewPending[int, int](a.Ref())
		require.NoError(t, err)
		return discover.Endpoint[int, int]{Service: p, Scope: sc}
	}
	for i := range 4 {
		src.insert(string(rune('a'+i)), mk())
	}
	const callers, calls = 16, 300
	var wg sync.WaitGroup
	var answered, failed atomic.Int64
	for c := range callers {
		wg.Go(func() {
			for i := range calls {
				x := c*calls + i
				v, err := b.Call(t.Context(), x)
				if err != nil || v != x+1 {
					failed.Add(1)
				}
				answered.Add(1)
			}
		})
	}
	stop := make(chan struct{})
	var churn sync.WaitGroup
	churn.Go(func() {
		next := 4
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			src.remove(string(rune('a' + k%26)))
			src.insert(string(rune('a'+next%26)), mk())
			next++
		}
	})
	wg.Wait()
	close(stop)
	churn.Wait()
	assert.Equal(t, int64(callers*calls), answered.Load())
	assert.Zero(t, failed.Load())
	t.Logf("rerouted %d", b.Rerouted())
}
