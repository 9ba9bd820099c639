package discover_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/service"
)

// A static list of addresses, made into endpoint services by a factory: the
// shape of every source a balancer watches (a DNS source is used the same way).
func Example() {
	addrs, _ := discover.NewStatic(
		discover.Entry[string, string]{Key: "a", Value: "10.0.0.1:80"},
		discover.Entry[string, string]{Key: "b", Value: "10.0.0.2:80"},
	)
	endpoints, _ := discover.Map(addrs, func(_ context.Context, key, addr string, _ *service.Scope) (service.Service[string, string], error) {
		return service.Func[string, string](func(_ context.Context, req string) (string, error) {
			return addr + " answers " + req, nil
		}), nil
	}, discover.MapConfig{})

	ctx := context.Background()
	for {
		c, err := endpoints.Next(ctx)
		if errors.Is(err, discover.ErrEnded) {
			fmt.Println("no more changes")
			break
		}
		res, _ := c.Value.Service.Call(ctx, "ping")
		fmt.Println(c.Op, c.Key+":", res)
	}
	// Output:
	// insert a: 10.0.0.1:80 answers ping
	// insert b: 10.0.0.2:80 answers ping
	// no more changes
}
