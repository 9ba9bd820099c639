package actor

import (
	"time"

	"github.com/tower-go/tower/service"
)

// servedOne is what a worker adds to stats when it finishes a call: one more call
// served (high 32 bits) and one fewer busy worker (low 32 bits).
const servedOne = 1<<32 - 1

// busy returns the busy-worker count held in a stats value.
func busy(stats uint64) int32 { return int32(uint32(stats)) }

// growPeriod is how long the grower watches a queue before it decides the workers
// are not getting through it: calls queued at its start and still unserved at its
// end would have waited longer than that. A fast service serves thousands of calls
// in it, so its pool does not grow however long the queue is.
const growPeriod = time.Millisecond

// work is one worker goroutine: it serves messages until the mailbox is closed and
// empty. If the service ends the goroutine with runtime.Goexit, the call has been
// answered (see invoke) and a new worker takes this one's place and count.
func (a *Actor[Req, Res]) work() {
	ended := false
	defer func() {
		if ended {
			a.live.Add(-1)
			return
		}
		// runtime.Goexit inside serve: the goroutine is ending, mid-call.
		if a.elastic {
			a.stats.Add(servedOne)
		}
		a.group.Go(a.work) // this goroutine is still in the group: its count is > 0
	}()
	for {
		e, ok := a.mb.Receive()
		if !ok {
			break
		}
		if a.elastic {
			a.stats.Add(1)
			a.serve(e)
			a.stats.Add(servedOne)
			continue
		}
		a.serve(e)
	}
	ended = true
}

// grower watches an elastic pool: woken by a caller that found calls queued behind
// busy workers, it looks at the queue for one growPeriod and, if every worker was
// still busy and they served fewer calls than were queued at its start, doubles
// the pool (bounded by the queue and the maximum). It ends when the actor stops or
// fails.
func (a *Actor[Req, Res]) grower() {
	t := time.NewTimer(growPeriod)
	t.Stop()
	defer t.Stop()
	for {
		select {
		case <-a.wake:
		case <-a.quit:
			return
		}
		before, queued := a.stats.Load(), a.mb.Len()
		t.Reset(growPeriod)
		select {
		case <-t.C:
		case <-a.quit:
			return
		}
		after, live := a.stats.Load(), a.live.Load()
		served := uint32(after>>32) - uint32(before>>32)
		if q := a.mb.Len(); q > 0 && busy(after) >= live && int64(served) < int64(queued) {
			a.grow(int32(min(int(live), q)))
		}
	}
}

// grow starts up to k more workers, as far as the maximum allows. A pool whose
// workers have all ended (live is 0: the mailbox was closed and drained) never
// grows again; otherwise the CAS from n > 0 keeps a live worker counted while the
// new ones start.
func (a *Actor[Req, Res]) grow(k int32) {
	for {
		n := a.live.Load()
		if n == 0 || n >= a.max || k < 1 {
			return
		}
		m := min(n+k, a.max)
		if a.live.CompareAndSwap(n, m) {
			for range m - n {
				a.group.Go(a.work)
			}
			return
		}
	}
}

func (a *Actor[Req, Res]) serve(e *envelope[Req, Res]) {
	var zero Res
	switch {
	case e.state.Load() == abandoned:
		// The caller left while the call was queued: skip the work.
		a.recycle(e)
	case a.failed.Load() != nil:
		a.reply(e, zero, a.failed.Load())
	default:
		res, err, kind := a.invoke(e)
		a.reply(e, res, err)
		if kind != 0 {
			// After the reply, outside any recover: the hook cannot hold up or
			// lose the caller's answer.
			a.emit(kind, err)
		}
	}
}

// invoke runs the service for one call. It turns a panic into a
// *service.PanicError and a failed readiness into the actor's failure, and reports
// the event to emit for them. If the service ends the goroutine with
// runtime.Goexit, invoke never returns: its deferred function answers the call
// with a *service.PanicError of ErrGoexit and emits EventPanicked, and the worker
// is replaced (see work).
func (a *Actor[Req, Res]) invoke(e *envelope[Req, Res]) (res Res, err error, kind service.EventKind) {
	returned := false
	defer func() {
		if returned {
			return
		}
		if v := recover(); v != nil {
			var zero Res
			res, err, kind = zero, service.NewPanicError(v), service.EventPanicked
			return
		}
		// No panic, yet the call did not return: runtime.Goexit.
		var zero Res
		pe := service.NewPanicError(ErrGoexit)
		a.reply(e, zero, pe)
		a.emit(service.EventPanicked, pe)
	}()
	ctx := e.ctx
	if a.ready != nil {
		if rerr := a.ready.Ready(ctx); rerr != nil {
			returned = true
			if service.IsTransient(rerr) {
				return res, rerr, 0 // this call only: the service has not failed
			}
			return a.fail(rerr)
		}
	}
	res, err = a.svc.Call(ctx, e.req)
	returned = true
	return res, err, 0
}

// fail records the service's failure (the first one wins) and returns it, with
// EventFailed for the call that made it. The actor then takes no more calls: its
// mailbox closes, the workers answer what is queued with the failure and end.
func (a *Actor[Req, Res]) fail(cause error) (res Res, err error, kind service.EventKind) {
	f := &service.FailedError{Err: cause}
	if !a.failed.CompareAndSwap(nil, f) {
		return res, a.failed.Load(), 0
	}
	close(a.failedCh)
	a.close()
	return res, f, service.EventFailed
}

// emit hands an event to the hook. The hook is user code: a panic in it is
// recovered and dropped, so that it cannot end a worker or the process.
func (a *Actor[Req, Res]) emit(kind service.EventKind, err error) {
	if a.events == nil {
		return
	}
	defer func() { _ = recover() }()
	a.events(service.Event{Stage: a.name, Kind: kind, Err: err})
}

// reply hands the result to the caller, unless the caller left, in which case the
// result is discarded and the envelope recycled. It never blocks.
func (a *Actor[Req, Res]) reply(e *envelope[Req, Res], res Res, err error) {
	e.res, e.err = res, err
	if e.state.CompareAndSwap(pending, replied) {
		e.done <- struct{}{}
		return
	}
	a.recycle(e)
}
