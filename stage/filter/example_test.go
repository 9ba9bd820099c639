package filter_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/filter"
)

var greet = service.Func[string, string](func(_ context.Context, name string) (string, error) {
	return "hello, " + name, nil
})

func Example() {
	noShouting := func(name string) error {
		if name != "" && name == strings.ToUpper(name) {
			return fmt.Errorf("%q is shouting", name)
		}
		return nil
	}
	f, err := filter.New(greet, noShouting, filter.WithEvents(func(e service.Event) {
		fmt.Println("event:", e.Stage, e.Kind, e.Err)
	}))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	fmt.Println(f.Call(ctx, "ada"))
	_, err = f.Call(ctx, "BOB")
	fmt.Println(err)
	fmt.Println(errors.Is(err, service.ErrRejected), errors.Is(err, filter.ErrRejected))
	// Output:
	// hello, ada <nil>
	// event: filter rejected "BOB" is shouting
	// filter: rejected: "BOB" is shouting
	// true true
}

// An async predicate gets the caller's ctx and may block, as an auth lookup does;
// a transforming one also rewrites the request it passes on.
func ExampleNewAsyncTransform() {
	users := map[string]string{"t0k3n": "ada"} // stands in for a remote lookup
	auth := func(ctx context.Context, token string) (string, error) {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		name, ok := users[token]
		if !ok {
			return "", errors.New("unknown token")
		}
		return name, nil
	}
	f, err := filter.NewAsyncTransform(greet, auth)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	fmt.Println(f.Call(ctx, "t0k3n"))
	_, err = f.Call(ctx, "forged")
	fmt.Println(err)
	// Output:
	// hello, ada <nil>
	// filter: rejected: unknown token
}
