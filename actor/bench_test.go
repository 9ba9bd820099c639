package actor_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

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

// idleItems is how many idle actors (or goroutines) BenchmarkIdle holds at once.
const idleItems = 10_000

// BenchmarkIdle spawns idleItems idle actors (the default pool, mailbox capacity
// 1), holds them all, then stops them all; its raw twin starts idleItems
// goroutines blocked on a receive, then releases them. ns/item is the time of one
// spawn and one stop; B/item is the memory in use (heap and stacks) per item while
// all are held. The supervision issue's S1 bar: an idle actor at most 2x an idle
// goroutine in both.
func BenchmarkIdle(b *testing.B) {
	b.Run("actor", func(b *testing.B) {
		actors := make([]*actor.Actor[uint64, uint64], idleItems)
		measureIdle(b, func() {
			for i := range actors {
				a, err := actor.Spawn[uint64, uint64](echo, 1)
				if err != nil {
					b.Fatal(err)
				}
				actors[i] = a
			}
		}, func() {
			// Stop every actor, then wait for each to end, as the raw twin closes
			// every channel and then joins: a Stop whose ctx has ended closes the
			// mailbox (empty, so nothing is drained) and returns at once.
			ended, cancel := context.WithCancel(context.Background())
			cancel()
			for _, a := range actors {
				_ = a.Stop(ended)
			}
			for _, a := range actors {
				<-a.Done()
			}
		})
	})
	b.Run("goroutine", func(b *testing.B) {
		chans := make([]chan struct{}, idleItems)
		var wg sync.WaitGroup
		measureIdle(b, func() {
			for i := range chans {
				c := make(chan struct{})
				chans[i] = c
				wg.Go(func() { <-c })
			}
		}, func() {
			for _, c := range chans {
				close(c)
			}
			wg.Wait()
		})
	})
}

func measureIdle(b *testing.B, start, stop func()) {
	var bytes uint64
	var spawn, end time.Duration
	rounds := 0
	var before, during runtime.MemStats
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		t0 := time.Now()
		start()
		spawn += time.Since(t0)
		b.StopTimer()
		runtime.ReadMemStats(&during)
		bytes += (during.HeapAlloc + during.StackInuse) - (before.HeapAlloc + before.StackInuse)
		rounds++
		b.StartTimer()
		t0 = time.Now()
		stop()
		end += time.Since(t0)
	}
	n := float64(rounds * idleItems)
	b.ReportMetric(float64((spawn+end).Nanoseconds())/n, "ns/item")
	b.ReportMetric(float64(spawn.Nanoseconds())/n, "spawn-ns/item")
	b.ReportMetric(float64(end.Nanoseconds())/n, "stop-ns/item")
	b.ReportMetric(float64(bytes)/n, "B/item")
	b.ReportMetric(0, "ns/op")
}
