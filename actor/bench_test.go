package actor_test

import (
	"context"
	"testing"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
)

var echo = service.Func[uint64, uint64](func(_ context.Context, x uint64) (uint64, error) { return x + 1, nil })

// BenchmarkActorRoundTrip is one caller's request/reply through a one-worker actor.
func BenchmarkActorRoundTrip(b *testing.B) {
	a, err := actor.Spawn[uint64, uint64](echo, 1024, 1)
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
