package callall_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/callall"
)

// Each benchmark streams b.N requests through an echo service: the loop sends, a
// consumer goroutine drains the results. ns/op is the cost per item.

func benchRun(b *testing.B, run runner, conc int) {
	ctx := context.Background()
	in := make(chan int, conc)
	out, err := run(ctx, echo, in, conc)
	if err != nil {
		b.Fatal(err)
	}
	var consumer sync.WaitGroup
	consumer.Go(func() {
		for range out {
		}
	})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		in <- i
		i++
	}
	close(in)
	consumer.Wait()
}

func BenchmarkOrdered(b *testing.B) {
	for _, conc := range []int{1, 4, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) { benchRun(b, resultsOf(callall.Ordered[int, int]), conc) })
	}
}

func BenchmarkUnordered(b *testing.B) {
	for _, conc := range []int{1, 4, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) { benchRun(b, resultsOf(callall.Unordered[int, int]), conc) })
	}
}

// BenchmarkRawWorkers is the floor: conc goroutines reading one channel, calling the
// service and writing to another, unordered, with no readiness, index or recover.
func BenchmarkRawWorkers(b *testing.B) {
	for _, conc := range []int{1, 4, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			rawRun := func(ctx context.Context, svc service.Service[int, int], in <-chan int, conc int) (<-chan result, error) {
				out := make(chan result, conc)
				var wg sync.WaitGroup
				for range conc {
					wg.Go(func() {
						for req := range in {
							res, err := svc.Call(ctx, req)
							out <- result{Req: req, Res: res, Err: err}
						}
					})
				}
				go func() { wg.Wait(); close(out) }()
				return out, nil
			}
			benchRun(b, rawRun, conc)
		})
	}
}
