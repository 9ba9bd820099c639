package adaptive_test

import (
	"context"
	"testing"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/adaptive"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

func benchLimiter(b *testing.B, opts ...adaptive.Option) *adaptive.Limiter[uint64, uint64] {
	l, err := adaptive.New(echo, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return l
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

// BenchmarkRawSemaphore is the raw-Go baseline for a fixed concurrency limit:
// a buffered channel as a semaphore, plus the two clock reads an adaptive limit
// needs to measure latency.
func BenchmarkRawSemaphore(b *testing.B) {
	ctx := context.Background()
	sem := make(chan struct{}, 64)
	var rtt time.Duration
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		sem <- struct{}{}
		start := time.Now()
		x, _ = echo(ctx, x)
		rtt += time.Since(start)
		<-sem
	}
	_ = rtt
}

// BenchmarkCall is one call through the limiter, with a permit free, per algorithm.
func BenchmarkCall(b *testing.B) {
	for _, alg := range []struct {
		name string
		opt  adaptive.Option
	}{{"gradient", adaptive.WithGradient()}, {"aimd", adaptive.WithAIMD()}} {
		b.Run(alg.name, func(b *testing.B) {
			l := benchLimiter(b, alg.opt)
			ctx := context.Background()
			b.ReportAllocs()
			var x uint64
			for b.Loop() {
				x, _ = l.Call(ctx, x)
			}
		})
	}
}

// BenchmarkCallParallel is BenchmarkCall from every core at once: callers share
// the limiter's mutex.
func BenchmarkCallParallel(b *testing.B) {
	l := benchLimiter(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = l.Call(ctx, x)
		}
	})
}

// BenchmarkCallWaiting runs 8 callers per core against a limit of 2, so that most
// calls queue for a permit and are handed one by a finishing call.
func BenchmarkCallWaiting(b *testing.B) {
	l := benchLimiter(b, adaptive.WithAlgorithm(func() adaptive.Algorithm { return fixed{} }), adaptive.WithInitialLimit(2))
	ctx := context.Background()
	b.SetParallelism(8)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = l.Call(ctx, x)
		}
	})
}

// BenchmarkTryCallFull is a call refused at once by a full limiter.
func BenchmarkTryCallFull(b *testing.B) {
	block := make(chan struct{})
	inner := service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) {
		<-block
		return x, nil
	})
	l, err := adaptive.New(inner, adaptive.WithInitialLimit(1), adaptive.WithMaxLimit(1))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = l.Call(ctx, 0)
	}()
	for l.InFlight() == 0 {
		time.Sleep(time.Millisecond)
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = l.TryCall(ctx, 0)
	}
	close(block)
	<-done
}

// fixed is an Algorithm that never moves the limit.
type fixed struct{}

func (fixed) Update(s adaptive.Sample) int { return s.Limit }
