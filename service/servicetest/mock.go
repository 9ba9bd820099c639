package servicetest

import (
	"context"
	"math"
	"sync"
	"sync/atomic"

	"github.com/tower-go/tower/service"
)

var (
	_ service.Service[int, int]   = (*Mock[int, int])(nil)
	_ service.Readier             = (*Mock[int, int])(nil)
	_ service.TryCaller[int, int] = (*Mock[int, int])(nil)
	_ service.Loader              = (*Mock[int, int])(nil)
)

// New returns a mock service and the handle that scripts it. The mock starts with
// unlimited readiness and answers nothing until the test answers through the handle.
func New[Req, Res any]() (*Mock[Req, Res], *Handle[Req, Res]) {
	s := &state[Req, Res]{changed: make(chan struct{})}
	return &Mock[Req, Res]{s: s}, &Handle[Req, Res]{s: s}
}

// Mock is a service whose readiness and answers a [Handle] scripts. Create it with
// [New]; the zero value is not usable. It is safe for concurrent use. Its methods
// block as documented on each; none starts a goroutine.
type Mock[Req, Res any] struct {
	s *state[Req, Res]
}

// Call hands req to the handle and waits for the test's answer.
//
// It returns ctx.Err() at once, without reaching the handle, if ctx has already
// ended; the permanent error if the handle failed or closed the mock; and, in gated
// mode with no permit left, it waits for one (returning ctx.Err() if ctx ends
// first). Once accepted (consuming a permit in gated mode), the request is recorded
// and queued for Handle.Next, and Call returns the answer the test gives, or
// ctx.Err() as soon as ctx ends, or ErrClosed if the handle is closed first.
func (m *Mock[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return m.s.call(ctx, req, true)
}

// TryCall is Call that never waits for a permit: in gated mode with none left it
// fails at once with ErrNotReady. Once accepted it waits for the answer as Call does.
func (m *Mock[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return m.s.call(ctx, req, false)
}

// Ready returns nil at once when the mock would accept a call (unlimited readiness,
// or a permit left), the permanent error once the handle failed or closed the mock,
// and otherwise waits for one of those or for ctx to end (then it returns ctx.Err()).
// Like every readiness it reserves nothing: a permit can be consumed by another
// caller before this caller calls.
func (m *Mock[Req, Res]) Ready(ctx context.Context) error {
	s := m.s
	s.mu.Lock()
	for {
		if err := s.errLocked(); err != nil {
			s.mu.Unlock()
			return err
		}
		if !s.gated || s.permits > 0 {
			s.mu.Unlock()
			return nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.mu.Lock()
	}
}

// TryReady answers at once: nil when a call would be accepted now, ErrNotReady in
// gated mode with no permit left, or the permanent error.
func (m *Mock[Req, Res]) TryReady() error {
	s := m.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.errLocked(); err != nil {
		return err
	}
	if s.gated && s.permits == 0 {
		return ErrNotReady
	}
	return nil
}

// Load returns the load the handle set with [Handle.SetLoad] (0 until then).
func (m *Mock[Req, Res]) Load() float64 { return math.Float64frombits(m.s.load.Load()) }

// state is shared by a mock and its handle. Every field but changed's waiters is
// guarded by mu; changed is closed and replaced whenever something a waiter may be
// waiting for happens (a permit, a request, a failure, the close).
type state[Req, Res any] struct {
	mu      sync.Mutex
	gated   bool
	permits int
	err     error // set by Fail
	closed  bool
	queue   []*Request[Req, Res] // accepted, not yet taken by Next
	all     []*Request[Req, Res] // accepted, in arrival order
	pending int                  // accepted, not yet answered
	changed chan struct{}
	load    atomic.Uint64 // float64 bits, set by Handle.SetLoad
}

func (s *state[Req, Res]) errLocked() error {
	if s.closed {
		return ErrClosed
	}
	return s.err
}

func (s *state[Req, Res]) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *state[Req, Res]) call(ctx context.Context, req Req, wait bool) (Res, error) {
	var zero Res
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	s.mu.Lock()
	for {
		if err := s.errLocked(); err != nil {
			s.mu.Unlock()
			return zero, err
		}
		if !s.gated || s.permits > 0 {
			break
		}
		if !wait {
			s.mu.Unlock()
			return zero, ErrNotReady
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return zero, ctx.Err()
		}
		s.mu.Lock()
	}
	if s.gated {
		s.permits--
	}
	r := &Request[Req, Res]{Req: req, Ctx: ctx, s: s, reply: make(chan answer[Res], 1)}
	s.queue = append(s.queue, r)
	s.all = append(s.all, r)
	s.pending++
	s.broadcastLocked()
	s.mu.Unlock()

	select {
	case a := <-r.reply:
		return a.res, a.err
	case <-ctx.Done():
		// Prefer an answer that is already there over the cancellation.
		select {
		case a := <-r.reply:
			return a.res, a.err
		default:
			return zero, ctx.Err()
		}
	}
}
