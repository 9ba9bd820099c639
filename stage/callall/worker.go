package callall

import (
	"github.com/sourcegraph/conc"

	"github.com/tower-go/tower/service"
)

// feed is the run's first goroutine: it starts the workers, takes requests from
// in one at a time, numbers them and hands each to a free worker, until in is
// closed or ctx ends. Then it lets the workers finish, and closes out once they
// have all returned. Taking in one goroutine keeps Index equal to the input
// position. Before each request it takes a slot (see run.slots), so it takes a
// request only when fewer than concurrency are taken and not delivered.
func (r *run[Req, Res]) feed(workers int) {
	var wg conc.WaitGroup
	for range workers {
		wg.Go(r.work)
	}
	defer func() {
		close(r.jobs)
		wg.Wait()
		close(r.out)
	}()
	for idx := 0; ; idx++ {
		if r.ctx.Err() != nil {
			return
		}
		select {
		case <-r.slots:
		case <-r.ctx.Done():
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
		}
		select {
		case r.jobs <- job[Req]{req: req, index: idx}:
		case <-r.ctx.Done():
			// Taken but not handed over: it still gets its result.
			r.deliver(Result[Req, Res]{Req: req, Err: r.ctx.Err(), Index: idx})
			return
		}
	}
}

// work is one worker's loop: call, deliver, until feed closes jobs.
func (r *run[Req, Res]) work() {
	for j := range r.jobs {
		res, err := r.call(j.req)
		r.deliver(Result[Req, Res]{Req: j.req, Res: res, Err: err, Index: j.index})
	}
}

// deliver sends a result to out, in input order for an Ordered run. It waits for
// the consumer: results are never dropped.
func (r *run[Req, Res]) deliver(res Result[Req, Res]) {
	if r.order == nil {
		r.out <- res
		r.release()
		return
	}
	r.order.park(res, r.out, r.release)
}

// release gives back the slot of a delivered request. It never blocks: every
// token it returns was taken by the feeder.
func (r *run[Req, Res]) release() { r.slots <- struct{}{} }

// call waits for readiness and calls the service, turning a panic into the
// request's error. A request handed over as ctx ended is not sent to the service.
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
	if err := service.Ready(r.ctx, r.svc); err != nil {
		return res, err
	}
	return r.svc.Call(r.ctx, req)
}
