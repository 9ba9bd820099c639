package stage_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

func same(x uint64) uint64 { return x }

// BenchmarkBareCall is the floor: the echo service called through the Service
// interface.
func BenchmarkBareCall(b *testing.B) {
	var svc service.Service[uint64, uint64] = echo
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// fused5 applies five MapRequest layers to echo, innermost first, as a pipeline does.
func fused5(b *testing.B) service.Service[uint64, uint64] {
	var svc service.Service[uint64, uint64] = echo
	for range 5 {
		var err error
		if svc, err = service.Apply(stage.MapRequest[uint64, uint64](same), new(service.Scope), svc); err != nil {
			b.Fatal(err)
		}
	}
	return svc
}

// BenchmarkFused5Maps is five fused MapRequest stages over the echo service; the
// cost of one stage is (this - BenchmarkBareCall) / 5.
func BenchmarkFused5Maps(b *testing.B) {
	svc := fused5(b)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// BenchmarkFused5MapsTryCall is BenchmarkFused5Maps through TryCall.
func BenchmarkFused5MapsTryCall(b *testing.B) {
	svc := fused5(b)
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = service.TryCall(ctx, svc, x)
	}
}

// BenchmarkPipeline5Maps is the same five stages applied as a pipeline applies them
// (service.Apply in one scope, innermost first), through the Service interface.
// (Before the stage contract, this went through tower.NewPipeline, whose Stack
// added one indirect call.)
func BenchmarkPipeline5Maps(b *testing.B) {
	m := stage.MapRequest[uint64, uint64](same)
	st, err := stack(new(service.Scope), service.Service[uint64, uint64](echo), m, m, m, m, m)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = st.Call(ctx, x)
	}
}

// BenchmarkRawFuncs5 is the hand-written floor for five mapping steps: five
// function values applied in a row, then the echo.
func BenchmarkRawFuncs5(b *testing.B) {
	fs := []func(uint64) uint64{same, same, same, same, same}
	var svc service.Service[uint64, uint64] = echo
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		for _, f := range fs {
			x = f(x)
		}
		x, _ = svc.Call(ctx, x)
	}
}

func benchOne(b *testing.B, l service.Layer[uint64, uint64]) {
	svc, err := service.Apply(l, new(service.Scope), service.Service[uint64, uint64](echo))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

func BenchmarkMapResponse(b *testing.B) { benchOne(b, stage.MapResponse[uint64](same)) }

func BenchmarkMapErr(b *testing.B) {
	benchOne(b, stage.MapErr[uint64, uint64](func(err error) error { return err }))
}

func BenchmarkMapResult(b *testing.B) {
	benchOne(b, stage.MapResult[uint64](func(x uint64, err error) (uint64, error) { return x, err }))
}

func BenchmarkAndThen(b *testing.B) {
	benchOne(b, stage.AndThen[uint64](func(_ context.Context, x uint64) (uint64, error) { return x, nil }))
}

func BenchmarkThen(b *testing.B) {
	benchOne(b, stage.Then[uint64](func(_ context.Context, x uint64, err error) (uint64, error) { return x, err }))
}

func BenchmarkIf(b *testing.B) {
	benchOne(b, stage.If(func(x uint64) bool { return x%2 == 0 }, stage.MapRequest[uint64, uint64](same)))
}

func BenchmarkBox(b *testing.B) { benchOne(b, stage.Box[uint64, uint64]()) }

// BenchmarkAny calls an erased echo with a uint64 boxed in an any; the response is
// boxed too (one allocation for values above 255).
func BenchmarkAny(b *testing.B) {
	svc, err := stage.Any[uint64, uint64](echo)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var x any = uint64(1000)
	for b.Loop() {
		_, _ = svc.Call(ctx, x)
	}
}

// BenchmarkTypedOverAny is Typed(Any(echo)), which calls echo directly.
func BenchmarkTypedOverAny(b *testing.B) {
	a, err := stage.Any[uint64, uint64](echo)
	if err != nil {
		b.Fatal(err)
	}
	svc, err := stage.Typed[uint64, uint64](a)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}

// BenchmarkMixed5 is five stages that do not fuse (MapRequest, MapResponse, MapErr,
// AndThen, Then) over the echo service: the per-stage cost of an unfused stage is
// (this - BenchmarkBareCall) / 5.
func BenchmarkMixed5(b *testing.B) {
	svc, err := stack(new(service.Scope), service.Service[uint64, uint64](echo),
		stage.MapRequest[uint64, uint64](same),
		stage.MapResponse[uint64](same),
		stage.MapErr[uint64, uint64](func(err error) error { return err }),
		stage.AndThen[uint64](func(_ context.Context, x uint64) (uint64, error) { return x, nil }),
		stage.Then[uint64](func(_ context.Context, x uint64, err error) (uint64, error) { return x, err }),
	)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = svc.Call(ctx, x)
	}
}
