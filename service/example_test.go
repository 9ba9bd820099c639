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

// A stage of one's own is a function of (ctx, request, next): it forwards every
// ability of the inner service without knowing about them.
func ExampleStage() {
	inner := service.Func[int, int](func(_ context.Context, n int) (int, error) { return n * 2, nil })
	logged := service.Stage[int, int](func(ctx context.Context, n int, next service.Service[int, int]) (int, error) {
		fmt.Println("call", n)
		return next.Call(ctx, n)
	})
	var sc service.Scope // owns what the layer starts (nothing, here)
	defer sc.Stop(context.Background())
	s, err := service.Apply(logged, &sc, inner)
	if err != nil {
		panic(err)
	}
	fmt.Println(service.TryReady(s))
	fmt.Println(service.TryCall(context.Background(), s, 21))
	// Output:
	// <nil>
	// call 21
	// 42 <nil>
}

func ExampleEventKind_String() {
	fmt.Println(service.EventShed, service.EventBudgetExhausted, service.EventKind(0))
	// Output:
	// shed budget_exhausted unknown
}
