package spawnready_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/spawnready"
)

// conn is a client that connects lazily, in its Ready: whoever waits there waits
// for the dial.
type conn struct{ dialed chan struct{} }

func (c *conn) Call(_ context.Context, req string) (string, error) { return "reply to " + req, nil }

func (c *conn) TryReady() error {
	select {
	case <-c.dialed:
		return nil
	default:
		return service.ErrOverloaded
	}
}

func (c *conn) Ready(ctx context.Context) error {
	select {
	case <-c.dialed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func Example() {
	c := &conn{dialed: make(chan struct{})}
	s, err := spawnready.New(c)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Stop(context.Background())

	// Not connected yet: the stage says so at once, without blocking the caller,
	// while its own goroutine waits in the client's Ready.
	err = s.TryReady()
	fmt.Println(errors.Is(err, service.ErrOverloaded), err)

	close(c.dialed) // the dial completes
	if err := s.Ready(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	res, err := s.Call(context.Background(), "ping")
	fmt.Println(res, err)
	// Output:
	// true spawnready: not ready
	// reply to ping <nil>
}

// In a pipeline the layer hands the stage to the pipeline's scope, whose Stop ends
// the stage's goroutine; after that, calls fail with ErrClosed.
func ExampleLayer() {
	c := &conn{dialed: make(chan struct{})}
	close(c.dialed) // already connected
	sc := new(service.Scope)
	svc, err := service.Apply(spawnready.Layer[string, string](), sc, service.Service[string, string](c))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(svc.Call(context.Background(), "ping"))
	fmt.Println(sc.Stop(context.Background()))
	_, err = svc.Call(context.Background(), "ping")
	fmt.Println(errors.Is(err, service.ErrClosed), err)
	// Output:
	// reply to ping <nil>
	// <nil>
	// true spawnready: closed
}
