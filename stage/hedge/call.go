package hedge

import (
	"context"
	"sync"
	"time"

	"github.com/tower-go/tower/service"
)

// call is the state of one hedged call, pooled with its timer. The caller sets
// ctx, req and cancel1 before arming the timer, and fire reads them when it fires
// (arming happens before firing). mu guards over and hcancel, which both goroutines
// use; fire writes panicked, sent, hres and herr before it signals done, and the
// caller reads them after.
type call[Req, Res any] struct {
	h     *Hedge[Req, Res]
	timer *time.Timer   // runs fire; stopped while the call is in the pool
	done  chan struct{} // cap 1: fire has finished

	ctx     context.Context // the caller's ctx
	req     Req
	start   int64              // when the call started, on the histogram's clock
	cancel1 context.CancelFunc // cancels the first attempt

	mu      sync.Mutex
	over    bool               // the first attempt has returned: send no hedge
	hcancel context.CancelFunc // cancels the hedge, once sent

	panicked *service.PanicError
	sent     bool
	hres     Res
	herr     error
}

func newCall[Req, Res any](h *Hedge[Req, Res]) *call[Req, Res] {
	c := &call[Req, Res]{h: h, done: make(chan struct{}, 1)}
	c.timer = time.AfterFunc(time.Hour, c.fire)
	c.timer.Stop()
	return c
}

// fire runs on the timer's goroutine when the first attempt is slower than the
// hedge delay, and sends the hedge unless there is no point or no budget.
func (c *call[Req, Res]) fire() {
	defer func() {
		if r := recover(); r != nil {
			c.panicked = service.NewPanicError(r)
			c.cancel1() // wake the caller so that it re-panics at once
		}
		c.done <- struct{}{}
	}()
	h := c.h
	if c.isOver() || c.ctx.Err() != nil {
		return
	}
	req, ok := c.req, true
	if h.clone != nil {
		if req, ok = h.clone(req); !ok {
			return
		}
	}
	if h.Next.TryReady() != nil {
		return // the inner service has no room now: a hedge would only queue
	}
	if !h.budget.Withdraw() {
		if h.events != nil {
			h.events(service.Event{Stage: "hedge", Kind: service.EventBudgetExhausted, Attempt: 2, Elapsed: time.Duration(h.hist.now() - c.start)})
		}
		return
	}
	hctx, hcancel := context.WithCancel(c.ctx)
	defer hcancel()
	c.mu.Lock()
	if c.over {
		c.mu.Unlock()
		return
	}
	c.hcancel = hcancel
	c.mu.Unlock()
	start := h.hist.now()
	if h.events != nil {
		h.events(service.Event{Stage: "hedge", Kind: service.EventHedged, Attempt: 2, Elapsed: time.Duration(start - c.start)})
	}
	res, err := h.Next.TryCall(hctx, req)
	if err == nil {
		h.hist.record(h.hist.now() - start)
		c.cancel1() // the hedge won: the first attempt is the loser
	}
	c.sent, c.hres, c.herr = true, res, err
}

func (c *call[Req, Res]) isOver() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.over
}

// finishFirst records that the first attempt has returned and returns the hedge's
// cancel func if the hedge was sent.
func (c *call[Req, Res]) finishFirst() context.CancelFunc {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.over = true
	return c.hcancel
}

// abandon cleans up after a first attempt that panicked: no hedge is sent, a
// running one is cancelled and waited for. The call is not reused.
func (c *call[Req, Res]) abandon() {
	if c.timer.Stop() {
		c.cancel1()
		return
	}
	if hc := c.finishFirst(); hc != nil {
		hc()
	}
	c.cancel1()
	<-c.done
}

// reset clears the call for reuse; fire has finished or never started.
func (c *call[Req, Res]) reset() {
	var (
		req Req
		res Res
	)
	c.ctx, c.req, c.cancel1, c.start = nil, req, nil, 0
	c.over, c.hcancel = false, nil
	c.sent, c.hres, c.herr = false, res, nil
}
