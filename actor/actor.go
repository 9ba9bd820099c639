package actor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
)

// Actor runs a service on worker goroutines that drain one bounded mailbox. Create
// one with [Spawn]; the zero value is not usable. All methods are safe for
// concurrent use.
type Actor[Req, Res any] struct {
	svc    service.Service[Req, Res]
	ready  service.Readier // svc's readiness, nil when svc has none
	mb     *mailbox.Mailbox[*envelope[Req, Res]]
	pool   sync.Pool
	events service.EventFunc
	name   string

	failed atomic.Pointer[service.FailedError]

	max     int32         // most workers the pool may grow to
	elastic bool          // max > initial workers: track busy workers and grow
	busy    atomic.Int32  // workers inside serve (counted only when elastic)
	live    atomic.Int32  // workers still running
	done    chan struct{} // closed by the last worker to end
}

var (
	_ service.Service[int, int]   = (*Actor[int, int])(nil)
	_ service.Readier             = (*Actor[int, int])(nil)
	_ service.TryCaller[int, int] = (*Actor[int, int])(nil)
	_ service.Stopper             = (*Actor[int, int])(nil)
)

// Spawn starts an actor that serves svc with workers goroutines over a mailbox of
// the given capacity. capacity and workers must be at least 1; svc must not be nil.
// Stop the actor with [Actor.Stop] when done with it.
//
// Choosing the bounds: workers is how many calls run at once (1 for one-at-a-time
// actor semantics); capacity is how many calls may wait beyond those, which bounds
// both memory and the queueing delay a caller can meet (about capacity/workers
// service times).
func Spawn[Req, Res any](svc service.Service[Req, Res], capacity, workers int, opts ...Option) (*Actor[Req, Res], error) {
	if svc == nil {
		return nil, errors.New("actor: nil service")
	}
	if workers < 1 {
		return nil, fmt.Errorf("actor: workers must be at least 1, got %d", workers)
	}
	o := options{name: "actor"}
	for _, opt := range opts {
		opt(&o)
	}
	mb, err := mailbox.New[*envelope[Req, Res]](capacity, o.overflow)
	if err != nil {
		return nil, fmt.Errorf("actor: %w", err)
	}
	a := &Actor[Req, Res]{
		svc:    svc,
		mb:     mb,
		events: o.events,
		name:   o.name,
		done:   make(chan struct{}),
	}
	a.ready, _ = svc.(service.Readier)
	a.pool.New = func() any { return &envelope[Req, Res]{done: make(chan struct{}, 1)} }
	a.max = int32(max(o.max, workers))
	a.elastic = a.max > int32(workers)
	a.live.Store(int32(workers))
	for range workers {
		go a.work() // joined through Done: the last worker to end closes it
	}
	return a, nil
}

