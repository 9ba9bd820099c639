package timeout_test

import (
	"context"
	"testing"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/timeout"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, req uint64) (uint64, error) { return req + 1, nil })

// BenchmarkTimeout is the stage over an echo with a context.Background parent: the
// inner service never asks for Done, so no timer is armed.
func BenchmarkTimeout(b *testing.B) {
	t, err := timeout.New[uint64, uint64](echo, time.Second)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		n, _ = t.Call(ctx, n)
	}
}

// BenchmarkTimeoutParentEarlier is the pass-through: the parent's deadline is
// earlier than the stage's.
func BenchmarkTimeoutParentEarlier(b *testing.B) {
	t, err := timeout.New[uint64, uint64](echo, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		n, _ = t.Call(ctx, n)
	}
}

// BenchmarkTimeoutDone is the slow path: the inner service selects on ctx.Done, so
// a timer is armed each call.
func BenchmarkTimeoutDone(b *testing.B) {
	inner := service.Func[uint64, uint64](func(ctx context.Context, req uint64) (uint64, error) {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		default:
			return req + 1, nil
		}
	})
	t, err := timeout.New[uint64, uint64](inner, time.Second)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		n, _ = t.Call(ctx, n)
	}
}

// BenchmarkWithTimeoutBaseline is the raw-Go baseline: context.WithTimeout around a
// direct call.
func BenchmarkWithTimeoutBaseline(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		c, cancel := context.WithTimeout(ctx, time.Second)
		n, _ = echo(c, n)
		cancel()
	}
}

// BenchmarkWithTimeoutBaselineDone is the baseline with an inner that selects on Done.
func BenchmarkWithTimeoutBaselineDone(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		c, cancel := context.WithTimeout(ctx, time.Second)
		select {
		case <-c.Done():
		default:
			n++
		}
		cancel()
	}
}
