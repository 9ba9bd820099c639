package supervisor_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/supervisor"
)

// chaosInstance is one instance of the chaos service. It panics on 1% of calls,
// hangs on 0.2% until their ctx ends, and echoes the rest.
type chaosInstance struct {
	panicked atomic.Bool
	served   []atomic.Int32 // shared by every instance: how often each request was served
}

func (in *chaosInstance) Call(ctx context.Context, req int) (int, error) {
	in.served[req].Add(1)
	switch r := rand.IntN(1000); {
	case r < 10:
		in.panicked.Store(true)
		panic("chaos")
	case r < 12:
		<-ctx.Done()
		return 0, ctx.Err()
	}
	return req, nil
}

func TestChaosEveryCallAnsweredExactlyOnce(t *testing.T) {
	const callers, calls = 64, 100_000
	served := make([]atomic.Int32, calls)
	var mu sync.Mutex
	var instances []*chaosInstance
	var factoryFails atomic.Int64
	rec := &recorder{}
	s := newSup(t, supervisor.Config{Name: "chaos", Intensity: 1 << 30, Period: time.Second, Events: rec.emit})
	factory := func(ctx context.Context) (service.Service[int, int], error) {
		mu.Lock()
		defer mu.Unlock()
		if len(instances) > 0 && rand.IntN(10) == 0 { // a redial fails now and then
			factoryFails.Add(1)
			return nil, errors.New("dial refused")
		}
		in := &chaosInstance{served: served}
		instances = append(instances, in)
		return in, nil
	}
	c, err := supervisor.Add(context.Background(), s, supervisor.Spec[int, int]{
		Name: "svc", Factory: factory, Workers: 8, Capacity: 256, Backoff: supervisor.Backoff{None: true},
	})
	require.NoError(t, err)
	ref := c.Ref()

	var answered [calls]atomic.Int32
	var ok, failed, timedOut, other atomic.Int64
	var wg sync.WaitGroup
	for g := range callers {
		wg.Go(func() {
			for i := g; i < calls; i += callers {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
				got, err := ref.Call(ctx, i)
				cancel()
				answered[i].Add(1)
				switch {
				case err == nil:
					if got == i {
						ok.Add(1)
					} else {
						other.Add(1)
					}
				case errors.Is(err, service.ErrFailed) && errors.Is(err, service.ErrPanicked):
					failed.Add(1)
				case errors.Is(err, context.DeadlineExceeded):
					timedOut.Add(1)
				default:
					other.Add(1)
					t.Errorf("unexpected error: %v", err)
				}
			}
		})
	}
	wg.Wait()

	for i := range answered {
		require.EqualValues(t, 1, answered[i].Load(), "call %d answered once", i)
		require.LessOrEqual(t, served[i].Load(), int32(1), "request %d served at most once", i)
	}
	assert.EqualValues(t, calls, ok.Load()+failed.Load()+timedOut.Load())
	assert.Zero(t, other.Load(), "no wrong answer, no other error")
	assert.Greater(t, failed.Load(), int64(500), "about 1%% of calls panicked")

	// Restarts match failures: every instance that panicked was replaced once, and
	// every failed redial was a failure that asked for another.
	require.NoError(t, s.Stop(context.Background()))
	mu.Lock()
	panicked := 0
	for _, in := range instances {
		if in.panicked.Load() {
			panicked++
		}
	}
	mu.Unlock()
	restarted := rec.count("chaos/svc", service.EventStateChanged, supervisor.StateRestarted)
	failures := rec.count("chaos/svc", service.EventFailed, "")
	assert.Equal(t, c.Restarts(), restarted)
	assert.GreaterOrEqual(t, panicked, restarted)
	assert.LessOrEqual(t, panicked-restarted, 1, "only the last panicked instance may be left unreplaced at Stop")
	assert.Equal(t, panicked+int(factoryFails.Load()), failures, "one failure per panicked instance and per failed redial")
	t.Logf("ok %d, panicked %d, timed out %d; instances %d, restarts %d, failed redials %d",
		ok.Load(), failed.Load(), timedOut.Load(), len(instances), restarted, factoryFails.Load())
}