// Call sends req to the actor and waits for the reply, bounded by ctx. On a full
// mailbox it waits for room or fails at once, as the overflow policy says.
func (a *Actor[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return a.call(ctx, req, false)
}

// TryCall sends req only if the mailbox has room now, failing at once with an error
// matching service.ErrOverloaded otherwise; once accepted it waits for the reply as
// Call does.
func (a *Actor[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return a.call(ctx, req, true)
}

func (a *Actor[Req, Res]) call(ctx context.Context, req Req, try bool) (Res, error) {
	var zero Res
	if f := a.failed.Load(); f != nil {
		return zero, f
	}
	e := a.pool.Get().(*envelope[Req, Res])
	e.ctx, e.req = ctx, req
	var err error
	if try {
		err = a.mb.TrySend(e)
	} else {
		err = a.mb.Send(ctx, e)
	}
	if err != nil {
		a.recycle(e)
		return zero, err
	}
	if a.elastic && a.mb.Len() > int(a.live.Load()-a.busy.Load()) {
		a.grow() // more calls queued than idle workers: this one would wait
	}
	cancel := ctx.Done()
	if cancel == nil { // ctx can never end: a plain receive is cheapest
		<-e.done
		return a.take(e)
	}
	select {
	case <-e.done:
		return a.take(e)
	case <-cancel:
	}
	if e.state.CompareAndSwap(pending, abandoned) {
		return zero, ctx.Err() // the worker recycles e when it gets to it
	}
	<-e.done // the worker replied as we gave up: take its reply
	return a.take(e)
}

func (a *Actor[Req, Res]) take(e *envelope[Req, Res]) (Res, error) {
	res, err := e.res, e.err
	a.recycle(e)
	return res, err
}

func (a *Actor[Req, Res]) recycle(e *envelope[Req, Res]) {
	var zero Res
	var zeroReq Req
	e.ctx, e.req, e.res, e.err = nil, zeroReq, zero, nil
	e.state.Store(pending)
	a.pool.Put(e)
}

// Ready waits until the mailbox has room, bounded by ctx. It returns the failure if
// the actor failed and an error matching service.ErrClosed once it is stopping.
func (a *Actor[Req, Res]) Ready(ctx context.Context) error {
	if f := a.failed.Load(); f != nil {
		return f
	}
	return a.mb.Ready(ctx)
}

// TryReady reports at once whether the mailbox has room.
func (a *Actor[Req, Res]) TryReady() error {
	if f := a.failed.Load(); f != nil {
		return f
	}
	return a.mb.TryReady()
}

// Len returns the number of calls waiting in the mailbox, Cap its capacity. Load
// metrics read them.
func (a *Actor[Req, Res]) Len() int { return a.mb.Len() }

// Cap returns the mailbox capacity.
func (a *Actor[Req, Res]) Cap() int { return a.mb.Cap() }

// Err returns the *service.FailedError if the actor's service failed, else nil.
func (a *Actor[Req, Res]) Err() error {
	if f := a.failed.Load(); f != nil {
		return f
	}
	return nil
}

// Done returns a channel that is closed when every worker has ended, after Stop.
func (a *Actor[Req, Res]) Done() <-chan struct{} { return a.done }

// Ref returns the actor's address: a service that calls the actor but cannot stop it.
func (a *Actor[Req, Res]) Ref() Ref[Req, Res] { return Ref[Req, Res]{a: a} }

// Stop stops the actor. It closes the mailbox at once (callers waiting for room and
// later callers get an error matching service.ErrClosed) and lets the workers serve
// what is queued. If that finishes before ctx ends, Stop returns nil once every
// worker has ended. Otherwise, when ctx ends (the drain deadline), every call still
// queued is taken out of the mailbox unserved and its caller answered with
// ErrStopped, and Stop returns ctx.Err(). A call already inside the service runs
// with its caller's ctx and is answered when the service returns (Go cannot preempt
// it); its worker then ends, and Done tells when the last one has. Stop may be
// called again, for example with a later deadline, and from many goroutines.
func (a *Actor[Req, Res]) Stop(ctx context.Context) error {
	a.mb.Close()
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
	}
	a.mb.Drain(a.abandon)
	return ctx.Err()
}

// abandon answers a call that will not be served with ErrStopped.
func (a *Actor[Req, Res]) abandon(e *envelope[Req, Res]) {
	var zero Res
	a.reply(e, zero, ErrStopped)
}

// ErrStopped is the error callers get when the actor stopped before serving their
// call. It matches service.ErrClosed.
var ErrStopped = service.NewError("actor: stopped", service.ErrClosed)

// Ref is an actor's address: a service that calls the actor. It cannot stop the
// actor. The zero Ref is not usable; get one from [Actor.Ref]. Refs are small values,
// safe to copy and to use concurrently.
type Ref[Req, Res any] struct {
	a *Actor[Req, Res]
}

var (
	_ service.Service[int, int]   = Ref[int, int]{}
	_ service.Readier             = Ref[int, int]{}
	_ service.TryCaller[int, int] = Ref[int, int]{}
)

// Call calls the actor; see [Actor.Call].
func (r Ref[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return r.a.call(ctx, req, false)
}

// TryCall calls the actor only if its mailbox has room now; see [Actor.TryCall].
func (r Ref[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return r.a.call(ctx, req, true)
}

// Ready waits for room in the actor's mailbox; see [Actor.Ready].
func (r Ref[Req, Res]) Ready(ctx context.Context) error { return r.a.Ready(ctx) }

// TryReady reports at once whether the actor's mailbox has room.
func (r Ref[Req, Res]) TryReady() error { return r.a.TryReady() }

// Len returns the number of calls waiting in the actor's mailbox.
func (r Ref[Req, Res]) Len() int { return r.a.Len() }

// Cap returns the actor's mailbox capacity.
func (r Ref[Req, Res]) Cap() int { return r.a.Cap() }
