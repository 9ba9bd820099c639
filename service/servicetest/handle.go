package servicetest

import (
	"context"
	"errors"
	"math"
)

// Handle scripts a [Mock]: its readiness, and the answers to the calls it accepted.
// Create it with [New]; the zero value is not usable. It is safe for concurrent use.
type Handle[Req, Res any] struct {
	s *state[Req, Res]
}

// Allow switches the mock to gated mode, if it was not already, and adds n permits.
// In gated mode every call the mock accepts consumes one permit; with none left,
// Ready and Call wait for one and TryReady and TryCall fail with ErrNotReady. So
// Allow(0) makes the mock not ready, and Allow(2) after that lets exactly two more
// calls in. Permits do not expire and are not consumed by Ready. Allow wakes
// everything waiting for a permit. It panics if n is negative.
func (h *Handle[Req, Res]) Allow(n int) {
	if n < 0 {
		panic("servicetest: Handle.Allow with a negative count")
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gated = true
	s.permits += n
	s.broadcastLocked()
}

// Fail makes the mock's readiness fail for good with err: from now on Ready,
// TryReady, Call and TryCall return err (a later Fail replaces it; after Close they
// return ErrClosed). Calls already accepted are not touched: the test still answers
// them. Fail wakes everything waiting on the mock. It panics if err is nil.
func (h *Handle[Req, Res]) Fail(err error) {
	if err == nil {
		panic("servicetest: Handle.Fail with a nil error")
	}
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
	s.broadcastLocked()
}

// Next returns the oldest accepted call that Next or TryNext has not returned yet,
// waiting for one if there is none. It returns ctx.Err() if ctx ends first, and
// ErrClosed once the handle is closed. Calls come out in the order the mock accepted
// them, including calls whose caller has since given up (see Request.Ctx).
func (h *Handle[Req, Res]) Next(ctx context.Context) (*Request[Req, Res], error) {
	s := h.s
	s.mu.Lock()
	for {
		if r := s.popLocked(); r != nil {
			s.mu.Unlock()
			return r, nil
		}
		if s.closed {
			s.mu.Unlock()
			return nil, ErrClosed
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		s.mu.Lock()
	}
}

// TryNext is Next without waiting: it returns the oldest call not yet returned and
// true, or nil and false if there is none.
func (h *Handle[Req, Res]) TryNext() (*Request[Req, Res], bool) {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.popLocked()
	return r, r != nil
}

func (s *state[Req, Res]) popLocked() *Request[Req, Res] {
	if len(s.queue) == 0 {
		return nil
	}
	r := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	return r
}

// Calls returns the number of calls the mock has accepted. Calls refused at once
// (ended ctx, no permit for TryCall, failed or closed mock) are not counted.
func (h *Handle[Req, Res]) Calls() int {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return len(h.s.all)
}

// Requests returns a copy of every request the mock has accepted, in arrival order.
func (h *Handle[Req, Res]) Requests() []Req {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	out := make([]Req, len(h.s.all))
	for i, r := range h.s.all {
		out[i] = r.Req
	}
	return out
}

// Pending returns the number of accepted calls that have no answer yet, whether or
// not Next has returned them and whether or not their caller has given up.
func (h *Handle[Req, Res]) Pending() int {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.s.pending
}

// Close shuts the mock down: every accepted call that has no answer yet is answered
// with ErrClosed (a later Respond or Error on it returns ErrAnswered), callers
// waiting for a permit and goroutines in Ready or Next return ErrClosed, and every
// later call, readiness check and Next returns ErrClosed. Close is idempotent and
// does not block.
func (h *Handle[Req, Res]) Close() {
	s := h.s
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.queue = nil
	all := s.all
	s.broadcastLocked()
	s.mu.Unlock()
	for _, r := range all {
		_ = r.Error(ErrClosed) // ErrAnswered for those already answered
	}
}

// Serve answers calls with fn until ctx ends (it then returns ctx.Err()) or the
// handle is closed (it then returns nil): it takes each call with Next, in arrival
// order, and answers it with what fn returns (the caller gets fn's result and error
// as they are). Serve answers one call at a time on the goroutine that runs it; run
// several Serve loops for concurrent answers. fn runs whatever the caller's ctx; a
// panic in fn is not recovered.
func (h *Handle[Req, Res]) Serve(ctx context.Context, fn func(Req) (Res, error)) error {
	for {
		r, err := h.Next(ctx)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				return nil
			}
			return err
		}
		res, err := fn(r.Req)
		_ = r.answer(res, err) // ErrAnswered only if Close got there first
	}
}

// SetLoad sets the load the mock reports through service.Loader: what a balancer
// or a load metric over the mock reads.
func (h *Handle[Req, Res]) SetLoad(v float64) { h.s.load.Store(math.Float64bits(v)) }
