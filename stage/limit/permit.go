package limit

import (
	"context"
	"sync"
	"sync/atomic"
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
// A Permit is a small handle, and copies of it share one state: the permit is
// given back exactly once, by the first Call or Release made through any copy.
// After that, a Release (through the same value or any copy) does nothing and
// never panics, and a Call fails at once with [ErrPermitUsed]; neither can give
// back a permit someone else holds. The zero Permit holds nothing: its Call fails
// with ErrPermitUsed and its Release does nothing. Its methods are safe for
// concurrent use and, in the steady state, allocate nothing.
type Permit[Req, Res any] struct {
	c   *Concurrency[Req, Res]
	tok *token
	gen uint64 // tok's generation when the permit was granted
}

// token is the state a Permit and its copies share. Its generation moves on,
// once, when the permit is used or released; a token is then recycled for a later
// permit, whose generation is the new one, so a stale copy can never match again.
type token struct {
	gen atomic.Uint64
}

var tokens = sync.Pool{New: func() any { return new(token) }}

func newPermit[Req, Res any](c *Concurrency[Req, Res]) Permit[Req, Res] {
	t := tokens.Get().(*token)
	return Permit[Req, Res]{c: c, tok: t, gen: t.gen.Load()}
}

// take ends the permit's reservation, reporting whether this was the first use.
func (p Permit[Req, Res]) take() bool {
	if p.tok == nil || !p.tok.gen.CompareAndSwap(p.gen, p.gen+1) {
		return false
	}
	tokens.Put(p.tok)
	return true
}

// Call calls the inner service with the reserved permit and gives the permit back
// when the inner call returns, even if it panics. It never waits for a permit. A
// second Call, or a Call after Release (through this value or a copy), fails at
// once with [ErrPermitUsed].
func (p Permit[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if !p.take() {
		var zero Res
		return zero, ErrPermitUsed
	}
	defer p.c.sem.Release()
	return p.c.Next.Call(ctx, req)
}

// Release gives the permit back if it has not been used. It never blocks, and it
// is idempotent across copies: after the first Call or Release of the permit or of
// any copy of it, Release does nothing.
func (p Permit[Req, Res]) Release() {
	if p.take() {
		p.c.sem.Release()
	}
}
