package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/retry"
)

func Example() {
	calls := 0
	flakyEcho := service.Func[string, string](func(_ context.Context, req string) (string, error) {
		calls++
		if calls < 3 {
			return "", errors.New("connection reset")
		}
		return "hello " + req, nil
	})
	policy, err := retry.NewPolicy[string, string](3)
	if err != nil {
		panic(err)
	}
	svc, err := retry.New(flakyEcho, policy, retry.WithEvents(func(e service.Event) {
		fmt.Printf("%s: attempt %d after %v\n", e.Kind, e.Attempt, e.Err)
	}))
	if err != nil {
		panic(err)
	}
	fmt.Println(svc.Call(context.Background(), "world"))
	// Output:
	// retried: attempt 2 after connection reset
	// retried: attempt 3 after connection reset
	// hello world <nil>
}

func ExampleNewBudget() {
	// Retries may add 20% to the traffic, plus one a second (over a 10s ttl).
	budget, err := retry.NewBudget(10*time.Second, 1, 0.2)
	if err != nil {
		panic(err)
	}
	down := service.Func[int, int](func(context.Context, int) (int, error) { return 0, service.ErrOverloaded })
	retries := 0
	// Attempts defers a bad argument to when the layer is applied.
	layer := retry.Layer(retry.Attempts[int, int](3), retry.WithBudget(budget), retry.WithEvents(func(e service.Event) {
		if e.Kind == service.EventRetried {
			retries++
		}
	}))
	svc, err := service.Apply(layer, new(service.Scope), service.Service[int, int](down))
	if err != nil {
		panic(err)
	}
	exhausted := 0
	for range 100 {
		if _, err := svc.Call(context.Background(), 1); errors.Is(err, retry.ErrBudgetExhausted) {
			exhausted++
		}
	}
	fmt.Println("calls: 100, retries:", retries, "stopped by the budget:", exhausted)
	// Output: calls: 100, retries: 30 stopped by the budget: 95
}

func ExampleNewBackoff() {
	b, err := retry.NewBackoff(10*time.Millisecond, time.Second, 2)
	if err != nil {
		panic(err)
	}
	for n := 1; n <= 8; n++ {
		d := b.Delay(n)
		ceiling := min(time.Second, 10*time.Millisecond<<n)
		fmt.Printf("retry %d waits between 10ms and %v: %v\n", n, ceiling, d >= 10*time.Millisecond && d <= ceiling)
	}
	// Output:
	// retry 1 waits between 10ms and 20ms: true
	// retry 2 waits between 10ms and 40ms: true
	// retry 3 waits between 10ms and 80ms: true
	// retry 4 waits between 10ms and 160ms: true
	// retry 5 waits between 10ms and 320ms: true
	// retry 6 waits between 10ms and 640ms: true
	// retry 7 waits between 10ms and 1s: true
	// retry 8 waits between 10ms and 1s: true
}
