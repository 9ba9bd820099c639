package actor

import (
	"context"

	"github.com/tower-go/tower/service"
)

// work is one worker goroutine: it serves messages until the mailbox is closed and
// empty. The last worker to end closes done.
func (a *Actor[Req, Res]) work() {
	defer func() {
		if a.live.Add(-1) == 0 {
			close(a.done)
		}
	}()
	for {
		e, ok := a.mb.Receive()
		if !ok {
			return
		}
		if a.elastic {
			a.busy.Add(1)
			a.serve(e)
			a.busy.Add(-1)
			continue
		}
		a.serve(e)
	}
}

// grow starts one more worker if the pool is below its maximum. A pool whose
// workers have all ended (live is 0: the mailbox was closed and drained, and done
// is closed) never grows again; otherwise the CAS from n > 0 keeps a live worker
// counted, so done cannot close while the new one starts.
func (a *Actor[Req, Res]) grow() {
	for {
		n := a.live.Load()
		if n == 0 || n >= a.max {
			return
		}
		if a.live.CompareAndSwap(n, n+1) {
			go a.work() // joined through Done, as the first workers are
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
		res, err := a.invoke(e.ctx, e.req)
		a.reply(e, res, err)
	}
}

// invoke runs the service for one call, turning a panic into a *service.PanicError
// and a failed readiness into the actor's failure.
func (a *Actor[Req, Res]) invoke(ctx context.Context, req Req) (res Res, err error) {
	defer func() {
		if v := recover(); v != nil {
			pe := service.NewPanicError(v)
			a.events.Emit(service.Event{Stage: a.name, Kind: service.EventPanicked, Err: pe})
			err = pe
		}
	}()
	if a.ready != nil {
		if rerr := a.ready.Ready(ctx); rerr != nil {
			if service.IsTransient(rerr) {
				return res, rerr // this call only: the service has not failed
			}
			return res, a.fail(rerr)
		}
	}
	return a.svc.Call(ctx, req)
}

// fail records the service's failure (the first one wins) and returns it.
func (a *Actor[Req, Res]) fail(cause error) error {
	f := &service.FailedError{Err: cause}
	if a.failed.CompareAndSwap(nil, f) {
		a.events.Emit(service.Event{Stage: a.name, Kind: service.EventFailed, Err: f})
		return f
	}
	return a.failed.Load()
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
