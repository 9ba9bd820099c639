package hedge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tower-go/tower/service"
)

// Hedge is Tower's hedge: it sends a call that is slower than the recent latency
// percentile a second time and answers with the first success. Create it with [New]
// or [Layer]; the zero value is not usable. It is safe for concurrent use; see the
// package documentation for what a call costs. Readiness is the inner service's
// (embedded [service.Next]).
type Hedge[Req, Res any] struct {
	service.Next[Req, Res]
	budget Budget
	clone  func(Req) (Req, bool)
	events service.EventFunc
	pool   sync.Pool // *call[Req, Res]
	hist   histogram
}

var (
	_ service.Service[int, int]   = (*Hedge[int, int])(nil)
	_ service.Readier             = (*Hedge[int, int])(nil)
	_ service.TryCaller[int, int] = (*Hedge[int, int])(nil)
)

// New returns a hedge over inner, configured by opts (see the With functions for
// each option and its default). It returns an error if inner is nil (a typed nil
// included) or an option is out of range.
func New[Req, Res any](inner service.Service[Req, Res], opts ...Option) (*Hedge[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("hedge: inner %w", err)
	}
	cfg, clone, err := newConfig[Req](opts)
	if err != nil {
		return nil, err
	}
	h := &Hedge[Req, Res]{
		Next:   next,
		budget: cfg.budget,
		clone:  clone,
		events: cfg.events,
	}
	h.hist.init(cfg.period, cfg.percentile, cfg.minData)
	h.pool.New = func() any { return newCall(h) }
	return h, nil
}

// Layer returns a layer that wraps its inner service in a hedge configured by opts.
func Layer[Req, Res any](opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, opts...))
	}
}

// Call calls the inner service with req and, if the last period has enough
// latencies and this call is still unanswered at their percentile, sends req (or
// its clone) again, budget permitting. It returns the first success; if every
// attempt fails, the first attempt's error. Call returns only once every attempt it
// started has returned: the losing attempt's ctx is cancelled, so this costs the
// inner service's reaction to cancellation.
func (h *Hedge[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	h.budget.Deposit()
	start := h.hist.now()
	h.hist.tick(start)
	if d := h.hist.delay.Load(); d > 0 {
		return h.hedged(ctx, req, start, time.Duration(d), false)
	}
	res, err := h.Next.Call(ctx, req)
	if err == nil {
		h.hist.record(h.hist.now() - start)
	}
	return res, err
}

// TryCall makes the first attempt with the inner service's non-blocking call. If
// the inner service refuses it (an error matching service.ErrOverloaded), TryCall
// returns the refusal at once and sends no hedge (one that the timer started in
// the meantime is cancelled, and its answer dropped); nothing is deposited into the
// budget. Once the first attempt was accepted, TryCall behaves as Call. Hedges are
// always sent with the inner service's non-blocking call.
func (h *Hedge[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	start := h.hist.now()
	h.hist.tick(start)
	if d := h.hist.delay.Load(); d > 0 {
		return h.hedged(ctx, req, start, time.Duration(d), true)
	}
	res, err := h.Next.TryCall(ctx, req)
	if err == nil {
		h.budget.Deposit()
		h.hist.record(h.hist.now() - start)
	} else if !errors.Is(err, service.ErrOverloaded) {
		h.budget.Deposit()
	}
	return res, err
}

// Delay returns the hedge delay the stage uses now: the percentile latency of the
// last complete period, or 0 while it does not hedge (fewer than the minimum data
// points). It does not block.
func (h *Hedge[Req, Res]) Delay() time.Duration { return time.Duration(h.hist.delay.Load()) }

// hedged runs the first attempt on the caller's goroutine under a timer; if the
// timer fires first, the timer's goroutine sends the hedge (see call.fire).
func (h *Hedge[Req, Res]) hedged(ctx context.Context, req Req, start int64, d time.Duration, try bool) (Res, error) {
	c := h.pool.Get().(*call[Req, Res])
	actx, cancel := context.WithCancel(ctx)
	c.ctx, c.req, c.cancel1, c.start = ctx, req, cancel, start
	c.timer.Reset(d)
	returned := false
	defer func() {
		if !returned { // the first attempt panicked: stop the hedge, let the panic go on
			c.abandon()
		}
	}()
	var res Res
	var err error
	if try {
		res, err = h.Next.TryCall(actx, req)
	} else {
		res, err = h.Next.Call(actx, req)
	}
	returned = true
	refused := try && err != nil && errors.Is(err, service.ErrOverloaded)
	if try && !refused {
		h.budget.Deposit()
	}
	lat := h.hist.now() - start
	if c.timer.Stop() { // answered before the hedge delay: no hedge
		cancel()
		if err == nil {
			h.hist.record(lat)
		}
		h.put(c)
		return res, err
	}
	return h.race(c, res, err, lat, refused)
}

// race finishes a call whose timer fired: the hedge is running, ran, or was not
// sent. It cancels the hedge if the first attempt succeeded, waits for it, and picks
// the answer.
func (h *Hedge[Req, Res]) race(c *call[Req, Res], res Res, err error, lat int64, refused bool) (Res, error) {
	hc := c.finishFirst()
	if (err == nil || refused) && hc != nil {
		hc()
	}
	c.cancel1()
	<-c.done
	if p := c.panicked; p != nil {
		panic(p) // the hedge panicked: re-panic on the caller's goroutine
	}
	switch {
	case err == nil:
		h.hist.record(lat)
	case c.sent && c.herr == nil && !refused:
		res, err = c.hres, nil // the hedge won; it recorded its latency
	}
	h.put(c)
	return res, err
}

func (h *Hedge[Req, Res]) put(c *call[Req, Res]) {
	c.reset()
	h.pool.Put(c)
}
