package tower_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower"
	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/stage/buffer"
)

// trace is a layer that records when a request passes it and when its response
// passes back.
func trace(name string, log *[]string, mu *sync.Mutex) tower.Layer[string, string] {
	return func(inner tower.Service[string, string]) (tower.Service[string, string], error) {
		return tower.ServiceFunc[string, string](func(ctx context.Context, req string) (string, error) {
			mu.Lock()
			*log = append(*log, "in "+name)
			mu.Unlock()
			res, err := inner.Call(ctx, req+name)
			mu.Lock()
			*log = append(*log, "out "+name)
			mu.Unlock()
			return res, err
		}), nil
	}
}

var terminal = tower.ServiceFunc[string, string](func(_ context.Context, req string) (string, error) {
	return "<" + req + ">", nil
})

func TestStagesRunOutermostFirst(t *testing.T) {
	var log []string
	var mu sync.Mutex
	p := tower.NewPipeline(trace("a", &log, &mu), trace("b", &log, &mu)).With(trace("c", &log, &mu))
	assert.Equal(t, 3, p.Len())
	st, err := p.Service(terminal)
	require.NoError(t, err)
	defer st.Stop(context.Background())
	res, err := st.Call(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "<abc>", res)
	assert.Equal(t, []string{"in a", "in b", "in c", "out c", "out b", "out a"}, log)
}

func TestWithDoesNotChangeThePipelineItExtends(t *testing.T) {
	var log []string
	var mu sync.Mutex
	base := tower.NewPipeline(trace("a", &log, &mu))
	left := base.With(trace("l", &log, &mu))
	right := base.With(trace("r", &log, &mu))
	for want, p := range map[string]tower.Pipeline[string, string]{"<a>": base, "<al>": left, "<ar>": right} {
		st, err := p.Service(terminal)
		require.NoError(t, err)
		res, err := st.Call(context.Background(), "")
		require.NoError(t, err)
		assert.Equal(t, want, res)
	}
}

func TestBadInputIsAnErrorAtBuild(t *testing.T) {
	var log []string
	var mu sync.Mutex
	_, err := tower.NewPipeline[string, string]().Service(nil)
	require.ErrorContains(t, err, "nil service")

	_, err = tower.NewPipeline(trace("a", &log, &mu), nil).Service(terminal)
	require.ErrorContains(t, err, "layer 2 of 2: layer is nil")

	bad := errors.New("capacity must be positive")
	failing := func(tower.Service[string, string]) (tower.Service[string, string], error) { return nil, bad }
	_, err = tower.NewPipeline[string, string](failing).Service(terminal)
	require.ErrorIs(t, err, bad)

	nilSvc := func(tower.Service[string, string]) (tower.Service[string, string], error) { return nil, nil }
	_, err = tower.NewPipeline[string, string](nilSvc).Service(terminal)
	require.ErrorContains(t, err, "nil service")

	_, err = tower.NewPipeline[string, string]().Spawn(terminal, 0, 1)
	require.ErrorContains(t, err, "capacity must be at least 1")
}

func TestAFailedBuildStopsTheBoundariesItStarted(t *testing.T) {
	// The buffer is inner to the failing layer, so it was started before the
	// failure; goleak (TestMain) fails the run if its worker is left behind.
	bad := errors.New("bad config")
	failing := func(tower.Service[string, string]) (tower.Service[string, string], error) { return nil, bad }
	_, err := tower.NewPipeline[string, string](failing, buffer.Layer[string, string](4)).Service(terminal)
	require.ErrorIs(t, err, bad)
}

func TestStopStopsEveryBoundaryButNotTheTerminal(t *testing.T) {
	inner, err := buffer.New[string, string](terminal, 4) // owned by the test
	require.NoError(t, err)
	defer inner.Stop(context.Background())

	p := tower.NewPipeline(buffer.Layer[string, string](8), buffer.Layer[string, string](8))
	st, err := p.Service(inner)
	require.NoError(t, err)
	res, err := st.Call(context.Background(), "x")
	require.NoError(t, err)
	assert.Equal(t, "<x>", res)

	require.NoError(t, st.Stop(context.Background()))
	require.NoError(t, st.Stop(context.Background()), "Stop twice is fine")
	_, err = st.Call(context.Background(), "x")
	require.ErrorIs(t, err, tower.ErrClosed)
	res, err = inner.Call(context.Background(), "y")
	require.NoError(t, err, "the terminal service belongs to the caller")
	assert.Equal(t, "<y>", res)
}

func TestSpawnPutsTheStackBehindAnActor(t *testing.T) {
	var log []string
	var mu sync.Mutex
	st, err := tower.NewPipeline(trace("a", &log, &mu)).
		Spawn(terminal, 1, 1, actor.WithOverflow(mailbox.FailFast))
	require.NoError(t, err)
	res, err := st.Call(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "<a>", res)
	require.NoError(t, st.TryReady(), "readiness is the actor's free mailbox capacity")
	res, err = st.TryCall(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "<a>", res)
	require.NoError(t, st.Stop(context.Background()))
	require.ErrorIs(t, st.TryReady(), tower.ErrClosed)
}

func TestPipelinesNestAsLayers(t *testing.T) {
	var log []string
	var mu sync.Mutex
	inner := tower.NewPipeline(trace("b", &log, &mu), buffer.Layer[string, string](2))
	st, err := tower.NewPipeline(trace("a", &log, &mu), inner.Layer()).Service(terminal)
	require.NoError(t, err)
	res, err := st.Call(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "<ab>", res)
	require.NoError(t, st.Stop(context.Background()), "the nested buffer is stopped too")
}

func ExamplePipeline() {
	upper := tower.ServiceFunc[string, string](func(_ context.Context, s string) (string, error) {
		return fmt.Sprintf("hello, %s", s), nil
	})
	greet := func(inner tower.Service[string, string]) (tower.Service[string, string], error) {
		return tower.ServiceFunc[string, string](func(ctx context.Context, s string) (string, error) {
			if s == "" {
				return "", fmt.Errorf("greet: empty name: %w", tower.ErrRejected)
			}
			return inner.Call(ctx, s)
		}), nil
	}
	p := tower.NewPipeline(greet, buffer.Layer[string, string](16))
	svc, err := p.Service(upper)
	if err != nil {
		panic(err)
	}
	defer svc.Stop(context.Background())

	fmt.Println(svc.Call(context.Background(), "gopher"))
	_, err = svc.Call(context.Background(), "")
	fmt.Println(errors.Is(err, tower.ErrRejected))
	// Output:
	// hello, gopher <nil>
	// true
}
