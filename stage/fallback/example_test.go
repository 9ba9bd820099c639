package fallback_test

import (
	"context"
	"fmt"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/fallback"
)

func Example() {
	prices := service.Func[string, int](func(context.Context, string) (int, error) {
		return 0, service.ErrOverloaded
	})
	lastKnown := map[string]int{"apple": 3}
	svc, err := fallback.New(prices, func(_ context.Context, item string, err error) (int, error) {
		if p, ok := lastKnown[item]; ok {
			return p, nil
		}
		return 0, err
	}, fallback.WithEvents(func(e service.Event) { fmt.Println(e.Kind, "after", e.Err) }))
	if err != nil {
		panic(err)
	}
	fmt.Println(svc.Call(context.Background(), "apple"))
	fmt.Println(svc.Call(context.Background(), "pear"))
	// Output:
	// fallback after tower: overloaded
	// 3 <nil>
	// fallback after tower: overloaded
	// 0 tower: overloaded
}
