package supervisor_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/supervisor"
)

// recorder keeps the supervisor events of a test.
type recorder struct {
	mu  sync.Mutex
	got []service.Event
}

func (r *recorder) emit(e service.Event) {
	r.mu.Lock()
	r.got = append(r.got, e)
	r.mu.Unlock()
}

func (r *recorder) count(stage string, kind service.EventKind, state string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.got {
		if (stage == "" || e.Stage == stage) && e.Kind == kind && (state == "" || e.State == state) {
			n++
		}
	}
	return n
}

func (r *recorder) all() []service.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]service.Event(nil), r.got...)
}

// flaky is a scripted child: its instances count their calls; a request of
// "panic" panics, "fail" returns an error; anything else is echoed with the
// instance number.
type flaky struct {
	made    atomic.Int64 // instances made
	factErr atomic.Int64 // factory calls left to fail
	log     chan string  // optional: "made N"
}

func (f *flaky) factory(ctx context.Context) (service.Service[string, string], error) {
	if f.factErr.Load() > 0 {
		f.factErr.Add(-1)
		return nil, errors.New("dial refused")
	}
	n := f.made.Add(1)
	if f.log != nil {
		f.log <- fmt.Sprintf("made %d", n)
	}
	return service.Func[string, string](func(ctx context.Context, req string) (string, error) {
		switch req {
		case "panic":
			panic("boom")
		case "fail":
			return "", errors.New("call failed")
		case "hang":
			<-ctx.Done()
			return "", ctx.Err()
		}
		return fmt.Sprintf("%s@%d", req, n), nil
	}), nil
}

func newSup(t *testing.T, cfg supervisor.Config) *supervisor.Supervisor {
	t.Helper()
	s, err := supervisor.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Stop(context.Background())) })
	return s
}

func addFlaky(t *testing.T, s *supervisor.Supervisor, name string, f *flaky, mod func(*supervisor.Spec[string, string])) *supervisor.Child[string, string] {
	t.Helper()
	spec := supervisor.Spec[string, string]{Name: name, Factory: f.factory, Backoff: supervisor.Backoff{None: true}}
	if mod != nil {
		mod(&spec)
	}
	c, err := supervisor.Add(context.Background(), s, spec)
	require.NoError(t, err)
	return c
}

// eventually polls cond (for tests outside synctest whose progress is on other
// goroutines); it fails after 5 s.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5 s")
		}
		time.Sleep(time.Millisecond)
	}
}
