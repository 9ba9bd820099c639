package limit_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/limit"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

// BenchmarkDirect is the floor: calling the inner service with no stage.
func BenchmarkDirect(b *testing.B) {
	ctx := context.Background()
	var svc service.Service[uint64, uint64] = echo
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// BenchmarkCall is one caller through the limit with permits free.
func BenchmarkCall(b *testing.B) {
	svc, _ := limit.New(echo, 64)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// BenchmarkCallReject is BenchmarkCall in reject mode.
func BenchmarkCallReject(b *testing.B) {
	svc, _ := limit.New(echo, 64, limit.WithReject())
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// BenchmarkTryCall is one caller through the non-blocking call.
func BenchmarkTryCall(b *testing.B) {
	svc, _ := limit.New(echo, 64)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.TryCall(ctx, x)
	}
}

// BenchmarkRejected is a call refused at once in reject mode.
func BenchmarkRejected(b *testing.B) {
	svc, _ := limit.New(echo, 1, limit.WithReject())
	p, _ := svc.TryAcquire()
	defer p.Release()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = svc.Call(ctx, 1)
	}
}

// BenchmarkPermit reserves a permit and makes its call.
func BenchmarkPermit(b *testing.B) {
	svc, _ := limit.New(echo, 64)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		p, _ := svc.Acquire(ctx)
		x, _ = p.Call(ctx, x)
	}
}

// BenchmarkSharedAcquireRelease is the semaphore alone.
func BenchmarkSharedAcquireRelease(b *testing.B) {
	s, _ := limit.NewShared(64)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Acquire(ctx)
		s.Release()
	}
}

// BenchmarkRawChannelSemaphore is the hand-written baseline: a buffered channel
// used as a semaphore around the call.
func BenchmarkRawChannelSemaphore(b *testing.B) {
	sem := make(chan struct{}, 64)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		sem <- struct{}{}
		x, _ = echo(ctx, x)
		<-sem
	}
}

// BenchmarkCallParallel is every core calling through one limit that has room for
// all of them: the cost of sharing the counter.
func BenchmarkCallParallel(b *testing.B) {
	svc, _ := limit.New(echo, 1024)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = svc.Call(ctx, x)
		}
	})
}

// BenchmarkCallParallelSaturated is every core calling through a limit of 1: most
// calls wait in the queue and are handed a permit.
func BenchmarkCallParallelSaturated(b *testing.B) {
	svc, _ := limit.New(echo, 1)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = svc.Call(ctx, x)
		}
	})
}

// BenchmarkRawChannelSemaphoreParallelSaturated is the baseline for the above.
func BenchmarkRawChannelSemaphoreParallelSaturated(b *testing.B) {
	sem := make(chan struct{}, 1)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			sem <- struct{}{}
			x, _ = echo(ctx, x)
			<-sem
		}
	})
}
