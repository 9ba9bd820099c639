package tower_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/buffer"
)

// trace is a user-written stage that records when a request passes it and when its
// response passes back.
func trace(name string, log *[]string, mu *sync.Mutex) service.Layer[string, string] {
	return service.Stage(func(ctx context.Context, req string, next service.Service[string, string]) (string, error) {
		mu.Lock()
		*log = append(*log, "in "+name)
		mu.Unlock()
		res, err := next.Call(ctx, req+name)
		mu.Lock()
		*log = append(*log, "out "+name)
		mu.Unlock()
		return res, err
	})
}

var terminal = service.Func[string, string](func(_ context.Context, req string) (string, error) {
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
	right := base.Layer(trace("r", &log, &mu))
	for want, p := range map[string]tower.Pipeline[string, string]{"<a>": base, "<al>": left, "<ar>": right} {
		st, err := p.Service(terminal)
		require.NoError(t, err)
		res, err := st.Call(context.Background(), "")
		require.NoError(t, err)
		assert.Equal(t, want, res)
	}
}

type nilService struct{}

func (*nilService) Call(context.Context, string) (string, error) { return "", nil }

func TestBadInputIsAnErrorAtBuild(t *testing.T) {
	var log []string
	var mu sync.Mutex
	for name, inner := range map[string]service.Service[string, string]{
		"nil":       nil,
		"nil Func":  service.Func[string, string](nil),
		"typed nil": (*nilService)(nil),
	} {
		_, err := tower.NewPipeline[string, string]().Service(inner)
		require.ErrorIs(t, err, service.ErrNilService, name)
	}
	_, err := tower.For[string, string]().ServiceFunc(nil)
	require.ErrorContains(t, err, "terminal function is nil")

	_, err = tower.NewPipeline(trace("a", &log, &mu), nil).Service(terminal)
	require.ErrorContains(t, err, "layer 2 of 2: layer is nil")

	bad := errors.New("capacity must be positive")
	failing := func(*service.Scope, service.Service[string, string]) (service.Service[string, string], error) {
		return nil, bad
	}
	_, err = tower.NewPipeline[string, string](failing).Service(terminal)
	require.ErrorIs(t, err, bad)

	typedNil := func(*service.Scope, service.Service[string, string]) (service.Service[string, string], error) {
		return (*nilService)(nil), nil
	}
	_, err = tower.NewPipeline[string, string](typedNil).Service(terminal)
	require.ErrorContains(t, err, "nil service")

	_, err = tower.For[string, string]().Buffer(0).Service(terminal)
	require.ErrorContains(t, err, "capacity")
}

func TestAFailedBuildStopsTheBoundariesItStarted(t *testing.T) {
	// The buffer is inner to the failing layer, so it was started before the
	// failure; goleak (TestMain) fails the run if its worker is left behind.
	bad := errors.New("bad config")
	failing := func(*service.Scope, service.Service[string, string]) (service.Service[string, string], error) {
		return nil, bad
	}
	_, err := tower.NewPipeline[string, string](failing, buffer.Layer[string, string](4)).Service(terminal)
	require.ErrorIs(t, err, bad)
}

func TestStopStopsEveryBoundaryButNotTheTerminal(t *testing.T) {
	inner, err := buffer.New[string, string](terminal, 4) // owned by the test
	require.NoError(t, err)
	defer inner.Stop(context.Background())

	st, err := tower.For[string, string]().Buffer(8).Buffer(8).Service(inner)
	require.NoError(t, err)
	res, err := st.Call(context.Background(), "x")
	require.NoError(t, err)
	assert.Equal(t, "<x>", res)

	require.NoError(t, st.Stop(context.Background()))
	require.NoError(t, st.Stop(context.Background()), "Stop twice is fine")
	_, err = st.Call(context.Background(), "x")
	require.ErrorIs(t, err, service.ErrClosed)
	res, err = inner.Call(context.Background(), "y")
	require.NoError(t, err, "the terminal service belongs to the caller")
	assert.Equal(t, "<y>", res)
}

func TestAStoppedStackFailsEveryCallAtOnce(t *testing.T) {
	// A fused-only stack owns no goroutine, yet after Stop it serves nothing.
	st, err := tower.For[string, string]().MapRequest(func(s string) string { return s + "!" }).Service(terminal)
	require.NoError(t, err)
	res, err := st.Call(context.Background(), "x")
	require.NoError(t, err)
	assert.Equal(t, "<x!>", res)

	require.NoError(t, st.Stop(context.Background()))
	_, err = st.Call(context.Background(), "x")
	assert.ErrorIs(t, err, service.ErrClosed)
	assert.ErrorIs(t, err, tower.ErrStopped)
	assert.Equal(t, "tower: pipeline stopped", err.Error(), "the error names the pipeline, not an internal package")
	_, err = st.TryCall(context.Background(), "x")
	assert.ErrorIs(t, err, tower.ErrStopped)
	assert.ErrorIs(t, st.TryReady(), tower.ErrStopped)
	assert.ErrorIs(t, st.Ready(context.Background()), tower.ErrStopped)
}

func TestABufferInsideAUserStageIsOwnedByThePipeline(t *testing.T) {
	// A user's layer that builds a buffer inside its stage hands the buffer to the
	// scope; the pipeline's Stop stops it (goleak checks that its workers end).
	withBuffer := func(sc *service.Scope, inner service.Service[string, string]) (service.Service[string, string], error) {
		b, err := buffer.New(inner, 4)
		if err != nil {
			return nil, err
		}
		if err := sc.Own(context.Background(), b); err != nil {
			return nil, err
		}
		return b.Ref(), nil
	}
	st, err := tower.For[string, string]().Layer(withBuffer).Service(terminal)
	require.NoError(t, err)
	res, err := st.Call(context.Background(), "x")
	require.NoError(t, err)
	assert.Equal(t, "<x>", res)
	require.NoError(t, st.Stop(context.Background()))
}

func TestPipelinesNestAsLayers(t *testing.T) {
	var log []string
	var mu sync.Mutex
	inner := tower.NewPipeline(trace("b", &log, &mu)).Buffer(2)
	st, err := tower.NewPipeline(trace("a", &log, &mu), inner.AsLayer()).Service(terminal)
	require.NoError(t, err)
	res, err := st.Call(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "<ab>", res)
	require.NoError(t, st.Stop(context.Background()), "the nested buffer is stopped too")
	_, err = st.Call(context.Background(), "")
	assert.ErrorIs(t, err, service.ErrClosed)
}

// TestAShedderOverAUserStageShedsAtOnce is the case that motivated service.Next: a
// load shedder in front of a user-written stage in front of limit(1) must refuse a
// second call at once while the first holds the permit, not wait for its deadline.
func TestAShedderOverAUserStageShedsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		slow := service.Func[string, string](func(ctx context.Context, s string) (string, error) {
			select {
			case <-release:
				return s, nil
			case <-ctx.Done():
				return "", ctx.Err()
			}
		})
		st, err := tower.For[string, string]().
			LoadShed().
			Stage(func(ctx context.Context, s string, next service.Service[string, string]) (string, error) {
				return next.Call(ctx, s)
			}).
			ConcurrencyLimit(1).
			Service(slow)
		require.NoError(t, err)
		defer st.Stop(context.Background())

		first := make(chan error, 1)
		go func() { _, err := st.Call(t.Context(), "first"); first <- err }()
		synctest.Wait() // the first call holds the only permit

		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		start := time.Now()
		_, err = st.Call(ctx, "second")
		assert.ErrorIs(t, err, service.ErrOverloaded)
		assert.Zero(t, time.Since(start), "shed at once, not after the deadline")
		close(release)
		assert.NoError(t, <-first)
	})
}
