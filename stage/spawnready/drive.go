package spawnready

import (
	"errors"

	"github.com/tower-go/tower/service"
)

// notReady handles a TryReady of the inner service that was not nil: an overload
// starts a drive, anything else fails the stage.
func (s *SpawnReady[Req, Res]) notReady(err error) error {
	if !errors.Is(err, service.ErrOverloaded) {
		return s.fail(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state.Load() {
	case idle:
		s.round = &round{done: make(chan struct{})}
		s.state.Store(driving)
		s.kick <- struct{}{} // cannot block: a kick is sent only when idle, and taken before the drive ends
		return ErrNotReady
	case driving:
		return ErrNotReady
	case failed:
		return s.failure.Load()
	}
	return ErrClosed
}

// fail records that the inner service's readiness failed with err, unless the
// stage failed or stopped already, and returns what callers get from now on.
func (s *SpawnReady[Req, Res]) fail(err error) error {
	s.mu.Lock()
	switch s.state.Load() {
	case failed:
		s.mu.Unlock()
		return s.failure.Load()
	case stopped:
		s.mu.Unlock()
		return ErrClosed
	}
	f := &service.FailedError{Err: err}
	s.failure.Store(f)
	s.state.Store(failed)
	s.mu.Unlock()
	s.emit(service.Event{Stage: "spawnready", Kind: service.EventFailed, Err: err})
	return f
}

// emit hands e to the events hook, if any. A panic in the hook is recovered and
// discarded: the event is lost, but neither the stage (emit runs outside its lock,
// after its state is settled) nor the process (the driver goroutine has no caller
// to hand a panic to) is harmed.
func (s *SpawnReady[Req, Res]) emit(e service.Event) {
	if s.events == nil {
		return
	}
	defer func() { _ = recover() }()
	s.events(e)
}

// drive is the stage's goroutine: on each kick it waits for the inner service's
// readiness, then wakes the callers waiting for it. It ends on Stop or when the
// inner readiness fails (a transient error does not end it).
func (s *SpawnReady[Req, Res]) drive() {
	defer s.endRound(ErrClosed, false) // a drive started just as Stop was called
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.kick:
		}
		err := s.ready()
		switch {
		case s.ctx.Err() != nil:
			s.endRound(ErrClosed, false) // stopping
			return
		case err == nil || transient(err):
			// Ready, or a wait that ended without the service failing (a timeout
			// that covers readiness, an overload): the waiters get the answer and
			// the next TryReady asks the inner service anew.
			s.endRound(err, true)
		default:
			s.endRound(s.fail(err), false)
			return
		}
	}
}

// transient reports whether an error from the inner Ready concerns that wait only
// (it matches service.ErrOverloaded or a context error, as the service.Readier
// contract says) rather than the inner service having failed. A panic is a failure.
func transient(err error) bool {
	return !errors.Is(err, service.ErrPanicked) && service.IsTransient(err)
}

// endRound ends the drive in progress, if any, with outcome: callers waiting in
// Ready get it, and again makes the stage idle again (its readiness the inner
// service's).
func (s *SpawnReady[Req, Res]) endRound(outcome error, again bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.round
	if r == nil {
		return
	}
	s.round = nil
	if again {
		s.state.CompareAndSwap(driving, idle)
	}
	r.err = outcome
	close(r.done)
}

// ready calls the inner Ready on the stage's goroutine, turning a panic into a
// *service.PanicError (a goroutine the stage owns must not crash the process) and
// reporting it to the events hook, outside the deferred recover.
func (s *SpawnReady[Req, Res]) ready() error {
	panicked, err := s.readyOrPanic()
	if panicked {
		s.emit(service.Event{Stage: "spawnready", Kind: service.EventPanicked, Err: err})
	}
	return err
}

func (s *SpawnReady[Req, Res]) readyOrPanic() (panicked bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			panicked, err = true, service.NewPanicError(v)
		}
	}()
	return false, s.Next.Ready(s.ctx)
}
