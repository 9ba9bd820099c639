package load_test

import (
	"context"
	"testing"
	"time"

	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

var echo64 = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

type fixedLen int

func (f fixedLen) Len() int { return int(f) }

func benchCall(b *testing.B, svc service.Service[uint64, uint64]) {
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

func benchParallel(b *testing.B, svc service.Service[uint64, uint64]) {
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var x uint64
		for pb.Next() {
			x, _ = svc.Call(ctx, x)
		}
	})
}

func benchLoad(b *testing.B, l service.Loader) {
	b.ReportAllocs()
	var sum float64
	for b.Loop() {
		sum += l.Load()
	}
	_ = sum
}

// BenchmarkDirect is the floor: the endpoint with no metric.
func BenchmarkDirect(b *testing.B) { benchCall(b, echo64) }

func BenchmarkConstantCall(b *testing.B) {
	c, _ := load.NewConstant[uint64, uint64](echo64, 1)
	benchCall(b, c)
}

func BenchmarkDepthCall(b *testing.B) {
	d, _ := load.NewDepth[uint64, uint64](echo64, fixedLen(3))
	benchCall(b, d)
}

func BenchmarkPendingCall(b *testing.B) {
	p, _ := load.NewPending[uint64, uint64](echo64)
	benchCall(b, p)
}

func BenchmarkPendingCallParallel(b *testing.B) {
	p, _ := load.NewPending[uint64, uint64](echo64)
	benchParallel(b, p)
}

func BenchmarkPendingLoad(b *testing.B) {
	p, _ := load.NewPending[uint64, uint64](echo64)
	benchLoad(b, p)
}

func BenchmarkPeakEWMACall(b *testing.B) {
	p, _ := load.NewPeakEWMA[uint64, uint64](echo64)
	benchCall(b, p)
}

func BenchmarkPeakEWMACallParallel(b *testing.B) {
	p, _ := load.NewPeakEWMA[uint64, uint64](echo64)
	benchParallel(b, p)
}

func BenchmarkPeakEWMALoad(b *testing.B) {
	p, _ := load.NewPeakEWMA[uint64, uint64](echo64)
	_, _ = p.Call(context.Background(), 1)
	benchLoad(b, p)
}

// BenchmarkPeakEWMALoadWhileCalled reads the load while other goroutines update
// it: the balancer's side under traffic.
func BenchmarkPeakEWMALoadWhileCalled(b *testing.B) {
	p, _ := load.NewPeakEWMA[uint64, uint64](echo64)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			_, _ = p.Call(ctx, 1)
		}
	}()
	benchLoad(b, p)
	cancel()
	<-done
}

func BenchmarkPeakEWMATrackedCall(b *testing.B) {
	p, _ := load.NewPeakEWMA(echo64, load.WithCompletion(func(r uint64, c *load.Completion) uint64 {
		c.Complete()
		return r
	}))
	benchCall(b, p)
}

// BenchmarkPeakEWMALoadAt is a read at a time the balancer read once per pick.
func BenchmarkPeakEWMALoadAt(b *testing.B) {
	p, _ := load.NewPeakEWMA[uint64, uint64](echo64)
	_, _ = p.Call(context.Background(), 1)
	now := time.Now()
	b.ReportAllocs()
	var sum float64
	for b.Loop() {
		sum += p.LoadAt(now)
	}
	_ = sum
}

// BenchmarkTimeNow is the clock read every peak-EWMA call does twice, for scale.
func BenchmarkTimeNow(b *testing.B) {
	b.ReportAllocs()
	var t time.Time
	for b.Loop() {
		t = time.Now()
	}
	_ = t
}
