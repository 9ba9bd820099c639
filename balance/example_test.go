package balance_test

import (
	"context"
	"fmt"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/balance"
	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

// Three endpoints, each an actor made by a factory from a discovered address,
// behind a pending-requests load, balanced by the power of two choices.
func Example() {
	addrs, _ := discover.NewStatic(
		discover.Entry[string, string]{Key: "a", Value: "10.0.0.1:80"},
		discover.Entry[string, string]{Key: "b", Value: "10.0.0.2:80"},
		discover.Entry[string, string]{Key: "c", Value: "10.0.0.3:80"},
	)
	endpoints, _ := discover.Map(addrs, func(_ context.Context, _, addr string, sc *service.Scope) (service.Service[int, int], error) {
		a, err := actor.Spawn[int, int](service.Func[int, int](func(_ context.Context, x int) (int, error) {
			return x * x, nil // a real endpoint would call addr
		}), 64, actor.WithWorkers(4))
		if err != nil {
			return nil, err
		}
		_ = sc.Own(context.Background(), a) // the balancer stops it when the endpoint goes
		return a.Ref(), nil
	}, discover.MapConfig{})
	src, _ := load.PendingDiscover(endpoints)

	b, err := balance.New(src) // P2C by default
	if err != nil {
		panic(err)
	}
	defer b.Stop(context.Background())

	ctx := context.Background()
	for x := range 3 {
		fmt.Println(b.Call(ctx, x+2)) // the first call waits for the first endpoint
	}
	// Output:
	// 4 <nil>
	// 9 <nil>
	// 16 <nil>
}
