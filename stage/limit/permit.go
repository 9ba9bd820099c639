package limit

import (
	"context"
	"sync/atomic"
)

const (
	permitHeld uint32 = iota
	permitUsed
	permitReleased
)

// Permit is a permit reserved by [Concurrency.Acquire] or [Concurrency.TryAcquire]
// for exactly one call: Tower's ready-then-call guarantee, which the stage's own
// readiness does not give because it reserves nothing. Use it with Call, once, or
// give it back with Release; an unused permit holds a slot of the limit until it is
// released, so release it on every path:
//
//	p, err := lim.Acquire(ctx)
//	if err != nil {
//		return err
//	}
//	defer p.Release() // a no-op once Call has used the permit
//	res, err := p.Call(ctx, req)
//
// The zero Permit holds nothing: its Call fails with [ErrPermitUsed] and its Release
// does nothing. A Permit is a value that holds its state: do not copy it after it
// is returned (go vet reports copies). Its methods are safe for concurrent use and
// allocate nothing.
type Permit[Req, Res any] struct {
	c     *Concurrency[Req, Res]
	state atomic.Uint32
}

// Call calls the inner service with the reserved permit and gives the permit back
// when the inner call returns, even if it panics. It never waits for a permit. A
// second Call, or a Call after Release, fails at once with [ErrPermitUsed].
func (p *Permit[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if p.c == nil || !p.state.CompareAndSwap(permitHeld, permitUsed) {
		var zero Res
		return zero, ErrPermitUsed
	}
	defer p.c.sem.Release()
	return p.c.inner.Call(ctx, req)
}

// Release gives the permit back if it has not been used. It is idempotent, never
// blocks, and does nothing after Call (which gives the permit back itself).
func (p *Permit[Req, Res]) Release() {
	if p.c != nil && p.state.CompareAndSwap(permitHeld, permitReleased) {
		p.c.sem.Release()
	}
}
