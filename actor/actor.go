package actor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

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

	// The errors a caller gets, named after the actor, made once at Spawn.
	errStopped error // matches ErrStopped and service.ErrClosed
	errFull    error // matches ErrFull, mailbox.ErrFull and service.ErrOverloaded
	errDelay   error // matches ErrQueueDelay, mailbox.ErrQueueDelay and service.ErrOverloaded
	errPrio    error // matches ErrPriority, mailbox.ErrPriority and service.ErrOverloaded

	priorities bool          // the mailbox orders by priority: call reads it from ctx
	dead       atomic.Uint64 // calls not served: their caller's ctx ended while queued

	failed   atomic.Pointer[service.FailedError]
	failedCh chan struct{} // closed when the service fails

	max     int32         // most workers the pool may grow to
	elastic bool          // max > initial workers: track busy workers and grow
	stats   atomic.Uint64 // elastic only: busy workers (low 32 bits), calls served (high 32 bits, wrapping)
	live    atomic.Int32  // workers counted as running: never rises again once it is 0
	wake    chan struct{} // elastic only (buffer 1): a caller saw calls queued behind busy workers; made by the first
	wakeMk  sync.Once
	growing atomic.Bool // elastic only: the grower runs (it is started on demand)
	shut    sync.Once

	// procs counts every goroutine the actor runs: its workers and, while it runs,
	// the grower. The goroutine that brings it to 0 closes done; no goroutine waits
	// for the others. A goroutine is only ever added while procs > 0: by a counted
	// goroutine (a worker replacing itself, the grower growing the pool) or by a
	// compare-and-swap from a count above 0 (a caller starting the grower), so
	// nothing starts after done is closed.
	procs atomic.Int32
	done  chan struct{} // closed when the last goroutine has ended
}

var (
	_ service.Service[int, int]   = (*Actor[int, int])(nil)
	_ service.Readier             = (*Actor[int, int])(nil)
	_ service.TryCaller[int, int] = (*Actor[int, int])(nil)
	_ service.Stopper             = (*Actor[int, int])(nil)
)

// Spawn starts an actor that serves svc over a mailbox of the given capacity. svc
// must not be nil (nor a typed nil), capacity must be between 1 and
// mailbox.MaxCapacity, and no option may be nil. Stop the actor with [Actor.Stop]
// when done with it.
//
// The default pool, for every actor boundary (a buffer is an actor named
// "buffer"), starts with one worker and grows while calls wait behind busy workers
// that are not getting through the queue (see [WithMaxWorkers]), up to capacity
// workers (at most [MaxWorkers]). A fast service so keeps one worker, the cheapest
// hand-off, and a blocking one is called concurrently, bounded by its own
// readiness. Because the default may run calls concurrently, a service that keeps
// state without locks asks for [WithWorkers](1): calls one at a time, in arrival
// order. WithWorkers(n) alone is a fixed pool of n.
//
// Choosing the bounds: the workers are how many calls run at once; capacity is how
// many calls may wait beyond those, which bounds both memory and the queueing delay
// a caller can meet (about capacity/workers service times).
func Spawn[Req, Res any](svc service.Service[Req, Res], capacity int, opts ...Option) (*Actor[Req, Res], error) {
	o := options{name: "actor"}
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("actor: option %d of %d is nil", i+1, len(opts))
		}
		opt(&o)
	}
	if o.name == "" {
		return nil, errors.New("actor: WithName: the name must not be empty")
	}
	if err := service.CheckService(svc); err != nil {
		return nil, fmt.Errorf("%s: %w", o.name, err)
	}
	workers, most, err := o.pool(capacity)
	if err != nil {
		return nil, err
	}
	a := &Actor[Req, Res]{
		svc:        svc,
		events:     o.events,
		name:       o.name,
		errStopped: ErrStopped,
		errFull:    ErrFull,
		errDelay:   ErrQueueDelay,
		errPrio:    ErrPriority,
		priorities: o.priorities,
		failedCh:   make(chan struct{}),
		max:        int32(most),
		elastic:    most > workers,
		done:       make(chan struct{}),
	}
	mb, err := mailbox.New(capacity, o.overflow, a.mailboxOptions(&o)...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.name, err)
	}
	a.mb = mb
	if o.name != "actor" {
		a.errStopped = service.NewError(o.name+": stopped", ErrStopped)
		a.errFull = service.NewError(o.name+": mailbox full", ErrFull)
		if mb.Managed() {
			a.errDelay = service.NewError(o.name+": shed for queue delay", ErrQueueDelay)
			a.errPrio = service.NewError(o.name+": shed for a higher priority", ErrPriority)
		}
	}
	a.ready, _ = svc.(service.Readier)
	a.pool.New = func() any { return &envelope[Req, Res]{done: make(chan struct{}, 1)} }
	a.live.Store(int32(workers))
	a.procs.Store(int32(workers))
	for range workers {
		go a.work() // counted in procs above; it closes done if it is the last to end
	}
	return a, nil
}

