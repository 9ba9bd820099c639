package tower_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower"
	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/adaptive"
	"github.com/tower-go/tower/stage/breaker"
	"github.com/tower-go/tower/stage/hedge"
	"github.com/tower-go/tower/stage/limit"
	"github.com/tower-go/tower/stage/ratelimit"
	"github.com/tower-go/tower/stage/retry"
)

// noPanic runs f and turns a panic into a test failure that names the input.
func noPanic(t *testing.T, name string, f func() error) (err error) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Errorf("%s: panicked: %v", name, v)
			err = fmt.Errorf("panicked")
		}
	}()
	return f()
}

// TestBadInputIsAnErrorAtConstruction tries nil, typed-nil, zero, negative, huge
// and NaN inputs on every stage of the builder and on the constructors outside it:
// each is a clear error when the pipeline is built, never a panic, never a value
// accepted only to misbehave in a call.
func TestBadInputIsAnErrorAtConstruction(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, n int) (int, error) { return n, nil })
	p := tower.For[int, int]
	nan, inf := math.NaN(), math.Inf(1)
	build := func(pl tower.Pipeline[int, int]) func() error {
		return func() error {
			st, err := pl.Service(echo)
			if err == nil {
				_ = st.Stop(context.Background())
			}
			return err
		}
	}
	cases := map[string]func() error{
		"Buffer(0)":                     build(p().Buffer(0)),
		"Buffer(-1)":                    build(p().Buffer(-1)),
		"Buffer(MaxInt)":                build(p().Buffer(math.MaxInt)),
		"Buffer(nil option)":            build(p().Buffer(4, nil)),
		"Buffer(workers 0)":             build(p().Buffer(4, actor.WithWorkers(0))),
		"ConcurrencyLimit(0)":           build(p().ConcurrencyLimit(0)),
		"ConcurrencyLimit(-1)":          build(p().ConcurrencyLimit(-1)),
		"ConcurrencyLimit(MaxInt)":      build(p().ConcurrencyLimit(math.MaxInt)),
		"SharedConcurrencyLimit(nil)":   build(p().SharedConcurrencyLimit(nil)),
		"SharedConcurrencyLimit(zero)":  build(p().SharedConcurrencyLimit(&limit.Shared{})),
		"RateLimit(0, 1)":               build(p().RateLimit(0, 1)),
		"RateLimit(-1, 1)":              build(p().RateLimit(-1, 1)),
		"RateLimit(NaN, 1)":             build(p().RateLimit(nan, 1)),
		"RateLimit(Inf, 1)":             build(p().RateLimit(inf, 1)),
		"RateLimit(1, 0)":               build(p().RateLimit(1, 0)),
		"RateLimit(1, -1)":              build(p().RateLimit(1, -1)),
		"SharedRateLimit(nil)":          build(p().SharedRateLimit(nil)),
		"SharedRateLimit(zero)":         build(p().SharedRateLimit(&ratelimit.Limiter{})),
		"Timeout(0)":                    build(p().Timeout(0)),
		"Timeout(-1s)":                  build(p().Timeout(-time.Second)),
		"Retry(0)":                      build(p().Retry(0)),
		"Retry(-1)":                     build(p().Retry(-1)),
		"RetryPolicy(nil)":              build(p().RetryPolicy(nil)),
		"RetryPolicy(typed nil)":        build(p().RetryPolicy((*retry.StandardPolicy[int, int])(nil))),
		"Retry budget zero value":       build(p().RetryPolicy(mustPolicy(t), retry.WithBudget(&retry.TpsBudget{}))),
		"Hedge(percentile NaN)":         build(p().Hedge(hedge.WithPercentile(nan))),
		"Hedge(percentile 2)":           build(p().Hedge(hedge.WithPercentile(2))),
		"Hedge(percentile -1)":          build(p().Hedge(hedge.WithPercentile(-1))),
		"Breaker(consecutive 0)":        build(p().Breaker(breaker.WithConsecutiveFailures(0))),
		"Breaker(failure rate NaN)":     build(p().Breaker(breaker.WithFailureRate(nan, time.Second, 10))),
		"Breaker(open timeout -1)":      build(p().Breaker(breaker.WithOpenTimeout(-1))),
		"Breaker(probes 0)":             build(p().Breaker(breaker.WithProbes(0))),
		"AdaptiveLimit(initial 0)":      build(p().AdaptiveLimit(adaptive.WithInitialLimit(0))),
		"AdaptiveLimit(nil algorithm)":  build(p().AdaptiveLimit(adaptive.WithAlgorithm(nil))),
		"AdaptiveLimit(typed-nil alg)":  build(p().AdaptiveLimit(adaptive.WithAlgorithm(func() adaptive.Algorithm { return (*adaptive.AIMD)(nil) }))),
		"Fallback(nil)":                 build(p().Fallback(nil)),
		"Filter(nil)":                   build(p().Filter(nil)),
		"FilterAsync(nil)":              build(p().FilterAsync(nil)),
		"MapRequest(nil)":               build(p().MapRequest(nil)),
		"MapResponse(nil)":              build(p().MapResponse(nil)),
		"MapErr(nil)":                   build(p().MapErr(nil)),
		"MapResult(nil)":                build(p().MapResult(nil)),
		"Then(nil)":                     build(p().Then(nil)),
		"AndThen(nil)":                  build(p().AndThen(nil)),
		"Stage(nil)":                    build(p().Stage(nil)),
		"Observe(nil)":                  build(p().Observe(nil)),
		"If(nil, layer)":                build(p().If(nil, p().AsLayer())),
		"If(pred, nil)":                 build(p().If(func(int) bool { return true }, nil)),
		"Layer(nil)":                    build(p().Layer(nil)),
		"Service(nil Func)":             func() error { _, err := p().Service(service.Func[int, int](nil)); return err },
		"Service(typed nil)":            func() error { _, err := p().Service((*servicetest.Mock[int, int])(nil)); return err },
		"mailbox.New(MaxInt)":           func() error { _, err := mailbox.New[int](math.MaxInt, mailbox.Wait); return err },
		"mailbox.New(0)":                func() error { _, err := mailbox.New[int](0, mailbox.Wait); return err },
		"actor.Spawn(nil)":              func() error { _, err := actor.Spawn[int, int](nil, 4); return err },
		"actor.Spawn(typed nil)":        func() error { _, err := actor.Spawn[int, int]((*servicetest.Mock[int, int])(nil), 4); return err },
		"actor.Spawn(MaxInt)":           func() error { _, err := actor.Spawn[int, int](echo, math.MaxInt); return err },
		"actor.Spawn(nil option)":       func() error { _, err := actor.Spawn[int, int](echo, 4, nil); return err },
		"limit.NewShared(0)":            func() error { _, err := limit.NewShared(0); return err },
		"ratelimit.NewLimiter(NaN, 1)":  func() error { _, err := ratelimit.NewLimiter(nan, 1); return err },
		"retry.NewBudget(0, 0, NaN)":    func() error { _, err := retry.NewBudget(time.Second, 0, nan); return err },
		"retry.NewBudget(-1s, 1, 0.1)":  func() error { _, err := retry.NewBudget(-time.Second, 1, 0.1); return err },
		"retry.NewBackoff(max < min)":   func() error { _, err := retry.NewBackoff(time.Second, time.Millisecond, 2); return err },
		"retry.NewBackoff(factor NaN)":  func() error { _, err := retry.NewBackoff(time.Millisecond, time.Second, nan); return err },
		"hedge.NewBudget(NaN, 1)":       func() error { _, err := hedge.NewBudget(nan, 1); return err },
		"adaptive.NewAIMD(backoff NaN)": func() error { _, err := adaptive.NewAIMD(adaptive.WithBackoff(nan)); return err },
		"adaptive.NewGradient(tol Inf)": func() error { _, err := adaptive.NewGradient(adaptive.WithTolerance(inf)); return err },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			err := noPanic(t, name, f)
			assert.Error(t, err, "%s was accepted", name)
		})
	}
}

func mustPolicy(t *testing.T) retry.Policy[int, int] {
	p, err := retry.NewPolicy[int, int](3)
	require.NoError(t, err)
	return p
}

// TestHugeValuesMeanWhatTheySay: values at the top of their range are accepted
// where they have a meaning, and then behave as that meaning says (a huge timeout is
// no timeout, not an overflowed deadline that fails every call).
func TestHugeValuesMeanWhatTheySay(t *testing.T) {
	echo := service.Func[int, int](func(_ context.Context, n int) (int, error) { return n, nil })
	st, err := tower.For[int, int]().
		Timeout(math.MaxInt64).
		Breaker(breaker.WithOpenTimeout(math.MaxInt64)).
		Service(echo)
	require.NoError(t, err)
	defer st.Stop(context.Background())
	for i := range 3 {
		got, err := st.Call(context.Background(), i)
		require.NoError(t, err, "call %d", i+1)
		assert.Equal(t, i, got)
	}
}
