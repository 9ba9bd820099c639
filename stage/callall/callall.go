package callall

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/tower-go/tower/service"
)

// MaxConcurrency is the largest concurrency a run accepts: a run starts that many
// worker goroutines at once (each a few KiB of stack), so a larger value is a
// mistake rather than a bound.
const MaxConcurrency = 1 << 16

// ErrStopped is the error of a request that [Calls.Stop] ended before the service
// was called for it, and the cause of the ctx of calls that Stop cancelled (see
// context.Cause). It matches service.ErrClosed.
var ErrStopped = service.NewError("callall: stopped", service.ErrClosed)

// Result is the outcome of one request: the request, the service's response and
// error, and the request's position in the input channel (from 0).
type Result[Req, Res any] struct {
	Req   Req
	Res   Res
	Err   error
	Index int
}

// Calls is one running Ordered or Unordered run: the handle on the goroutines it
// started. Receive results from [Calls.Results]; stop the run early with
// [Calls.Stop]; wait for its end with [Calls.Wait] or [Calls.Done]. See the package
// documentation for what happens to requests and results on each kind of end.
//
// A Calls is safe for concurrent use. It is a [service.Stopper], so a
// [service.Scope] can own it. The zero value is not usable; Ordered and Unordered
// make one.
type Calls[Req, Res any] struct {
	r        *run[Req, Res]
	stopOnce sync.Once
}

var _ service.Stopper = (*Calls[int, int])(nil)

// Ordered starts concurrency workers that call svc with every request received
// from in, and returns the run, whose results come in input order (by Index). See
// the package documentation for readiness, cancellation, Stop and the consumer's
// duty to receive until the results channel is closed or to call Stop. It returns
// an error, and starts nothing, if ctx, svc or in is nil (a typed nil service
// too: the error wraps service.ErrNilService) or concurrency is not between 1 and
// [MaxConcurrency]. It does not block; each call starts an independent run, and any
// number may run at once over the same service.
func Ordered[Req, Res any](ctx context.Context, svc service.Service[Req, Res], in <-chan Req, concurrency int) (*Calls[Req, Res], error) {
	return start(ctx, svc, in, concurrency, true)
}

// Unordered is [Ordered] but delivers each result as soon as its call returns, so
// results come in completion order; Index still gives each request's input position.
func Unordered[Req, Res any](ctx context.Context, svc service.Service[Req, Res], in <-chan Req, concurrency int) (*Calls[Req, Res], error) {
	return start(ctx, svc, in, concurrency, false)
}

func start[Req, Res any](ctx context.Context, svc service.Service[Req, Res], in <-chan Req, concurrency int, ordered bool) (*Calls[Req, Res], error) {
	if ctx == nil {
		return nil, errors.New("callall: nil context")
	}
	next, err := service.NewNext(svc)
	switch {
	case err != nil:
		return nil, fmt.Errorf("callall: %w", err)
	case in == nil:
		return nil, errors.New("callall: nil input channel")
	case concurrency < 1 || concurrency > MaxConcurrency:
		return nil, fmt.Errorf("callall: concurrency must be between 1 and %d, got %d", MaxConcurrency, concurrency)
	}
	callCtx, cancelCalls := context.WithCancelCause(ctx)
	waitCtx, cancelWaits := context.WithCancelCause(callCtx)
	r := &run[Req, Res]{
		ctx:         ctx,
		callCtx:     callCtx,
		cancelCalls: cancelCalls,
		waitCtx:     waitCtx,
		cancelWaits: cancelWaits,
		next:        next,
		in:          in,
		jobs:        make(chan job[Req]),
		out:         make(chan Result[Req, Res], concurrency),
		slots:       make(chan struct{}, concurrency),
		stopped:     make(chan struct{}),
		done:        make(chan struct{}),
	}
	for range concurrency {
		r.slots <- struct{}{}
	}
	if ordered {
		r.order = newReorder[Req, Res](concurrency)
	}
	go r.feed(concurrency) // owned: r.done is closed when it and every worker have returned
	return &Calls[Req, Res]{r: r}, nil
}

// Results returns the channel on which results are delivered. It is closed once
// every goroutine of the run has ended. Its buffer holds up to concurrency results
// that the consumer has not received yet.
func (c *Calls[Req, Res]) Results() <-chan Result[Req, Res] { return c.r.out }

// Stop ends the run early, for a consumer that will not (or may not) receive every
// result:
//
//   - at once, no more requests are taken from in; a request already taken but not
//     yet handed to the service (waiting for a worker or for readiness) is not
//     called: its result has Err [ErrStopped];
//   - calls in flight go on, with their ctx, until they return or ctx ends; when ctx
//     ends their ctx is cancelled, with cause ErrStopped;
//   - from Stop on, delivery never waits: a result is put on the results channel if
//     there is room in its buffer at that moment, and otherwise dropped. (Before
//     Stop, no result is ever dropped.) Results already in the buffer stay there.
//
// Stop returns once every goroutine of the run has ended and the results channel is
// closed, or when ctx ends, with ctx.Err() (the goroutines then end as soon as the
// cancelled calls return). It returns an error if the run's own code panicked (see
// [Calls.Wait]). Stop may be called more than once, and after the run has ended.
func (c *Calls[Req, Res]) Stop(ctx context.Context) error {
	r := c.r
	c.stopOnce.Do(func() {
		close(r.stopped)
		r.cancelWaits(ErrStopped)
	})
	select {
	case <-r.done:
		return r.err
	default:
	}
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		r.cancelCalls(ErrStopped)
		return ctx.Err()
	}
}

// Done returns a channel that is closed once every goroutine of the run has ended
// (the results channel is closed by then).
func (c *Calls[Req, Res]) Done() <-chan struct{} { return c.r.done }

// Wait blocks until every goroutine of the run has ended, or ctx ends (then it
// returns ctx.Err()). It returns nil, or an error wrapping the panic if callall's
// own code panicked (a bug; a panic in the service is that request's Result.Err).
// Wait stops nothing: the run ends when in is closed, its ctx ends or Stop is
// called, and a consumer must go on receiving results meanwhile.
func (c *Calls[Req, Res]) Wait(ctx context.Context) error {
	select {
	case <-c.r.done:
		return c.r.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is the state the goroutines of one run share.
type run[Req, Res any] struct {
	ctx         context.Context // the run's ctx: its end ends the run
	callCtx     context.Context // the calls' ctx: ctx, also cancelled when Stop's ctx ends
	cancelCalls context.CancelCauseFunc
	waitCtx     context.Context // readiness waits: callCtx, also cancelled at Stop
	cancelWaits context.CancelCauseFunc

	next  service.Next[Req, Res]
	in    <-chan Req
	jobs  chan job[Req] // unbuffered: a request is handed over only to a free worker
	out   chan Result[Req, Res]
	order *reorder[Req, Res] // nil for Unordered

	// slots holds a token per request that may still be taken: the feeder takes
	// one before it takes a request, and the request's delivery gives it back. So
	// at most concurrency requests are taken from in and not yet delivered.
	slots chan struct{}

	stopped chan struct{} // closed by Stop
	done    chan struct{} // closed when every goroutine has ended, after out
	err     error         // a panic of the run's own code; set before done is closed
}

// job is a request numbered by its position in the input.
type job[Req any] struct {
	req   Req
	index int
}
