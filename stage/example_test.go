package stage_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage"
)

var upper = service.Func[string, string](func(_ context.Context, s string) (string, error) {
	if s == "" {
		return "", errors.New("empty")
	}
	return strings.ToUpper(s), nil
})

// Stages listed outermost first: the request passes them top to bottom, the
// response bottom to top.
func Example() {
	st, err := tower.NewPipeline(
		stage.MapErr[string, string](func(err error) error { return fmt.Errorf("upper: %w", err) }),
		stage.MapRequest[string, string](strings.TrimSpace),
		stage.MapResponse[string](func(s string) string { return "<" + s + ">" }),
	).Service(upper)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	fmt.Println(st.Call(ctx, "  hello "))
	_, err = st.Call(ctx, "   ")
	fmt.Println(err)
	// Output:
	// <HELLO> <nil>
	// upper: empty
}

// Stages that change the request or response type are constructors, applied to a
// service (here a materialized pipeline).
func ExampleMapRequestTo() {
	byLen, err := stage.MapRequestTo(upper, func(n int) string { return strings.Repeat("ab", n) })
	if err != nil {
		panic(err)
	}
	count, err := stage.MapResponseTo(byLen, func(s string) int { return strings.Count(s, "B") })
	if err != nil {
		panic(err)
	}
	fmt.Println(count.Call(context.Background(), 3))
	// Output: 3 <nil>
}

// AndThen does follow-up work that can fail, only on success; Then sees every
// result and can fall back.
func ExampleThen() {
	parse := stage.AndThen[string](func(_ context.Context, s string) (string, error) {
		if _, err := strconv.Atoi(s); err != nil {
			return "", fmt.Errorf("not a number: %q", s)
		}
		return s, nil
	})
	fallback := stage.Then[string](func(_ context.Context, s string, err error) (string, error) {
		if err != nil {
			return "0 (" + err.Error() + ")", nil
		}
		return s, nil
	})
	st, err := tower.NewPipeline(fallback, parse).Service(upper)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, in := range []string{"42", "x", ""} {
		fmt.Println(st.Call(ctx, in))
	}
	// Output:
	// 42 <nil>
	// 0 (not a number: "X") <nil>
	// 0 (empty) <nil>
}

// If applies a layer to some requests only.
func ExampleIf() {
	shout := stage.If(
		func(s string) bool { return strings.HasSuffix(s, "!") },
		stage.MapResponse[string](func(s string) string { return s + "!!" }),
	)
	st, err := tower.NewPipeline(shout).Service(upper)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	fmt.Println(st.Call(ctx, "hi"))
	fmt.Println(st.Call(ctx, "hey!"))
	// Output:
	// HI <nil>
	// HEY!!! <nil>
}

// Optional leaves out a layer that configuration did not provide.
func ExampleOptional() {
	var trim service.Layer[string, string] // nil: not configured
	st, err := tower.NewPipeline(stage.Optional(trim)).Service(upper)
	if err != nil {
		panic(err)
	}
	res, err := st.Call(context.Background(), " a ")
	fmt.Printf("%q %v\n", res, err)
	// Output: " A " <nil>
}

// Any erases a service's types for a registry of services of many types; a
// request of the wrong type is an error, and Typed gives the types back.
func ExampleAny() {
	length := service.Func[string, int](func(_ context.Context, s string) (int, error) { return len(s), nil })
	registry := map[string]service.Service[any, any]{
		"upper":  must(stage.Any(upper)),
		"length": must(stage.Any(length)),
	}
	ctx := context.Background()
	fmt.Println(registry["upper"].Call(ctx, "go"))
	fmt.Println(registry["length"].Call(ctx, "tower"))
	_, err := registry["length"].Call(ctx, 42)
	fmt.Println(err, errors.Is(err, stage.ErrWrongType))

	typed, err := stage.Typed[string, int](registry["length"])
	if err != nil {
		panic(err)
	}
	n, err := typed.Call(ctx, "four")
	fmt.Println(n+1, err)
	// Output:
	// GO <nil>
	// 5 <nil>
	// stage: request of type int, want string true
	// 5 <nil>
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Box hands out a service that can be called and asked for readiness, but not
// stopped or unwrapped by whoever holds it.
func ExampleBox() {
	st, err := tower.NewPipeline(stage.MapRequest[string, string](strings.TrimSpace)).Service(upper)
	if err != nil {
		panic(err)
	}
	defer st.Stop(context.Background())
	boxed, err := stage.NewBox[string, string](st)
	if err != nil {
		panic(err)
	}
	var handedOut service.Service[string, string] = boxed
	_, canStop := handedOut.(service.Stopper)
	fmt.Println(canStop)
	fmt.Println(handedOut.Call(context.Background(), " ok "))
	// Output:
	// false
	// OK <nil>
}
