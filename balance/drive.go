package balance

import (
	"context"
	"errors"
	"time"

	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/service"
)

// drive starts e's readiness driver: a goroutine that waits for e's readiness
// and puts it back in the pick, or evicts it if its readiness fails for good.
func (b *Balancer[K, Req, Res]) drive(e *endpoint[K, Req, Res]) {
	if !b.spawn(func() {
		if err := b.readyLoop(e); err != nil {
			if e.ctx.Err() == nil {
				b.evict(e, err)
			}
			return
		}
		if e.state.CompareAndSwap(stateNotReady, stateReady) {
			b.broadcast()
		}
	}) {
		e.state.CompareAndSwap(stateNotReady, stateReady) // stopping: nothing to drive
	}
}

// readyLoop waits for e's readiness until e's ctx ends. A transient refusal
// (an endpoint busy or unavailable for a while that answers Ready at once) is
// waited out with a backoff from 1ms to 1s. It returns nil when e is ready, the
// permanent error, or ctx's error.
func (b *Balancer[K, Req, Res]) readyLoop(e *endpoint[K, Req, Res]) error {
	backoff := time.Duration(0)
	for {
		err := e.next.Ready(e.ctx)
		if err == nil {
			return nil
		}
		if e.ctx.Err() != nil {
			return e.ctx.Err()
		}
		if !service.IsTransient(err) {
			return err
		}
		e.busy.Store(isBusy(err))
		backoff = min(max(2*backoff, time.Millisecond), time.Second)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-e.ctx.Done():
			t.Stop()
			return e.ctx.Err()
		}
	}
}

// isBusy reports whether a readiness refusal is for lack of capacity.
func isBusy(err error) bool {
	return errors.Is(err, service.ErrOverloaded) || errors.Is(err, mailbox.ErrFull)
}

// await waits, bounded by ctx, until a pick finds an endpoint. It returns it, or
// nil and why none was found when ctx ended, or nil and causeNone when the
// balancer stopped.
func (b *Balancer[K, Req, Res]) await(ctx context.Context) (*endpoint[K, Req, Res], cause) {
	b.waiters.Add(1)
	defer b.waiters.Add(-1)
	for {
		b.chMu.Lock()
		ch := b.change
		b.chMu.Unlock()
		e, why := b.pick() // after subscribing, so that no change is missed
		if e != nil {
			return e, causeNone
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, why
		case <-b.quit:
			return nil, causeNone
		}
		if b.closed.Load() {
			return nil, causeNone
		}
	}
}

// broadcast wakes the calls waiting for an endpoint, if any.
func (b *Balancer[K, Req, Res]) broadcast() {
	if b.waiters.Load() == 0 {
		return
	}
	b.chMu.Lock()
	close(b.change)
	b.change = make(chan struct{})
	b.chMu.Unlock()
}
