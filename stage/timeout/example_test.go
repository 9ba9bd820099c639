package timeout_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/timeout"
)

func Example() {
	slow := service.Func[string, string](func(ctx context.Context, req string) (string, error) {
		select {
		case <-time.After(time.Second): // a service that honours ctx
			return "hello " + req, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	})
	svc, err := timeout.New(slow, 10*time.Millisecond)
	if err != nil {
		panic(err)
	}
	_, err = svc.Call(context.Background(), "world")
	fmt.Println(err)
	fmt.Println(errors.Is(err, timeout.ErrElapsed), errors.Is(err, context.DeadlineExceeded))
	// Output:
	// timeout: elapsed
	// true true
}

func ExampleLayer() {
	echo := service.Func[int, int](func(ctx context.Context, req int) (int, error) {
		dl, ok := ctx.Deadline()
		fmt.Println("deadline set:", ok, "within 1s:", time.Until(dl) <= time.Second)
		return req + 1, nil
	})
	svc, err := service.Apply(timeout.Layer[int, int](time.Second), new(service.Scope), service.Service[int, int](echo))
	if err != nil {
		panic(err)
	}
	fmt.Println(svc.Call(context.Background(), 41))
	// Output:
	// deadline set: true within 1s: true
	// 42 <nil>
}
