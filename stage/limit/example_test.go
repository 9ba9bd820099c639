package limit_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/limit"
)

var double = service.Func[int, int](func(_ context.Context, x int) (int, error) { return 2 * x, nil })

func Example() {
	svc, err := limit.New(double, 8) // at most 8 calls in flight
	if err != nil {
		panic(err)
	}
	res, err := svc.Call(context.Background(), 21)
	fmt.Println(res, err, svc.InFlight(), svc.Limit())
	// Output: 42 <nil> 0 8
}

// Two services take their permits from one shared limit.
func ExampleNewWithShared() {
	shared, _ := limit.NewShared(1)
	a, _ := limit.NewWithShared(double, shared, limit.WithReject())
	b, _ := limit.NewWithShared(double, shared, limit.WithReject())

	p, _ := a.TryAcquire() // a's reservation uses the only permit
	_, err := b.Call(context.Background(), 1)
	fmt.Println(errors.Is(err, limit.ErrLimited), errors.Is(err, service.ErrOverloaded))
	p.Release()
	res, err := b.Call(context.Background(), 1)
	fmt.Println(res, err)
	// Output:
	// true true
	// 2 <nil>
}

// A reserved permit makes exactly one call; an unused one is released.
func ExampleConcurrency_Acquire() {
	svc, _ := limit.New(double, 1)
	ctx := context.Background()

	p, err := svc.Acquire(ctx)
	if err != nil {
		panic(err)
	}
	defer p.Release() // a no-op once Call has used the permit
	fmt.Println(svc.InFlight())
	fmt.Println(p.Call(ctx, 5))
	fmt.Println(p.Call(ctx, 5))
	fmt.Println(svc.InFlight())
	// Output:
	// 1
	// 10 <nil>
	// 0 limit: permit already used or released
	// 0
}

func ExampleWithReject() {
	events := func(e service.Event) { fmt.Println("event:", e.Stage, e.Kind) }
	svc, _ := limit.New(double, 1, limit.WithReject(), limit.WithEvents(events))
	p, _ := svc.TryAcquire() // hold the only permit
	defer p.Release()
	_, err := svc.Call(context.Background(), 1)
	fmt.Println(err)
	// Output:
	// event: limit shed
	// limit: concurrency limit reached
}