// mailboxOptions turns the actor's queue options into the mailbox's: queue delay
// and priority, with the drop function that answers a shed call.
func (a *Actor[Req, Res]) mailboxOptions(o *options) []mailbox.Option[*envelope[Req, Res]] {
	if !o.setDelay && !o.priorities {
		return nil
	}
	opts := []mailbox.Option[*envelope[Req, Res]]{mailbox.WithDrop(a.shed)}
	if o.setDelay {
		opts = append(opts, mailbox.WithQueueDelay[*envelope[Req, Res]](o.target, o.interval))
	}
	if o.priorities {
		opts = append(opts, mailbox.WithPriority(func(e *envelope[Req, Res]) service.Priority { return e.prio }))
	}
	return opts
}

// shed answers a call the mailbox shed (for queue delay or priority) with the
// actor's own error, and reports the decision with how long the call waited.
func (a *Actor[Req, Res]) shed(e *envelope[Req, Res], err error, waited time.Duration) {
	if err == mailbox.ErrPriority {
		err = a.errPrio
	} else {
		err = a.errDelay
	}
	var zero Res
	a.reply(e, zero, err)
	if a.events != nil {
		a.emitEvent(service.Event{Stage: a.name, Kind: service.EventShed, Err: err, Elapsed: waited})
	}
}

// pool checks the worker options against capacity and returns the starting and
// the most workers.
func (o *options) pool(capacity int) (workers, most int, err error) {
	workers = 1
	if o.setW {
		if o.workers < 1 || o.workers > MaxWorkers {
			return 0, 0, fmt.Errorf("%s: WithWorkers: workers must be between 1 and %d, got %d", o.name, MaxWorkers, o.workers)
		}
		workers = o.workers
	}
	switch {
	case o.setMax:
		if o.max < 1 || o.max > MaxWorkers {
			return 0, 0, fmt.Errorf("%s: WithMaxWorkers: max must be between 1 and %d, got %d", o.name, MaxWorkers, o.max)
		}
		if o.max < workers {
			return 0, 0, fmt.Errorf("%s: WithMaxWorkers(%d) is below WithWorkers(%d)", o.name, o.max, workers)
		}
		most = o.max
	case o.setW:
		most = workers // a fixed pool
	default:
		most = min(max(capacity, 1), MaxWorkers)
	}
	return workers, most, nil
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
	e := a.pool.Get().(*envelope[Req, Res])
	cancel := ctx.Done()
	e.ctx, e.req, e.cancel = ctx, req, cancel
	if a.priorities {
		e.prio = service.PriorityOf(ctx)
	}
	var err error
	if try {
		err = a.mb.TrySend(e)
	} else {
		err = a.mb.Send(ctx, e)
	}
	if err != nil {
		a.recycle(e)
		return zero, a.named(err)
	}
	if a.elastic {
		if live := a.live.Load(); live < a.max && a.mb.Len() > int(live-busy(a.stats.Load())) {
			// More calls queued than idle workers: this one waits. Tell the grower,
			// which watches whether the workers get through the queue.
			a.nudge()
		}
	}
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
	e.ctx, e.req, e.res, e.err, e.cancel = nil, zeroReq, zero, nil, nil
	e.state.Store(pending)
	a.pool.Put(e)
}

// named turns a mailbox error into the actor's own: its failure or its stopped
// error once the mailbox is closed, its full error when the mailbox is full. Other
// errors (ctx's) pass as they are.
func (a *Actor[Req, Res]) named(err error) error {
	switch err {
	case mailbox.ErrClosed:
		if f := a.failed.Load(); f != nil {
			return f
		}
		return a.errStopped
	case mailbox.ErrFull:
		return a.errFull
	case mailbox.ErrQueueDelay:
		return a.errDelay
	}
	return err
}

// Ready waits until the mailbox has room, bounded by ctx. It returns the failure if
// the actor failed, an error matching ErrStopped (and service.ErrClosed) once it is
// stopping, and ctx.Err() if ctx ends first.
func (a *Actor[Req, Res]) Ready(ctx context.Context) error {
	return a.named(a.mb.Ready(ctx))
}

// TryReady reports at once whether the mailbox has room: nil, an error matching
// ErrFull (and service.ErrOverloaded), the failure, or an error matching ErrStopped.
func (a *Actor[Req, Res]) TryReady() error {
	return a.named(a.mb.TryReady())
}

// Len returns the number of calls waiting in the mailbox, Cap its capacity. Load
// metrics read them.
func (a *Actor[Req, Res]) Len() int { return a.mb.Len() }

// Cap returns the mailbox capacity.
func (a *Actor[Req, Res]) Cap() int { return a.mb.Cap() }

// Workers returns the number of worker goroutines running now: the starting pool,
// plus what it grew, until they end after Stop or failure.
func (a *Actor[Req, Res]) Workers() int { return int(a.live.Load()) }

