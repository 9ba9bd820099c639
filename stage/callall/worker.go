package callall

import (
	"fmt"

	"github.com/sourcegraph/conc"

	"github.com/tower-go/tower/service"
)

// feed is the run's first goroutine: it starts the workers (in a conc.WaitGroup,
// which catches a panic of theirs), takes requests from in one at a time, numbers
// them and hands each to a free worker, until in is closed, ctx ends or Stop is
// called. Then it lets the workers finish, closes out once they have all
// returned, and closes done. Taking in one goroutine keeps Index equal to the
// input position. Before each request it takes a slot (see run.slots), so it takes
// a request only when fewer than concurrency are taken and not delivered.
func (r *run[Req, Res]) feed(workers int) {
	var wg conc.WaitGroup
	for range workers {
		wg.Go(r.work)
	}
	defer func() {
		// A panic here is a bug in callall: report it through Wait and Stop
		// rather than crash the process, and still end everything.
		v := recover()
		close(r.jobs)
		if p := wg.WaitAndRecover(); p != nil && v == nil {
			v = p.AsError()
		}
		if v != nil {
			r.err = fmt.Errorf("callall: internal panic: %w", service.NewPanicError(v))
		}
		r.cancelWaits(nil)
		r.cancelCalls(nil)
		close(r.out)
		close(r.done)
	}()
	for idx := 0; ; idx++ {
		if r.ctx.Err() != nil || r.isStopped() {
			return
		}
		select {
		case <-r.slots:
		case <-r.ctx.Done():
			return
		case <-r.stopped:
			return
		}
		var req Req
		select {
		case v, ok := <-r.in:
			if !ok {
				return
			}
			req = v
		case <-r.ctx.Done():
			return
		case <-r.stopped:
			return
		}
		select {
		case r.jobs <- job[Req]{req: req, index: idx}:
		case <-r.ctx.Done():
			// Taken but not handed over: it still gets its result.
			r.deliver(Result[Req, Res]{Req: req, Err: r.ctx.Err(), Index: idx})
			return
		case <-r.stopped:
			r.deliver(Result[Req, Res]{Req: req, Err: ErrStopped, Index: idx})
			return
		}
	}
}

func (r *run[Req, Res]) isStopped() bool {
	select {
	case <-r.stopped:
		return true
	default:
		return false
	}
}

// work is one worker's loop: call, deliver, until feed closes jobs.
func (r *run[Req, Res]) work() {
	for j := range r.jobs {
		res, err := r.call(j.req)
		r.deliver(Result[Req, Res]{Req: j.req, Res: res, Err: err, Index: j.index})
	}
}

// deliver sends a result to out, in input order for an Ordered run (see send).
func (r *run[Req, Res]) deliver(res Result[Req, Res]) {
	if r.order == nil {
		r.send(res)
		r.release()
		return
	}
	r.order.park(res, r.send, r.release)
}

// send puts res on out. Until Stop it waits for the consumer, so nothing is
// dropped; from Stop on it never waits: it drops res if out's buffer is full.
func (r *run[Req, Res]) send(res Result[Req, Res]) {
	select {
	case r.out <- res: // the common case, room in the buffer: a one-channel select
		return
	default:
	}
	select {
	case r.out <- res:
	case <-r.stopped:
		select {
		case r.out <- res:
		default:
		}
	}
}

// release gives back the slot of a delivered request. It never blocks: every
// token it returns was taken by the feeder.
func (r *run[Req, Res]) release() { r.slots <- struct{}{} }

// call waits for readiness and calls the service, turning a panic into the
// request's error. A request handed over as ctx ended, or as Stop was called, or
// whose readiness wait Stop ended, is not sent to the service.
func (r *run[Req, Res]) call(req Req) (res Res, err error) {
	defer func() {
		if v := recover(); v != nil {
			var zero Res
			res, err = zero, service.NewPanicError(v)
		}
	}()
	if err := r.ctx.Err(); err != nil {
		return res, err
	}
	if r.isStopped() {
		return res, ErrStopped
	}
	if err := r.next.Ready(r.waitCtx); err != nil {
		if r.ctx.Err() == nil && r.isStopped() {
			return res, ErrStopped
		}
		return res, err
	}
	if r.isStopped() {
		return res, ErrStopped
	}
	return r.next.Call(r.callCtx, req)
}
