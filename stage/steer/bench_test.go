package steer_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/steer"
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

// BenchmarkRawSwitch is the hand-written router: index a slice of services.
func BenchmarkRawSwitch(b *testing.B) {
	svcs := []service.Service[uint64, uint64]{echo, echo, echo, echo}
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svcs[x%4].Call(ctx, x)
	}
}

// BenchmarkSteer routes over four services by the request's value.
func BenchmarkSteer(b *testing.B) {
	s, err := steer.New(func(x uint64, n int) int { return int(x % uint64(n)) }, echo, echo, echo, echo)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = s.Call(ctx, x)
	}
}
