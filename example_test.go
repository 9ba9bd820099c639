package tower_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower"
	"github.com/tower-go/tower/stage"
	"github.com/tower-go/tower/stage/buffer"
	"github.com/tower-go/tower/stage/filter"
)

// The README's example: a filter and a map fused in the caller's goroutine, in
// front of a buffer (an actor boundary) over the terminal service.
func Example() {
	square := tower.ServiceFunc[int, int](func(_ context.Context, x int) (int, error) {
		return x * x, nil
	})
	p := tower.NewPipeline(
		filter.Layer[int, int](func(x int) error { // outermost: sees the request first
			if x < 0 {
				return fmt.Errorf("negative input %d", x)
			}
			return nil
		}),
		stage.MapRequest[int, int](func(x int) int { return x + 1 }),
		buffer.Layer[int, int](1024), // an actor boundary: bounded mailbox + workers
	)
	svc, err := p.Service(square) // fused inline; p.Spawn puts it behind an actor
	if err != nil {
		panic(err)
	}
	defer svc.Stop(context.Background())

	fmt.Println(svc.Call(context.Background(), 4))
	_, err = svc.Call(context.Background(), -1)
	fmt.Println(err, errors.Is(err, tower.ErrRejected))
	// Output:
	// 25 <nil>
	// filter: rejected: negative input -1 true
}
