package actor_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

// BenchmarkActorRoundTrip is one caller's request/reply through a one-worker actor.
func BenchmarkActorRoundTrip(b *testing.B) {
	a, err := actor.Spawn[uint64, uint64](echo, 1024, actor.WithWorkers(1))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Stop(context.Background())
	ctx := context.Background()
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x, _ = a.Call(ctx, x)
	}
}

// BenchmarkRawChannelRoundTrip is the hand-written floor: a goroutine reading one
// request channel and answering on a reply channel the caller owns.
func BenchmarkRawChannelRoundTrip(b *testing.B) {
	type msg struct {
		x     uint64
		reply chan uint64
	}
	reqs := make(chan msg, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range reqs {
			m.reply <- m.x + 1
		}
	}()
	reply := make(chan uint64, 1)
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		reqs <- msg{x, reply}
		x = <-reply
	}
	close(reqs)
	<-done
}

// w3Callers is how many goroutines call at once in the W3-like benchmarks, as the
// bench command's W3 workload does.
const w3Callers = 64

// BenchmarkW3Like is W3's buffer-alone row in small: 64 goroutines calling one
// actor (capacity 1024) over echo, with the default pool and with a fixed one.
// Compare its ns/op with BenchmarkW3LikeRaw's, measured in the same run.
func BenchmarkW3Like(b *testing.B) {
	for _, c := range []struct {
		name string
		opts []actor.Option
	}{
		{"default", nil},
		{"workers=1", []actor.Option{actor.WithWorkers(1)}},
		{"workers=2", []actor.Option{actor.WithWorkers(2)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			a, err := actor.Spawn[uint64, uint64](echo, 1024, c.opts...)
			if err != nil {
				b.Fatal(err)
			}
			defer a.Stop(context.Background())
			b.SetParallelism((w3Callers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				var x uint64
				for pb.Next() {
					x, _ = a.Call(ctx, x)
				}
			})
		})
	}
}

// BenchmarkW3LikeRaw is the raw floor of BenchmarkW3Like: server goroutines reading
// one request channel (capacity 1024) and answering on a reply channel each caller
// owns.
func BenchmarkW3LikeRaw(b *testing.B) {
	type msg struct {
		x     uint64
		reply chan uint64
	}
	for _, servers := range []int{1, 2} {
		b.Run(fmt.Sprintf("servers=%d", servers), func(b *testing.B) {
			reqs := make(chan msg, 1024)
			var wg sync.WaitGroup
			for range servers {
				wg.Go(func() {
					for m := range reqs {
						m.reply <- m.x + 1
					}
				})
			}
			b.SetParallelism((w3Callers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				reply := make(chan uint64, 1)
				var x uint64
				for pb.Next() {
					reqs <- msg{x, reply}
					x = <-reply
				}
			})
			close(reqs)
			wg.Wait()
		})
	}
}
