package loadshed_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/limit"
	"github.com/tower-go/tower/stage/loadshed"
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

// BenchmarkCall is an accepted call over a service with no readiness.
func BenchmarkCall(b *testing.B) {
	svc, _ := loadshed.New(echo64)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// BenchmarkLimitTryCall is the floor for the next one: the limit's TryCall alone.
func BenchmarkLimitTryCall(b *testing.B) {
	lim, _ := limit.New(echo64, 32)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = lim.TryCall(ctx, x)
	}
}

// BenchmarkCallOverLimit is an accepted call through load shedding over a
// concurrency limit (W7's stack).
func BenchmarkCallOverLimit(b *testing.B) {
	lim, _ := limit.New(echo64, 32)
	svc, _ := loadshed.New[uint64, uint64](lim)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// BenchmarkShedOverLimit is a shed call: the limit has no permit free.
func BenchmarkShedOverLimit(b *testing.B) {
	lim, _ := limit.New(echo64, 1)
	p, _ := lim.TryAcquire()
	defer p.Release()
	svc, _ := loadshed.New[uint64, uint64](lim)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = svc.Call(ctx, 1)
	}
}

// BenchmarkCallOverLimitParallel is every core calling through load shedding over
// a limit with room for all of them.
func BenchmarkCallOverLimitParallel(b *testing.B) {
	lim, _ := limit.New(echo64, 1024)
	svc, _ := loadshed.New[uint64, uint64](lim)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = svc.Call(ctx, x)
		}
	})
}
