package stage_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage"
)

var upper = service.Func[string, string](func(_ context.Context, s string) (string, error) {
	if s == "" {
		return "", errors.New("empty")
	}
	return strings.ToUpper(s), nil
})

// Stages are built innermost first, each over the one below it; a request passes
// them from the outermost in, its response on the way back out. (A pipeline,
// tower.NewPipeline, takes the same stages as layers listed outermost first.)
func Example() {
	angle := must(stage.NewMapResponse(upper, func(s string) string { return "<" + s + ">" }))
	trim := must(stage.NewMapRequest(angle, strings.TrimSpace))
	st := must(stage.NewMapErr(trim, func(err error) error { return fmt.Errorf("upper: %w", err) }))
	ctx := context.Background()
	fmt.Println(st.Call(ctx, "  hello "))
	_, err := st.Call(ctx, "   ")
	fmt.Println(err)
	// Output:
	// <HELLO> <nil>
	// upper: empty
}

// Stages that change the request or response type are constructors, applied to a
// service (often a materialized pipeline).
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
	sc := new(service.Scope) // a pipeline makes one, and stops it with itself
	defer sc.Stop(context.Background())
	st, err := service.Apply(fallback, sc, must(service.Apply(parse, sc, upper)))
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

// If applies a layer to some requests only. The layer is applied in the scope If
// is built in, which owns whatever it starts (a buffer in the branch) and stops it.
func ExampleIf() {
	shout := stage.If(
		func(s string) bool { return strings.HasSuffix(s, "!") },
		stage.MapResponse[string](func(s string) string { return s + "!!" }),
	)
	ctx := context.Background()
	sc := new(service.Scope)
	defer sc.Stop(ctx)
	st, err := service.Apply(shout, sc, upper)
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Call(ctx, "hi"))
	fmt.Println(st.Call(ctx, "hey!"))
	// Output:
	// HI <nil>
	// HEY!!! <nil>
}

// Optional leaves out a layer that configuration did not provide.
func ExampleOptional() {
	var trim service.Layer[string, string] // nil: not configured
	sc := new(service.Scope)
	defer sc.Stop(context.Background())
	st, err := service.Apply(stage.Optional(trim), sc, upper)
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
// unwrapped (or stopped, or reached by its concrete type) by whoever holds it.
func ExampleBox() {
	st, err := stage.NewMapRequest(upper, strings.TrimSpace)
	if err != nil {
		panic(err)
	}
	boxed, err := stage.NewBox[string, string](st)
	if err != nil {
		panic(err)
	}
	var handedOut service.Service[string, string] = boxed
	_, canUnwrap := handedOut.(interface {
		Unwrap() service.Service[string, string]
	})
	fmt.Println(canUnwrap)
	fmt.Println(handedOut.Call(context.Background(), " ok "))
	// Output:
	// false
	// OK <nil>
}
