package hedge_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/hedge"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

// BenchmarkDirect is the floor: the echo service called directly.
func BenchmarkDirect(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = echo.Call(ctx, x)
	}
}

// BenchmarkNotHedging is a call while the stage does not hedge yet (first period):
// the cost of recording latencies.
func BenchmarkNotHedging(b *testing.B) {
	h, err := hedge.New[uint64, uint64](echo, hedge.WithPeriod(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = h.Call(ctx, x)
	}
}

// BenchmarkHedgingFastPath is a call answered before the hedge delay while the
// stage hedges: a timer armed and stopped, a child ctx, no goroutine.
func BenchmarkHedgingFastPath(b *testing.B) {
	h := warmed(b)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = h.Call(ctx, x)
	}
}

// BenchmarkHedgingFastPathCancellableCtx is the fast path under a caller's ctx that
// can be cancelled, as a server request's is.
func BenchmarkHedgingFastPathCancellableCtx(b *testing.B) {
	h := warmed(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = h.Call(ctx, x)
	}
}

// BenchmarkHedgingFastPathParallel is the fast path from all cores.
func BenchmarkHedgingFastPathParallel(b *testing.B) {
	h := warmed(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		var x uint64
		for pb.Next() {
			x, _ = h.Call(ctx, x)
		}
	})
}

// BenchmarkRawTimerAndCtx is the hand-written floor of the fast path: a child ctx
// and a pooled timer armed and stopped around a direct call.
func BenchmarkRawTimerAndCtx(b *testing.B) {
	ctx := context.Background()
	t := time.AfterFunc(time.Hour, func() {})
	t.Stop()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		c, cancel := context.WithCancel(ctx)
		t.Reset(time.Second)
		x, _ = echo.Call(c, x)
		t.Stop()
		cancel()
	}
}

// warmed returns a hedge over echo that hedges after 1s (never reached).
func warmed(b *testing.B) *hedge.Hedge[uint64, uint64] {
	b.Helper()
	h, err := hedge.New[uint64, uint64](echo)
	if err != nil {
		b.Fatal(err)
	}
	hedge.PinDelay(h, time.Second)
	return h
}

// BenchmarkHedged is a call slower than the hedge delay whose hedge wins: the
// first attempt waits for its ctx, the hedge answers at once. Its time is mostly
// the 20µs delay rounded up by the runtime's timer granularity (about 1ms when
// every goroutine is idle); what matters is the allocations.
func BenchmarkHedged(b *testing.B) {
	var n atomic.Uint64
	svc := service.Func[uint64, uint64](func(ctx context.Context, x uint64) (uint64, error) {
		if n.Add(1)%2 == 1 {
			<-ctx.Done()
			return 0, ctx.Err()
		}
		return x + 1, nil
	})
	h, err := hedge.New[uint64, uint64](svc, hedge.WithBudgetPercent(100))
	if err != nil {
		b.Fatal(err)
	}
	hedge.PinDelay(h, 20*time.Microsecond)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = h.Call(ctx, x)
	}
}
