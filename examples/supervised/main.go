// Command supervised is a runnable example of a supervision tree: a root
// supervisor of two supervisors ("db" with two connections, "cache" with one),
// where the connections crash now and then and are redialled behind the same
// address, with every supervisor event logged through log/slog.
//
//	go run ./examples/supervised
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/supervisor"
)

// dial is a connection factory: each connection answers queries and crashes
// (panics) on every crashEvery-th one, as a flaky driver might.
func dial(name string, crashEvery int64, dials *atomic.Int64) supervisor.Factory[string, string] {
	return func(ctx context.Context) (service.Service[string, string], error) {
		n := dials.Add(1)
		var served atomic.Int64
		return service.Func[string, string](func(_ context.Context, q string) (string, error) {
			if served.Add(1)%crashEvery == 0 {
				panic(fmt.Sprintf("%s: connection %d lost", name, n))
			}
			return fmt.Sprintf("%s#%d: %s", name, n, q), nil
		}), nil
	}
}

// run builds the tree, sends queries through the children's refs and reports
// the outcome on w; the supervisor events are logged to log.
func run(ctx context.Context, w io.Writer, log *slog.Logger, queries int) error {
	root, err := supervisor.New(supervisor.Config{Name: "app", Logger: log, Strategy: supervisor.OneForOne})
	if err != nil {
		return err
	}
	defer root.Stop(context.Background())

	fast := supervisor.Backoff{Min: time.Millisecond, Max: 10 * time.Millisecond}
	db, err := root.AddSupervisor(supervisor.Config{Name: "db", Strategy: supervisor.OneForOne}, supervisor.SubSpec{})
	if err != nil {
		return err
	}
	cache, err := root.AddSupervisor(supervisor.Config{Name: "cache"}, supervisor.SubSpec{})
	if err != nil {
		return err
	}
	var dials atomic.Int64
	for _, c := range []struct {
		sup   *supervisor.Supervisor
		name  string
		crash int64
	}{{db, "primary", 4}, {db, "replica", 7}, {cache, "redis", 5}} {
		if _, err := supervisor.Add(ctx, c.sup, supervisor.Spec[string, string]{
			Name: c.name, Factory: dial(c.name, c.crash, &dials), Backoff: fast,
		}); err != nil {
			return err
		}
	}

	var ok, crashed int
	for i := range queries {
		path := []string{"db/primary", "db/replica", "cache/redis"}[i%3]
		ref, err := supervisor.Lookup[string, string](root, path)
		if err != nil {
			return err
		}
		res, err := ref.Call(ctx, fmt.Sprintf("query %d", i))
		switch {
		case err == nil:
			ok++
			fmt.Fprintln(w, res)
		case errors.Is(err, service.ErrPanicked):
			crashed++
			fmt.Fprintf(w, "%s: query %d failed with its connection (%v)\n", path, i, errors.Is(err, service.ErrFailed))
		default:
			return err
		}
	}
	fmt.Fprintf(w, "%d queries: %d answered, %d lost with a crashed connection\n", queries, ok, crashed)
	return root.Stop(ctx)
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(context.Background(), os.Stdout, log, 30); err != nil {
		fmt.Fprintln(os.Stderr, "supervised:", err)
		os.Exit(1)
	}
}
