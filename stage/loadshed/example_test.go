package loadshed_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/limit"
	"github.com/tower-go/tower/stage/loadshed"
)

// Load shedding over a concurrency limit: a call that finds every permit taken
// fails at once instead of waiting.
func Example() {
	echo := service.Func[string, string](func(_ context.Context, s string) (string, error) { return s, nil })
	lim, _ := limit.New(echo, 1)
	svc, _ := loadshed.New(lim, loadshed.WithEvents(func(e service.Event) {
		fmt.Println("event:", e.Stage, e.Kind)
	}))
	ctx := context.Background()

	fmt.Println(svc.Call(ctx, "first"))

	p, _ := lim.TryAcquire() // take the only permit, as a call in flight would
	_, err := svc.Call(ctx, "second")
	fmt.Println(err)
	fmt.Println(errors.Is(err, loadshed.ErrShed), errors.Is(err, service.ErrOverloaded), errors.Is(err, limit.ErrLimited))
	p.Release()
	// Output:
	// first <nil>
	// event: loadshed shed
	// loadshed: overloaded: limit: concurrency limit reached
	// true true true
}
