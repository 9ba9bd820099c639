package breaker_test

import (
	"context"
	"testing"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/breaker"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

func benchBreaker(b *testing.B, opts ...breaker.Option) *breaker.Breaker[uint64, uint64] {
	br, err := breaker.New(echo, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return br
}

// BenchmarkDirect is the floor: the inner service called directly.
func BenchmarkDirect(b *testing.B) {
	ctx := context.Background()
	var s service.Service[uint64, uint64] = echo
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = s.Call(ctx, x)
	}
}

// BenchmarkClosed is a call through a closed breaker with the consecutive-failures
// rule: the overhead every healthy call pays.
func BenchmarkClosed(b *testing.B) {
	br := benchBreaker(b)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = br.Call(ctx, x)
	}
}

// BenchmarkClosedRate adds the failure-rate rule, which reads the clock and counts
// every outcome.
func BenchmarkClosedRate(b *testing.B) {
	br := benchBreaker(b, breaker.WithConsecutiveFailures(5), breaker.WithFailureRate(0.5, 10*time.Second, 20))
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = br.Call(ctx, x)
	}
}

// BenchmarkOpen is a call refused by an open breaker.
func BenchmarkOpen(b *testing.B) {
	failing := service.Func[uint64, uint64](func(context.Context, uint64) (uint64, error) { return 0, context.DeadlineExceeded })
	br, err := breaker.New(failing, breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	_, _ = br.Call(ctx, 0)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = br.Call(ctx, 0)
	}
}

// BenchmarkDirectParallel is the floor for BenchmarkClosedParallel.
func BenchmarkDirectParallel(b *testing.B) {
	ctx := context.Background()
	var s service.Service[uint64, uint64] = echo
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = s.Call(ctx, x)
		}
	})
}

// BenchmarkClosedParallel is BenchmarkClosed from every core at once: a closed
// breaker shares no written cache line between callers.
func BenchmarkClosedParallel(b *testing.B) {
	br := benchBreaker(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = br.Call(ctx, x)
		}
	})
}

// BenchmarkClosedRateParallel is BenchmarkClosedRate from every core at once; the
// callers share the current bucket's counter.
func BenchmarkClosedRateParallel(b *testing.B) {
	br := benchBreaker(b, breaker.WithFailureRate(0.5, 10*time.Second, 20))
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = br.Call(ctx, x)
		}
	})
}
