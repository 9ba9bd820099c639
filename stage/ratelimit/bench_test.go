package ratelimit_test

import (
	"context"
	"testing"

	"golang.org/x/time/rate"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/ratelimit"
)

var echo64 = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

// BenchmarkDirect is the floor: calling the inner service with no stage.
func BenchmarkDirect(b *testing.B) {
	ctx := context.Background()
	var svc service.Service[uint64, uint64] = echo64
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// BenchmarkRawRateAllow is the hand-written baseline: x/time/rate's Allow before
// the call.
func BenchmarkRawRateAllow(b *testing.B) {
	lim := rate.NewLimiter(1e9, 1_000_000)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		if lim.Allow() {
			x, _ = echo64(ctx, x)
		}
	}
}

// BenchmarkCall is a call that finds a token (the rate is far above the call rate).
func BenchmarkCall(b *testing.B) {
	lim, _ := ratelimit.NewLimiter(1e9, 1_000_000)
	svc, _ := ratelimit.New(echo64, lim)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// BenchmarkRefused is a call refused at once in fail-fast mode.
func BenchmarkRefused(b *testing.B) {
	lim, _ := ratelimit.NewLimiter(1e-9, 1)
	lim.Allow()
	svc, _ := ratelimit.New(echo64, lim, ratelimit.WithFailFast())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = svc.Call(ctx, 1)
	}
}

// BenchmarkRefusedDeadline is a waiting call refused at once because its token
// would come after its deadline.
func BenchmarkRefusedDeadline(b *testing.B) {
	lim, _ := ratelimit.NewLimiter(1e-9, 1)
	lim.Allow()
	svc, _ := ratelimit.New(echo64, lim)
	ctx, cancel := context.WithTimeout(context.Background(), 3600e9)
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = svc.Call(ctx, 1)
	}
}

// BenchmarkTryReady asks whether a token is there.
func BenchmarkTryReady(b *testing.B) {
	lim, _ := ratelimit.NewLimiter(1e9, 1_000_000)
	svc, _ := ratelimit.New(echo64, lim)
	b.ReportAllocs()
	for b.Loop() {
		_ = svc.TryReady()
	}
}

// BenchmarkCallParallel is every core calling through one shared limiter.
func BenchmarkCallParallel(b *testing.B) {
	lim, _ := ratelimit.NewLimiter(1e9, 1_000_000)
	svc, _ := ratelimit.New(echo64, lim)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = svc.Call(ctx, x)
		}
	})
}
