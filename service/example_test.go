package service_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
)

// ErrTooBig is how a stage package declares its own sentinel: it matches itself
// and the shared kind.
var ErrTooBig = service.NewError("sizer: request too big", service.ErrRejected)

func Example() {
	size := service.Func[string, int](func(_ context.Context, s string) (int, error) {
		if len(s) > 5 {
			return 0, fmt.Errorf("size %q: %w", s, ErrTooBig)
		}
		return len(s), nil
	})

	ctx := context.Background()
	for _, s := range []string{"tower", "pipeline"} {
		// Oneshot waits for readiness (a Func is always ready), then calls once.
		n, err := service.Oneshot(ctx, size, s)
		switch {
		case errors.Is(err, service.ErrRejected):
			fmt.Println("rejected:", err, "| exact:", errors.Is(err, ErrTooBig))
		case err != nil:
			fmt.Println("error:", err)
		default:
			fmt.Println(s, "has", n, "bytes")
		}
	}
	// Output:
	// tower has 5 bytes
	// rejected: size "pipeline": sizer: request too big | exact: true
}

// A stage forwards its inner service's readiness by embedding service.Forward.
func ExampleForwardReady() {
	type logged struct {
		service.Forward
		service.Service[int, int]
	}
	inner := service.Func[int, int](func(_ context.Context, n int) (int, error) { return n * 2, nil })
	s := logged{Forward: service.ForwardReady(inner), Service: inner}

	var _ service.Readier = s
	fmt.Println(s.TryReady())
	fmt.Println(service.Oneshot[int, int](context.Background(), s, 21))
	// Output:
	// <nil>
	// 42 <nil>
}

func ExampleEventKind_String() {
	fmt.Println(service.EventShed, service.EventBudgetExhausted, service.EventKind(0))
	// Output:
	// shed budget_exhausted unknown
}
