package spawnready_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/spawnready"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

// readyEcho is echo with readiness that is always granted.
type readyEcho struct{ service.Func[uint64, uint64] }

func (readyEcho) Ready(ctx context.Context) error { return ctx.Err() }
func (readyEcho) TryReady() error                 { return nil }

// BenchmarkDirect is the floor: readiness check and call on the bare service.
func BenchmarkDirect(b *testing.B) {
	inner := readyEcho{echo}
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		if inner.TryReady() == nil {
			x, _ = inner.Call(ctx, x)
		}
	}
}

// BenchmarkReadyCall is TryReady then Call through a ready stage.
func BenchmarkReadyCall(b *testing.B) {
	s, err := spawnready.New[uint64, uint64](readyEcho{echo})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop(context.Background())
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		if s.TryReady() == nil {
			x, _ = s.Call(ctx, x)
		}
	}
}

// BenchmarkNotReady is TryReady on a stage whose drive is in progress: what a
// balancer pays to skip a slow endpoint.
func BenchmarkNotReady(b *testing.B) {
	m, h := servicetest.New[uint64, uint64]()
	defer h.Close()
	h.Allow(0)
	s, err := spawnready.New[uint64, uint64](m)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop(context.Background())
	b.ReportAllocs()
	for b.Loop() {
		_ = s.TryReady()
	}
}

// BenchmarkDrive is one whole drive: TryReady finds the inner service not ready
// and starts a drive, the inner Ready is released, and a caller waiting in Ready
// wakes when the stage's goroutine has seen it: two goroutine hand-offs.
func BenchmarkDrive(b *testing.B) {
	inner := newScripted()
	s, err := spawnready.New(inner)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop(context.Background())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		inner.setOpen(false)
		_ = s.TryReady() // starts a drive (or finds New's)
		inner.release <- nil
		if err := s.Ready(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
