package actor_test

import (
	"context"
	"fmt"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
)

// An actor with one worker serves calls one at a time, so its service may keep
// state without locks.
func Example() {
	total := 0
	adder := service.Func[int, int](func(_ context.Context, x int) (int, error) {
		total += x
		return total, nil
	})
	a, err := actor.Spawn[int, int](adder, 16, actor.WithWorkers(1))
	if err != nil {
		panic(err)
	}
	defer a.Stop(context.Background())

	ref := a.Ref() // the address callers get: it can call, not stop
	for _, x := range []int{1, 2, 3} {
		sum, err := ref.Call(context.Background(), x)
		fmt.Println(sum, err)
	}
	// Output:
	// 1 <nil>
	// 3 <nil>
	// 6 <nil>
}
