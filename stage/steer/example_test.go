package steer_test

import (
	"context"
	"fmt"
	"hash/maphash"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/steer"
)

// Route reads and writes to different backends by the request's method.
func Example() {
	reads := service.Func[string, string](func(_ context.Context, req string) (string, error) {
		return "replica served " + req, nil
	})
	writes := service.Func[string, string](func(_ context.Context, req string) (string, error) {
		return "primary served " + req, nil
	})
	byMethod := func(req string, _ int) int {
		if len(req) >= 3 && req[:3] == "GET" {
			return 0
		}
		return 1
	}
	s, err := steer.New(byMethod, reads, writes)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, req := range []string{"GET /a", "PUT /a", "GET /b"} {
		res, _ := s.Call(context.Background(), req)
		fmt.Println(res)
	}
	// Output:
	// replica served GET /a
	// primary served PUT /a
	// replica served GET /b
}

// Shard by key: the same key always goes to the same service.
func ExamplePicker() {
	seed := maphash.MakeSeed()
	byKey := steer.Picker[string](func(key string, n int) int {
		return int(maphash.String(seed, key) % uint64(n))
	})
	shards := make([]service.Service[string, int], 4)
	for i := range shards {
		shards[i] = service.Func[string, int](func(context.Context, string) (int, error) { return i, nil })
	}
	s, err := steer.New(byKey, shards...)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := s.Call(context.Background(), "user:42")
	b, _ := s.Call(context.Background(), "user:42")
	fmt.Println(a == b)
	// Output: true
}
