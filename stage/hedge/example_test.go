package hedge_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/hedge"
)

// A service that is usually quick but sometimes hangs: the hedge sends the hung
// call again once it is slower than the median of the last period, and the copy
// answers.
func Example() {
	var attempts atomic.Int32
	backend := service.Func[string, string](func(ctx context.Context, req string) (string, error) {
		if attempts.Add(1) == 4 { // the first attempt of the fourth call hangs
			select {
			case <-ctx.Done(): // until the hedge wins and cancels it
				return "", ctx.Err()
			case <-time.After(5 * time.Second):
				return "hung", nil
			}
		}
		return "hello " + req, nil
	})

	var hedged atomic.Int32
	h, err := hedge.New(backend,
		hedge.WithPeriod(time.Second),
		hedge.WithPercentile(0.5),
		hedge.WithMinDataPoints(3),
		hedge.WithBudgetPercent(100),
		hedge.WithEvents(func(e service.Event) {
			if e.Kind == service.EventHedged {
				hedged.Add(1)
			}
		}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for _, name := range []string{"a", "b", "c"} { // the first period: latencies
		_, _ = h.Call(ctx, name)
	}
	// The next period hedges at their median. Its middle leaves half a period of
	// slack either side for a slow machine.
	time.Sleep(1500 * time.Millisecond)

	res, err := h.Call(ctx, "d")
	fmt.Println(res, err, "hedges:", hedged.Load())
	// Output: hello d <nil> hedges: 1
}

// A budget of 10% with a burst of 2: ten calls pay for one hedge, and no more than
// two can be saved up.
func ExampleNewBudget() {
	b, err := hedge.NewBudget(10, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 25 {
		b.Deposit()
	}
	fmt.Println(b.Hedges(), b.Withdraw(), b.Withdraw(), b.Withdraw())
	// Output: 2 true true false
}