// Stats counts the calls an actor took but did not serve.
type Stats struct {
	// Dead: calls whose caller's ctx ended while they were queued. The caller had
	// its answer (ctx.Err()) already, so the service never saw them.
	Dead uint64
	// ShedDelay and ShedPriority: calls the mailbox shed, answered with an error
	// matching ErrQueueDelay or ErrPriority (see [WithQueueDelay], [WithPriorities]).
	ShedDelay    uint64
	ShedPriority uint64
}

// Stats returns the actor's counts so far. It is safe to call at any time and
// costs a few atomic loads.
func (a *Actor[Req, Res]) Stats() Stats {
	ms := a.mb.Stats()
	return Stats{Dead: a.dead.Load(), ShedDelay: ms.ShedDelay, ShedPriority: ms.ShedPriority}
}

// Err returns the *service.FailedError if the actor's service failed, else nil.
func (a *Actor[Req, Res]) Err() error {
	if f := a.failed.Load(); f != nil {
		return f
	}
	return nil
}

// Failed returns a channel that is closed when the actor's service fails (see
// [Actor.Err]): the way a supervisor watches it. After failing, the actor answers
// every queued and later call with the failure, and its goroutines end (Done closes)
// without Stop; Stop still works and returns nil.
func (a *Actor[Req, Res]) Failed() <-chan struct{} { return a.failedCh }

// Done returns a channel that is closed when every goroutine of the actor has
// ended: after Stop, or after the service failed.
func (a *Actor[Req, Res]) Done() <-chan struct{} { return a.done }

// Ref returns the actor's address: a service that calls the actor but cannot stop it.
func (a *Actor[Req, Res]) Ref() Ref[Req, Res] { return Ref[Req, Res]{a: a} }

// Stop stops the actor. It closes the mailbox at once (callers waiting for room and
// later callers get an error matching ErrStopped and service.ErrClosed, named after
// the actor) and lets the workers serve
// what is queued. If that finishes before ctx ends, Stop returns nil once every
// worker has ended. Otherwise, when ctx ends (the drain deadline), every call still
// queued is taken out of the mailbox unserved and its caller answered with
// ErrStopped, and Stop returns ctx.Err(). A call already inside the service runs
// with its caller's ctx and is answered when the service returns (Go cannot preempt
// it); its worker then ends, and Done tells when the last one has. Stop may be
// called again, for example with a later deadline, and from many goroutines.
//
// Stop is bounded by ctx even while callers keep calling: they fail at once and
// cannot hold the mailbox open.
func (a *Actor[Req, Res]) Stop(ctx context.Context) error {
	a.close()
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
	}
	a.mb.Drain(a.abandon)
	return ctx.Err()
}

// close stops the actor taking calls and ends the grower (which watches the
// mailbox's Closing). The first call wins.
func (a *Actor[Req, Res]) close() {
	a.shut.Do(a.mb.Close)
}

// abandon answers a call that will not be served with the actor's stopped error,
// or its failure.
func (a *Actor[Req, Res]) abandon(e *envelope[Req, Res]) {
	var zero Res
	a.reply(e, zero, a.named(mailbox.ErrClosed))
}

// Errors an actor returns. An actor named with [WithName] returns errors carrying
// its name ("buffer: stopped", "buffer: mailbox full"), made once at Spawn, that
// match these under errors.Is; an actor left with the default name returns these.
var (
	// ErrStopped: the actor stopped (or is stopping) before taking or serving the
	// call. It matches service.ErrClosed.
	ErrStopped = service.NewError("actor: stopped", service.ErrClosed)
	// ErrFull: the mailbox was full and the call was not to wait (TryCall, or the
	// mailbox.FailFast overflow policy). It matches mailbox.ErrFull and
	// service.ErrOverloaded.
	ErrFull = service.NewError("actor: mailbox full", mailbox.ErrFull)
	// ErrQueueDelay: the call waited in a mailbox with [WithQueueDelay] longer
	// than the target while the actor was overloaded, and was shed unserved. It
	// matches mailbox.ErrQueueDelay and service.ErrOverloaded.
	ErrQueueDelay = service.NewError("actor: shed for queue delay", mailbox.ErrQueueDelay)
	// ErrPriority: the call was queued in a full mailbox with [WithPriorities] and
	// was shed unserved to make room for a call of a higher priority. It matches
	// mailbox.ErrPriority and service.ErrOverloaded.
	ErrPriority = service.NewError("actor: shed for a higher priority", mailbox.ErrPriority)
	// ErrGoexit is the panic value of the *service.PanicError a caller gets when
	// the service ended its goroutine with runtime.Goexit (as t.FailNow does)
	// while serving the call. The actor replaces the worker that ended.
	ErrGoexit = errors.New("actor: service called runtime.Goexit")
)

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
