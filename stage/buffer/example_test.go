package buffer_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/buffer"
)

// Many goroutines share one buffered service; the buffer's mailbox bounds how many
// calls may wait.
func Example() {
	double := service.Func[int, int](func(_ context.Context, x int) (int, error) { return 2 * x, nil })
	b, err := buffer.New[int, int](double, 64)
	if err != nil {
		panic(err)
	}
	defer b.Stop(context.Background())

	var mu sync.Mutex
	sum := 0
	var wg sync.WaitGroup
	for i := 1; i <= 10; i++ {
		wg.Go(func() {
			v, err := b.Call(context.Background(), i)
			if err != nil {
				panic(err)
			}
			mu.Lock()
			sum += v
			mu.Unlock()
		})
	}
	wg.Wait()
	fmt.Println(sum)
	// Output: 110
}
