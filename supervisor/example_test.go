package supervisor_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/supervisor"
)

// A child whose instance panics is restarted through its factory; the Ref the
// caller holds stays valid, and the next call is served by the new instance.
func Example() {
	root, err := supervisor.New(supervisor.Config{Name: "root"})
	if err != nil {
		panic(err)
	}
	defer root.Stop(context.Background())

	dials := 0
	conn, err := supervisor.Add(context.Background(), root, supervisor.Spec[string, string]{
		Name: "conn",
		Factory: func(context.Context) (service.Service[string, string], error) { // reconnect
			dials++
			n := dials
			return service.Func[string, string](func(_ context.Context, req string) (string, error) {
				if req == "crash" {
					panic("connection lost")
				}
				return fmt.Sprintf("%s from connection %d", req, n), nil
			}), nil
		},
	})
	if err != nil {
		panic(err)
	}
	ref := conn.Ref()
	ctx := context.Background()

	fmt.Println(ref.Call(ctx, "hello"))
	_, err = ref.Call(ctx, "crash")
	fmt.Println(errors.Is(err, service.ErrFailed), errors.Is(err, service.ErrPanicked))
	fmt.Println(ref.Call(ctx, "hello again")) // waits for the redial
	fmt.Println(conn.Restarts())
	// Output:
	// hello from connection 1 <nil>
	// true true
	// hello again from connection 2 <nil>
	// 1
}
