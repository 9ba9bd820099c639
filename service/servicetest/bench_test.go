package servicetest_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/service/servicetest"
)

// BenchmarkCallServe measures one call answered by a Serve loop: what the mock adds
// to a stage's benchmark when it stands in for the inner service. The recording
// makes memory grow with b.N, so prefer service.Func in long benchmarks.
func BenchmarkCallServe(b *testing.B) {
	ctx := context.Background()
	mock, h := servicetest.New[int, int]()
	served := make(chan error)
	go func() { served <- h.Serve(ctx, func(n int) (int, error) { return n, nil }) }()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mock.Call(ctx, 1); err != nil {
			b.Fatal(err)
		}
	}
	h.Close()
	<-served
}
