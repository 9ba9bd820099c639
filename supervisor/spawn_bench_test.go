package supervisor

import (
	"context"
	"strconv"
	"testing"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
)

// BenchmarkSpawn measures what the bench's S1 does per child: Add an idle
// one-worker child, then (all at once) Stop the supervisor.
func BenchmarkSpawn(b *testing.B) {
	names := make([]string, b.N)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	echo := service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil })
	factory := func(context.Context) (service.Service[int, int], error) { return echo, nil }
	sup, err := New(Config{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := Add(ctx, sup, Spec[int, int]{Name: names[i], Factory: factory, Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
	if err := sup.Stop(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSpawnActor is the part of BenchmarkSpawn the actor package costs: a
// named one-worker actor per child, all stopped in reverse order.
func BenchmarkSpawnActor(b *testing.B) {
	names := make([]string, b.N)
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	echo := service.Func[int, int](func(_ context.Context, r int) (int, error) { return r, nil })
	as := make([]*actor.Actor[int, int], b.N)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		a, err := actor.Spawn(echo, DefaultCapacity, actor.WithName(names[i]), actor.WithWorkers(1))
		if err != nil {
			b.Fatal(err)
		}
		as[i] = a
	}
	for i := b.N - 1; i >= 0; i-- {
		_ = as[i].Stop(ctx)
	}
}

// BenchmarkSpawnRaw is the floor: a goroutine blocked on a receive per child.
func BenchmarkSpawnRaw(b *testing.B) {
	chans := make([]chan struct{}, b.N)
	done := make(chan struct{}, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range chans {
		ch := make(chan struct{})
		chans[i] = ch
		go func() {
			<-ch
			done <- struct{}{}
		}()
	}
	for i := len(chans) - 1; i >= 0; i-- {
		close(chans[i])
	}
	for range chans {
		<-done
	}
}
