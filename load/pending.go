package load

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/service"
)

// Pending is a service whose load is the number of its calls in flight: Tower's
// PendingRequests. A call counts from the moment it is made until it returns
// (or, with [WithCompletion], until its [Completion] is completed), whether it
// succeeds or fails, and also when the inner service panics.
//
// It embeds service.Next, so readiness forwards to the inner service. The zero
// value is not usable; build one with [NewPending]. It is safe for concurrent
// use; a call costs two atomic adds, reads no clock and allocates nothing (a
// tracked call allocates its Completion).
type Pending[Req, Res any] struct {
	service.Next[Req, Res]
	n     atomic.Int64
	track func(Res, *Completion) Res
}

var (
	_ service.Service[int, int]   = (*Pending[int, int])(nil)
	_ service.TryCaller[int, int] = (*Pending[int, int])(nil)
	_ service.Readier             = (*Pending[int, int])(nil)
	_ service.Loader              = (*Pending[int, int])(nil)
)

// NewPending returns inner with its calls in flight as its load. It takes the
// option [WithCompletion]. It returns an error if inner is nil or an option is
// bad or not for this metric.
func NewPending[Req, Res any](inner service.Service[Req, Res], opts ...Option) (*Pending[Req, Res], error) {
	b, err := pendingBuilder[Req, Res](opts)
	if err != nil {
		return nil, err
	}
	return b(inner)
}

// PendingLayer returns a layer that counts the inner service's calls in flight
// as its load; see [NewPending].
func PendingLayer[Req, Res any](opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewPending(inner, opts...))
	}
}

// pendingBuilder checks opts once and returns what builds the metric over an
// inner service.
func pendingBuilder[Req, Res any](opts []Option) (func(service.Service[Req, Res]) (*Pending[Req, Res], error), error) {
	cfg, err := newConfig("pending", optCompletion, opts)
	if err != nil {
		return nil, err
	}
	track, err := tracker[Res](&cfg)
	if err != nil {
		return nil, err
	}
	return func(inner service.Service[Req, Res]) (*Pending[Req, Res], error) {
		next, err := service.NewNext(inner)
		if err != nil {
			return nil, fmt.Errorf("load: pending: inner %w", err)
		}
		return &Pending[Req, Res]{Next: next, track: track}, nil
	}, nil
}

// Call calls the inner service, counting the call while it is in flight.
func (p *Pending[Req, Res]) Call(ctx context.Context, req Req) (res Res, err error) {
	p.n.Add(1)
	returned := false
	defer func() {
		if !returned { // the inner service panicked
			p.n.Add(-1)
		}
	}()
	res, err = p.Next.Call(ctx, req)
	returned = true
	return p.finish(res, err)
}

// TryCall makes the inner service's non-blocking call, counting it as Call does
// (a refusal counts only while TryCall runs).
func (p *Pending[Req, Res]) TryCall(ctx context.Context, req Req) (res Res, err error) {
	p.n.Add(1)
	returned := false
	defer func() {
		if !returned {
			p.n.Add(-1)
		}
	}()
	res, err = p.Next.TryCall(ctx, req)
	returned = true
	return p.finish(res, err)
}

func (p *Pending[Req, Res]) finish(res Res, err error) (Res, error) {
	if err != nil || p.track == nil {
		p.n.Add(-1)
		return res, err
	}
	return p.track(res, &Completion{m: p}), nil
}

func (p *Pending[Req, Res]) complete(time.Time) { p.n.Add(-1) }

// Load returns the number of calls in flight. It reads one atomic.
func (p *Pending[Req, Res]) Load() float64 { return float64(p.n.Load()) }

// Pending returns the number of calls in flight.
func (p *Pending[Req, Res]) Pending() int { return int(p.n.Load()) }
