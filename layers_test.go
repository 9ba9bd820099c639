package tower_test

import (
	"context"
	"testing"
	"time"

	"github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/limit"
	"github.com/tower-go/tower/stage/observe"
	"github.com/tower-go/tower/stage/ratelimit"
	"github.com/tower-go/tower/stage/retry"
)

// TestEveryBuiltInLayerForwardsEveryAbility runs servicetest.CheckLayer over every
// stage the builder offers: readiness, the non-blocking call and a permanent failure
// of the inner service pass through each, so that no stage silently turns off the
// stages around it.
func TestEveryBuiltInLayerForwardsEveryAbility(t *testing.T) {
	shared, err := limit.NewShared(4)
	if err != nil {
		t.Fatal(err)
	}
	lim, err := ratelimit.NewLimiter(1e6, 1000)
	if err != nil {
		t.Fatal(err)
	}
	policy, err := retry.NewPolicy[int, int](3)
	if err != nil {
		t.Fatal(err)
	}
	p := tower.For[int, int]
	passThrough := func(ctx context.Context, n int, next service.Service[int, int]) (int, error) {
		return next.Call(ctx, n)
	}
	for _, tc := range []struct {
		name      string
		p         tower.Pipeline[int, int]
		readiness servicetest.Readiness
	}{
		{"Stage", p().Stage(passThrough), servicetest.Forwards},
		{"Buffer", p().Buffer(4), servicetest.Boundary},
		{"ConcurrencyLimit", p().ConcurrencyLimit(4), servicetest.Forwards},
		{"SharedConcurrencyLimit", p().SharedConcurrencyLimit(shared), servicetest.Forwards},
		{"AdaptiveLimit", p().AdaptiveLimit(), servicetest.Forwards},
		{"LoadShed", p().LoadShed(), servicetest.Sheds},
		{"RateLimit", p().RateLimit(1e6, 1000), servicetest.Forwards},
		{"SharedRateLimit", p().SharedRateLimit(lim), servicetest.Forwards},
		{"Timeout", p().Timeout(time.Second), servicetest.Forwards},
		{"Retry", p().Retry(3), servicetest.Forwards},
		{"RetryPolicy", p().RetryPolicy(policy), servicetest.Forwards},
		{"Hedge", p().Hedge(), servicetest.Forwards},
		{"Breaker", p().Breaker(), servicetest.Forwards},
		{"SpawnReady", p().SpawnReady(), servicetest.Forwards},
		{"Fallback", p().Fallback(func(_ context.Context, _ int, err error) (int, error) { return 0, err }), servicetest.Absorbs},
		{"Filter", p().Filter(func(int) error { return nil }), servicetest.Forwards},
		{"FilterAsync", p().FilterAsync(func(context.Context, int) error { return nil }), servicetest.Forwards},
		{"MapRequest", p().MapRequest(func(n int) int { return n + 1 }), servicetest.Forwards},
		{"MapResponse", p().MapResponse(func(n int) int { return n + 1 }), servicetest.Forwards},
		{"MapErr", p().MapErr(func(err error) error { return err }), servicetest.Forwards},
		{"MapResult", p().MapResult(func(n int, err error) (int, error) { return n, err }), servicetest.Forwards},
		{"Then", p().Then(func(_ context.Context, n int, err error) (int, error) { return n, err }), servicetest.Forwards},
		{"AndThen", p().AndThen(func(_ context.Context, n int) (int, error) { return n, nil }), servicetest.Forwards},
		{"If", p().If(func(int) bool { return true }, p().Timeout(time.Second).AsLayer()), servicetest.Forwards},
		{"Observe", p().Observe(func(o observe.Outcome) {}), servicetest.Forwards},
		{"OptionLayer(nil)", p().OptionLayer(nil).Timeout(time.Second), servicetest.Forwards},
		{"a whole stack", p().MapRequest(func(n int) int { return n }).Timeout(time.Second).ConcurrencyLimit(8).Retry(2), servicetest.Forwards},
	} {
		t.Run(tc.name, func(t *testing.T) {
			servicetest.CheckLayer(t, tc.p.AsLayer(), 1, servicetest.WithReadiness(tc.readiness))
		})
	}
}
