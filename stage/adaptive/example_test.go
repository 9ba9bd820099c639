package adaptive_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/adaptive"
)

// An AIMD limit grows by one per successful call while at least half of it is in
// use (one sequential caller lifts it only to 3) and shrinks by at least a tenth
// on a dropped call (here: the service reporting overload).
func Example() {
	ctx := context.Background()
	overloaded := false
	svc := service.Func[int, int](func(_ context.Context, x int) (int, error) {
		if overloaded {
			return 0, service.ErrOverloaded
		}
		return x, nil
	})
	l, err := adaptive.New(svc,
		adaptive.WithAIMD(),
		adaptive.WithInitialLimit(1), adaptive.WithMaxLimit(4),
		adaptive.WithEvents(func(e service.Event) { fmt.Println("limit:", e.Limit) }),
	)
	if err != nil {
		panic(err)
	}
	for range 5 {
		_, _ = l.Call(ctx, 1)
	}
	overloaded = true
	_, err = l.Call(ctx, 1)
	fmt.Println(errors.Is(err, service.ErrOverloaded), l.Limit())
	// Output:
	// limit: 2
	// limit: 3
	// limit: 2
	// true 2
}

// A custom Algorithm: halve the limit whenever a call takes longer than 100 ms,
// otherwise add one.
type halveWhenSlow struct{}

func (halveWhenSlow) Update(s adaptive.Sample) int {
	if s.RTT > 100*time.Millisecond {
		return s.Limit / 2
	}
	return s.Limit + 1
}

func ExampleWithAlgorithm() {
	svc := service.Func[int, int](func(_ context.Context, x int) (int, error) { return x, nil })
	l, err := adaptive.New(svc,
		adaptive.WithAlgorithm(func() adaptive.Algorithm { return halveWhenSlow{} }),
		adaptive.WithInitialLimit(10), adaptive.WithMaxLimit(12))
	if err != nil {
		panic(err)
	}
	for range 5 {
		_, _ = l.Call(context.Background(), 1)
	}
	fmt.Println(l.Limit())
	// Output:
	// 12
}
