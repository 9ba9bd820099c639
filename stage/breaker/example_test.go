package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/breaker"
)

// A breaker opens after three failures in a row and then fails calls at once,
// without calling the service, until the open timeout has passed.
func Example() {
	ctx := context.Background()
	calls := 0
	flaky := service.Func[string, string](func(context.Context, string) (string, error) {
		calls++
		return "", errors.New("connection refused")
	})
	b, err := breaker.New(flaky,
		breaker.WithConsecutiveFailures(3),
		breaker.WithOpenTimeout(10*time.Second),
		breaker.WithEvents(func(e service.Event) { fmt.Println("event:", e.Kind, e.State) }),
	)
	if err != nil {
		panic(err)
	}
	for range 5 {
		_, err := b.Call(ctx, "ping")
		fmt.Println(err)
	}
	_, err = b.Call(ctx, "ping")
	fmt.Println("unavailable:", errors.Is(err, service.ErrUnavailable), "calls:", calls, "state:", b.State())
	// Output:
	// connection refused
	// connection refused
	// event: state_changed open
	// connection refused
	// breaker: open
	// breaker: open
	// unavailable: true calls: 3 state: open
}

// A failure-rate rule trips on the share of failures over a rolling window, once
// the window holds enough calls to judge.
func ExampleWithFailureRate() {
	ctx := context.Background()
	n := 0
	svc := service.Func[int, int](func(_ context.Context, x int) (int, error) {
		n++
		if n%2 == 0 {
			return 0, errors.New("bad gateway")
		}
		return x, nil
	})
	b, _ := breaker.New(svc, breaker.WithFailureRate(0.5, time.Minute, 10))
	for i := 1; b.State() == breaker.Closed; i++ {
		_, _ = b.Call(ctx, i)
		fmt.Print(i, " ")
	}
	fmt.Println("->", b.State())
	// Output:
	// 1 2 3 4 5 6 7 8 9 10 -> open
}
