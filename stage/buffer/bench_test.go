package buffer_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/buffer"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

// BenchmarkBufferParallel is many goroutines calling through one buffer.
func BenchmarkBufferParallel(b *testing.B) {
	buf, err := buffer.New[uint64, uint64](echo, 1024)
	if err != nil {
		b.Fatal(err)
	}
	defer buf.Stop(context.Background())
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		var x uint64
		for pb.Next() {
			x, _ = buf.Call(ctx, x)
		}
	})
}
