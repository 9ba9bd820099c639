package callall_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/callall"
)

// A worker feeds requests in, reads results out in input order, and branches on
// each result's error.
func ExampleOrdered() {
	ctx := context.Background()
	square := service.Func[int, int](func(_ context.Context, n int) (int, error) {
		if n == 3 {
			return 0, errors.New("three is unlucky")
		}
		return n * n, nil
	})

	in := make(chan int)
	go func() {
		defer close(in)
		for n := 1; n <= 5; n++ {
			in <- n
		}
	}()

	calls, err := callall.Ordered(ctx, square, in, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	for r := range calls.Results() {
		if r.Err != nil {
			fmt.Printf("#%d %d: error: %v\n", r.Index, r.Req, r.Err)
			continue
		}
		fmt.Printf("#%d %d: %d\n", r.Index, r.Req, r.Res)
	}
	// Output:
	// #0 1: 1
	// #1 2: 4
	// #2 3: error: three is unlucky
	// #3 4: 16
	// #4 5: 25
}

// Unordered delivers results as they complete; Index tells where each came from.
func ExampleUnordered() {
	ctx := context.Background()
	double := service.Func[int, int](func(_ context.Context, n int) (int, error) { return 2 * n, nil })

	in := make(chan int, 4)
	for n := range 4 {
		in <- n
	}
	close(in)

	calls, err := callall.Unordered(ctx, double, in, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	got := make([]int, 4)
	for r := range calls.Results() {
		got[r.Index] = r.Res
	}
	fmt.Println(got)
	// Output:
	// [0 2 4 6]
}
