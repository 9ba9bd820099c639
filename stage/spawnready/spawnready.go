package spawnready

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sourcegraph/conc/panics"

	"github.com/tower-go/tower/service"
)

// States of the stage.
const (
	idle    int32 = iota // readiness is the inner service's
	driving              // the driver is waiting on the inner service's Ready
	failed               // the inner service's readiness failed: see failure
	stopped              // Stop was called
)

// SpawnReady drives its inner service's readiness on a goroutine of its own, so
// that no caller blocks on it. It embeds the inner service's [service.Next] (its
// load and Unwrap are the inner service's) and has a readiness of its own. Create
// it with [New] or [Layer]; the zero value is not usable. It is safe for
// concurrent use. Stop it with [SpawnReady.Stop]; [Layer] hands it to the scope it
// is applied in, which stops it.
type SpawnReady[Req, Res any] struct {
	service.Next[Req, Res] // the inner service; not Bounded: always ready, no driver
	events                 service.EventFunc

	state   atomic.Int32
	failure atomic.Pointer[service.FailedError]

	mu    sync.Mutex
	round *round // the drive in progress, nil unless driving

	kick   chan struct{} // cap 1: start a drive
	ctx    context.Context
	cancel context.CancelFunc // ends the driver
	done   chan struct{}      // closed when the driver has ended; nil without driver
	panics panics.Catcher     // a panic of the driver's own code, reported by Stop
}

// round is one drive: done is closed when the inner Ready has returned, and err
// is then what waiting callers get (nil: ready).
type round struct {
	done chan struct{}
	err  error
}

var (
	_ service.Service[int, int]   = (*SpawnReady[int, int])(nil)
	_ service.Readier             = (*SpawnReady[int, int])(nil)
	_ service.TryCaller[int, int] = (*SpawnReady[int, int])(nil)
	_ service.Stopper             = (*SpawnReady[int, int])(nil)
	_ service.Loader              = (*SpawnReady[int, int])(nil)
)

// New returns the stage over inner. If inner implements service.Readier, New
// starts the goroutine that drives its readiness (one per stage, ended by Stop;
// whoever calls New owns it and must call Stop), and starts a drive at once if
// inner is not ready now. If inner has no readiness it is always ready: nothing is
// started and the stage only forwards calls. It returns an error wrapping
// service.ErrNilService if inner is nil (a nil interface, a nil service.Func, a
// typed nil pointer). A nil Option is ignored.
func New[Req, Res any](inner service.Service[Req, Res], opts ...Option) (*SpawnReady[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("spawnready: %w", err)
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s := &SpawnReady[Req, Res]{Next: next, events: cfg.events}
	if !s.Bounded() {
		return s, nil
	}
	s.kick = make(chan struct{}, 1)
	s.done = make(chan struct{})
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go func() { // joined by Stop through done
		defer close(s.done)
		s.panics.Try(s.drive)
	}()
	_ = s.TryReady()
	return s, nil
}

// Layer returns a layer that wraps its inner service in the stage and hands the
// stage (a [service.Stopper] for its goroutine) to the scope it is applied in:
// stopping the scope stops the stage. Options are checked as by [New].
func Layer[Req, Res any](opts ...Option) service.Layer[Req, Res] {
	return func(sc *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		if sc == nil {
			return nil, errors.New("spawnready: scope is nil")
		}
		s, err := New(inner, opts...)
		if err != nil {
			return nil, err
		}
		if err := sc.Own(context.Background(), s); err != nil {
			_ = s.Stop(context.Background())
			return nil, fmt.Errorf("spawnready: %w", err)
		}
		return s, nil
	}
}

// TryReady reports at once whether the stage is ready. While no drive is in
// progress it asks the inner service: ready is nil; not ready starts a drive in
// the background and returns [ErrNotReady]; a permanent error fails the stage.
// While a drive is in progress it returns ErrNotReady without asking. Once the
// stage failed it returns the *service.FailedError, once stopped [ErrClosed].
// It does not block; when ready it costs one atomic load and the inner TryReady.
func (s *SpawnReady[Req, Res]) TryReady() error {
	switch s.state.Load() {
	case idle:
		err := s.Next.TryReady()
		if err == nil {
			return nil
		}
		return s.notReady(err)
	case driving:
		return ErrNotReady
	case failed:
		return s.failure.Load()
	}
	return ErrClosed
}

// Ready waits until the stage is ready: it returns nil at once if the inner service
// is ready, and otherwise waits, bounded by ctx, for the drive in progress (starting
// one if needed) to end. It returns nil when the inner Ready returned nil, the inner
// Ready's error when it was transient (it matches service.ErrOverloaded or a context
// error; the stage has not failed), the *service.FailedError if it failed,
// [ErrClosed] if the stage was stopped, and ctx.Err() if ctx ended first; ctx ending does not stop the drive, which goes on
// for the next caller. Many callers waiting share one drive.
func (s *SpawnReady[Req, Res]) Ready(ctx context.Context) error {
	for {
		err := s.TryReady()
		if err == nil {
			if !s.Bounded() {
				return ctx.Err()
			}
			return nil
		}
		if err != ErrNotReady {
			return err
		}
		s.mu.Lock()
		r := s.round
		s.mu.Unlock()
		if r == nil {
			continue // the drive ended since TryReady: ask again
		}
		select {
		case <-r.done:
			return r.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Call forwards req to the inner service, unless the stage failed (it then returns
// the *service.FailedError) or was stopped ([ErrClosed]). It does not wait for the
// stage's readiness: check it first (or let the inner service wait, as an actor's
// mailbox does).
func (s *SpawnReady[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	switch s.state.Load() {
	case failed:
		var zero Res
		return zero, s.failure.Load()
	case stopped:
		var zero Res
		return zero, ErrClosed
	}
	return s.Next.Call(ctx, req)
}

// TryCall calls the inner service only if the stage is ready now (see TryReady),
// with the inner service's own non-blocking call where it has one; otherwise it
// fails at once with TryReady's error.
func (s *SpawnReady[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if err := s.TryReady(); err != nil {
		var zero Res
		return zero, err
	}
	return s.Next.TryCall(ctx, req)
}

// Stop stops the stage: from now on every method returns [ErrClosed], callers
// waiting in Ready get ErrClosed, the drive in progress is cancelled (the inner
// Ready's ctx ends), and Stop waits, bounded by ctx, for the stage's goroutine to
// end (it returns ctx.Err() if ctx ends first; the goroutine still ends once the
// inner Ready returns). If the goroutine's own code panicked (a bug; a panic in
// the inner Ready or in the events hook is handled), Stop returns that panic as an
// error. The inner service is not stopped. Stop is safe to call more than once.
func (s *SpawnReady[Req, Res]) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.state.Store(stopped)
	s.mu.Unlock()
	if s.done == nil {
		return nil
	}
	s.cancel()
	select {
	case <-s.done:
		if p := s.panics.Recovered(); p != nil {
			return fmt.Errorf("spawnready: driver panicked: %w", p.AsError())
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Err returns the *service.FailedError if the inner service's readiness failed,
// and nil otherwise.
func (s *SpawnReady[Req, Res]) Err() error {
	if f := s.failure.Load(); f != nil {
		return f
	}
	return nil
}
