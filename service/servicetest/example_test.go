package servicetest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

// The test plays the inner service: it takes each call from the handle and answers.
func Example() {
	ctx := context.Background()
	mock, h := servicetest.New[string, int]()

	done := make(chan struct{})
	go func() {
		defer close(done)
		r, err := h.Next(ctx)
		if err != nil {
			return
		}
		fmt.Println("service got", r.Req)
		_ = r.Respond(len(r.Req))
	}()

	n, err := mock.Call(ctx, "hello")
	<-done
	fmt.Println("caller got", n, err)
	fmt.Println("calls:", h.Calls(), "pending:", h.Pending())
	// Output:
	// service got hello
	// caller got 5 <nil>
	// calls: 1 pending: 0
}

// Allow gates readiness: with no permit left the mock is not ready, and a
// non-blocking call is refused with an error that matches service.ErrOverloaded.
func ExampleHandle_Allow() {
	ctx := context.Background()
	mock, h := servicetest.New[int, int]()
	h.Allow(1)

	served := make(chan error)
	go func() { served <- h.Serve(ctx, func(n int) (int, error) { return n * 2, nil }) }()
	defer func() { h.Close(); <-served }() // Close ends Serve

	fmt.Println(mock.TryReady())
	fmt.Println(service.TryCall(ctx, mock, 21)) // consumes the only permit
	_, err := service.TryCall(ctx, mock, 1)
	fmt.Println(err, errors.Is(err, service.ErrOverloaded))
	// Output:
	// <nil>
	// 42 <nil>
	// servicetest: not ready true
}

// Serve answers every call with a function until the handle is closed.
func ExampleHandle_Serve() {
	ctx := context.Background()
	mock, h := servicetest.New[string, string]()
	served := make(chan error)
	go func() { served <- h.Serve(ctx, func(s string) (string, error) { return strings.ToUpper(s), nil }) }()

	for _, s := range []string{"a", "b"} {
		res, err := mock.Call(ctx, s)
		fmt.Println(res, err)
	}
	h.Close()
	fmt.Println("serve returned", <-served)
	fmt.Println(h.Requests())
	// Output:
	// A <nil>
	// B <nil>
	// serve returned <nil>
	// [a b]
}
