package tower_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
)

// The README's example: one expression builds the whole stack, outermost first. The
// filter, map, limit and timeout are fused in the caller's goroutine, in front of a
// buffer (an actor boundary) over the terminal function.
func Example() {
	svc, err := tower.For[int, int]().
		Filter(func(x int) error { // outermost: sees the request first
			if x < 0 {
				return fmt.Errorf("negative input %d", x)
			}
			return nil
		}).
		MapRequest(func(x int) int { return x + 1 }).
		ConcurrencyLimit(64).
		Timeout(time.Second).
		Buffer(1024). // an actor boundary: a bounded mailbox and its worker
		ServiceFunc(func(_ context.Context, x int) (int, error) { return x * x, nil })
	if err != nil {
		panic(err) // a bad argument to any stage is reported here, once
	}
	defer svc.Stop(context.Background())

	fmt.Println(svc.Call(context.Background(), 4))
	_, err = svc.Call(context.Background(), -1)
	fmt.Println(err, errors.Is(err, service.ErrRejected))
	// Output:
	// 25 <nil>
	// filter: rejected: negative input -1 true
}

// A stage of one's own is a function of (ctx, request, next); it forwards readiness
// and the non-blocking call of everything inside it, so a load shedder in front of
// it still sheds at once.
func ExamplePipeline_Stage() {
	greet, err := tower.For[string, string]().
		LoadShed().
		Stage(func(ctx context.Context, name string, next service.Service[string, string]) (string, error) {
			if name == "" {
				return "", fmt.Errorf("greet: empty name: %w", service.ErrRejected)
			}
			return next.Call(ctx, name)
		}).
		ConcurrencyLimit(16).
		ServiceFunc(func(_ context.Context, s string) (string, error) { return "hello, " + s, nil })
	if err != nil {
		panic(err)
	}
	defer greet.Stop(context.Background())

	fmt.Println(greet.Call(context.Background(), "gopher"))
	_, err = greet.Call(context.Background(), "")
	fmt.Println(errors.Is(err, service.ErrRejected))
	// Output:
	// hello, gopher <nil>
	// true
}

// Bad configuration is one error when the pipeline is built.
func ExamplePipeline_Service() {
	_, err := tower.For[int, int]().
		Timeout(time.Second).
		ConcurrencyLimit(0).
		ServiceFunc(func(_ context.Context, x int) (int, error) { return x, nil })
	fmt.Println(err != nil)
	// Output:
	// true
}
