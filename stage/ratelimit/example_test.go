package ratelimit_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/ratelimit"
)

var echo = service.Func[string, string](func(_ context.Context, s string) (string, error) { return s, nil })

// One limiter shared by two services: together they get a burst of 2 calls, then
// one call a minute.
func Example() {
	lim, err := ratelimit.NewLimiter(1.0/60, 2)
	if err != nil {
		panic(err)
	}
	events := func(e service.Event) { fmt.Println("event:", e.Stage, e.Kind, e.Err) }
	a, _ := ratelimit.New(echo, lim, ratelimit.WithFailFast(), ratelimit.WithEvents(events))
	b, _ := ratelimit.New(echo, lim, ratelimit.WithFailFast(), ratelimit.WithEvents(events))
	ctx := context.Background()

	fmt.Println(a.Call(ctx, "a1"))
	fmt.Println(b.Call(ctx, "b1"))
	_, err = a.Call(ctx, "a2")
	fmt.Println(errors.Is(err, ratelimit.ErrLimited), errors.Is(err, service.ErrOverloaded))
	// Output:
	// a1 <nil>
	// b1 <nil>
	// event: ratelimit rate_limited ratelimit: rate limited
	// true true
}

// In the default mode a call waits for its token, unless its deadline comes first.
func ExampleLimiter_Wait() {
	lim, _ := ratelimit.NewLimiter(1.0/3600, 1) // one token an hour
	fmt.Println(lim.Wait(context.Background()))

	ctx, cancel := context.WithTimeout(context.Background(), 1e9) // one second
	defer cancel()
	fmt.Println(lim.Wait(ctx)) // fails at once: the next token is an hour away
	// Output:
	// <nil>
	// ratelimit: rate limited
}
