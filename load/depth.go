package load

import (
	"context"
	"fmt"

	"github.com/tower-go/tower/service"
)

// Lener is anything that says how many calls it has queued: an actor, an actor's
// ref and a mailbox have Len.
type Lener interface {
	Len() int
}

// Depth is a service whose load is the depth of a mailbox: the calls queued for
// an actor endpoint and not yet taken by its workers. It suits endpoints that are
// actors, where the queue is the best measure of how long a new call would wait;
// it does not count calls the workers are serving.
//
// It embeds service.Next, so readiness and the non-blocking call forward to the
// inner service. The zero value is not usable; build one with [NewDepth]. It is
// safe for concurrent use if the queue's Len is; a call costs one indirect call
// and allocates nothing, and Load reads no clock.
type Depth[Req, Res any] struct {
	service.Next[Req, Res]
	q Lener
}

var (
	_ service.Service[int, int]   = (*Depth[int, int])(nil)
	_ service.TryCaller[int, int] = (*Depth[int, int])(nil)
	_ service.Readier             = (*Depth[int, int])(nil)
	_ service.Loader              = (*Depth[int, int])(nil)
)

// NewDepth returns inner with the load q.Len(). q is usually the actor at the
// bottom of inner (load.NewDepth(ref, ref) for an actor's ref itself, or
// load.NewDepth(stack, ref) for a stack of stages over it). It returns an error if
// inner or q is nil.
func NewDepth[Req, Res any](inner service.Service[Req, Res], q Lener) (*Depth[Req, Res], error) {
	if q == nil || isNil(q) {
		return nil, fmt.Errorf("load: depth: queue is nil")
	}
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("load: depth: inner %w", err)
	}
	return &Depth[Req, Res]{Next: next, q: q}, nil
}

// DepthLayer returns a layer that gives the inner service the load q.Len(); see
// [NewDepth].
func DepthLayer[Req, Res any](q Lener) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewDepth(inner, q))
	}
}

// Call calls the inner service.
func (d *Depth[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return d.Next.Call(ctx, req)
}

// TryCall makes the inner service's non-blocking call.
func (d *Depth[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return d.Next.TryCall(ctx, req)
}

// Load returns the queue's length (0 if it reports a negative one).
func (d *Depth[Req, Res]) Load() float64 { return float64(max(d.q.Len(), 0)) }
