package mailbox_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
)

func Example() {
	m, err := mailbox.New[string](2, mailbox.FailFast)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	fmt.Println(m.Send(ctx, "a"), m.Send(ctx, "b"))
	err = m.Send(ctx, "c")
	fmt.Println(err, errors.Is(err, service.ErrOverloaded))

	m.Close()
	m.Drain(func(s string) { fmt.Println("handed back:", s) })
	// Output:
	// <nil> <nil>
	// mailbox: full true
	// handed back: a
	// handed back: b
}
