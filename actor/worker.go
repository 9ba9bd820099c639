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

// growerIdle is how many growth periods the grower waits for a caller's wake
// before it ends; a later wake starts it again.
const growerIdle = 100

// exit ends one of the actor's goroutines: the last to end closes done.
func (a *Actor[Req, Res]) exit() {
	if a.procs.Add(-1) == 0 {
		close(a.done)
	}
}

// enter counts one more goroutine unless every one has ended (then nothing may
// start again: done is closed). It reports whether the caller may start it.
func (a *Actor[Req, Res]) enter() bool {
	for {
		n := a.procs.Load()
		if n == 0 {
			return false
		}
		if a.procs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// work is one worker goroutine: it serves messages until the mailbox is closed and
// empty. If the service ends the goroutine with runtime.Goexit, the call has been
// answered (see invoke) and a new worker takes this one's place and count.
func (a *Actor[Req, Res]) work() {
	ended := false
	defer func() {
		if ended {
			a.live.Add(-1)
			a.exit()
			return
		}
		// runtime.Goexit inside serve: the goroutine is ending, mid-call. The
		// replacement is counted before this one leaves, so procs stays above 0.
		if a.elastic {
			a.stats.Add(servedOne)
		}
		a.procs.Add(1)
		go a.work()
		a.exit()
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

// nudge tells the grower that a caller found calls queued behind busy workers,
// starting it if it is not running. The grower is started on demand, so that an
// idle actor is one goroutine.
func (a *Actor[Req, Res]) nudge() {
	a.wakeMk.Do(func() { a.wake = make(chan struct{}, 1) })
	select {
	case a.wake <- struct{}{}:
	default:
	}
	if !a.growing.Load() && a.growing.CompareAndSwap(false, true) {
		if !a.enter() {
			a.growing.Store(false)
			return
		}
		go a.grower()
	}
}

// grower watches an elastic pool: woken by a caller that found calls queued behind
// busy workers, it looks at the queue for one growPeriod and, if every worker was
// still busy and they served fewer calls than were queued at its start, doubles
// the pool (bounded by the queue and the maximum). It ends when the actor stops or
// fails, when the pool is at its maximum, and after growerIdle periods without a
// wake (the next wake starts it again).
func (a *Actor[Req, Res]) grower() {
	defer a.exit()
	t := time.NewTimer(growPeriod * growerIdle)
	defer t.Stop()
	closing := a.mb.Closing()
	again := false // the last look still saw calls queued behind busy workers
	for {
		if a.live.Load() >= a.max {
			a.growing.Store(false) // nothing left to grow; callers stop nudging
			return
		}
		if again {
			again = false
		} else {
			select {
			case <-a.wake:
			case <-closing:
				a.growing.Store(false)
				return
			case <-t.C:
				a.growing.Store(false)
				// A wake sent after the timer fired and before the flag was cleared
				// found the grower running and started none: take it up.
				select {
				case <-a.wake:
					if a.growing.CompareAndSwap(false, true) {
						t.Reset(growPeriod * growerIdle)
						continue
					}
				default:
				}
				return
			}
		}
		before, queued := a.stats.Load(), a.mb.Len()
		t.Reset(growPeriod)
		select {
		case <-t.C:
		case <-closing:
			a.growing.Store(false)
			return
		}
		after, live := a.stats.Load(), a.live.Load()
		served := uint32(after>>32) - uint32(before>>32)
		if q := a.mb.Len(); q > 0 && busy(after) >= live && int64(served) < int64(queued) {
			a.grow(int32(min(int(live), q)))
		}
		live = a.live.Load()
		again = a.mb.Len() > int(live-busy(a.stats.Load()))
		t.Reset(growPeriod * growerIdle)
	}
}

// grow starts up to k more workers, as far as the maximum allows. A pool whose
// workers have all ended (live is 0: the mailbox was closed and drained) never
// grows again; otherwise the CAS from n > 0 keeps a live worker counted while the
// new ones start. The grower, which calls it, is itself counted in procs, so
// adding to procs here cannot revive an ended actor.
func (a *Actor[Req, Res]) grow(k int32) {
	for {
		n := a.live.Load()
		if n == 0 || n >= a.max || k < 1 {
			return
		}
		m := min(n+k, a.max)
		if a.live.CompareAndSwap(n, m) {
			a.procs.Add(m - n)
			for range m - n {
				go a.work()
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
		a.dead.Add(1)
		a.recycle(e)
	case e.cancel != nil && isDone(e.cancel):
		// The caller's ctx ended while the call was queued, and the caller may not
		// have noticed yet: never serve a dead call. The reply is its ctx's error,
		// which it returns if it has not left already.
		a.dead.Add(1)
		a.reply(e, zero, e.ctx.Err())
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

// isDone reports whether a ctx's Done channel is closed, without waiting.
func isDone(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// emitEvent hands a full event to the hook, recovering a panic in it as emit does.
func (a *Actor[Req, Res]) emitEvent(ev service.Event) {
	defer func() { _ = recover() }()
	a.events(ev)
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
