package spawnready_test

import (
	"context"
	"sync"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

// scripted is an echo service whose readiness the test drives: TryReady says what
// open says, and Ready waits for the test to release it (or for its ctx, unless
// deaf). It counts both.
type scripted struct {
	mu        sync.Mutex
	open      bool
	deaf      bool // Ready ignores its ctx
	tryCalls  int
	readyCtxs []context.Context
	release   chan error // Ready returns what is sent here
	panicWith any
	tryErr    error // TryReady returns it when set (a permanent failure)
}

func newScripted() *scripted { return &scripted{release: make(chan error)} }

var notReady = service.NewError("scripted: not ready", service.ErrOverloaded)

func (s *scripted) Call(_ context.Context, req int) (int, error) { return req, nil }

func (s *scripted) TryReady() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tryCalls++
	if s.tryErr != nil {
		return s.tryErr
	}
	if s.open {
		return nil
	}
	return notReady
}

func (s *scripted) Ready(ctx context.Context) error {
	s.mu.Lock()
	s.readyCtxs = append(s.readyCtxs, ctx)
	deaf, p := s.deaf, s.panicWith
	s.mu.Unlock()
	if p != nil {
		panic(p)
	}
	if deaf {
		return s.opened(<-s.release)
	}
	select {
	case err := <-s.release:
		return s.opened(err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *scripted) opened(err error) error {
	if err == nil {
		s.setOpen(true)
	}
	return err
}

func (s *scripted) setOpen(open bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open = open
}

func (s *scripted) counts() (try, ready int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tryCalls, len(s.readyCtxs)
}

func (s *scripted) readyCtx(i int) context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readyCtxs[i]
}

type events = servicetest.Events
