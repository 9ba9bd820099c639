package breaker_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/breaker"
)

var errBoom = errors.New("boom")

// scripted is an inner service whose next answers the test sets, counting calls.
type scripted struct {
	mu    sync.Mutex
	err   error
	calls int
}

func (s *scripted) Call(_ context.Context, x int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return x, s.err
}

func (s *scripted) set(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// recorder collects a breaker's events and state changes, in order.
type recorder struct {
	mu      sync.Mutex
	states  []string
	changes [][2]breaker.State
}

func (r *recorder) options() []breaker.Option {
	return []breaker.Option{
		breaker.WithEvents(func(e service.Event) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if e.Kind == service.EventStateChanged && e.Stage == "breaker" {
				r.states = append(r.states, e.State)
			}
		}),
		breaker.WithOnStateChange(func(from, to breaker.State) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.changes = append(r.changes, [2]breaker.State{from, to})
		}),
	}
}

func (r *recorder) events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.states...)
}

// call makes one call and returns its error.
func call(t *testing.T, b *breaker.Breaker[int, int]) error {
	t.Helper()
	_, err := b.Call(t.Context(), 1)
	return err
}

func mustNew(t *testing.T, inner service.Service[int, int], opts ...breaker.Option) *breaker.Breaker[int, int] {
	t.Helper()
	b, err := breaker.New(inner, opts...)
	require.NoError(t, err)
	return b
}
