package load_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

// Two endpoints behind peak-EWMA: one answers, one refuses at once because it is
// overloaded. Plain peak-EWMA would see the refusing one as the fastest; here its
// fast failure counts as the penalty, so a balancer avoids it.
func Example() {
	ok := service.Func[string, string](func(_ context.Context, s string) (string, error) { return s, nil })
	busy := service.Func[string, string](func(context.Context, string) (string, error) {
		return "", service.ErrOverloaded
	})
	healthy, _ := load.NewPeakEWMA(ok, load.WithDefaultRTT(10*time.Millisecond))
	refusing, _ := load.NewPeakEWMA(busy, load.WithDefaultRTT(10*time.Millisecond), load.WithPenalty(time.Second))
	ctx := context.Background()

	_, _ = healthy.Call(ctx, "hello")
	_, err := refusing.Call(ctx, "hello")
	fmt.Println("refusing endpoint said:", err)
	fmt.Println("refusing endpoint looks slower:", refusing.Load() > healthy.Load())
	fmt.Println("its estimate is about the penalty:", refusing.RTT() > 900*time.Millisecond)
	// Output:
	// refusing endpoint said: tower: overloaded
	// refusing endpoint looks slower: true
	// its estimate is about the penalty: true
}

// A streamed response: the call counts as pending until the caller has
// finished with it and completes it.
func ExampleWithCompletion() {
	type body struct{ done *load.Completion }
	stream := service.Func[string, *body](func(context.Context, string) (*body, error) { return &body{}, nil })
	p, _ := load.NewPending(stream, load.WithCompletion(func(b *body, c *load.Completion) *body {
		b.done = c // a real body would complete in Close
		return b
	}))

	b, _ := p.Call(context.Background(), "GET /big")
	fmt.Println("in flight while streaming:", p.Load())
	b.done.Complete()
	fmt.Println("in flight after the body is closed:", p.Load())
	// Output:
	// in flight while streaming: 1
	// in flight after the body is closed: 0
}
