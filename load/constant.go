package load

import (
	"context"
	"fmt"
	"math"

	"github.com/tower-go/tower/service"
)

// Constant is a service whose load is a fixed cost: Tower's Constant. Use it
// for endpoints a balancer should treat alike (with round robin or random
// picks), or to weigh an endpoint by hand.
//
// It embeds service.Next, so readiness and the non-blocking call forward to the
// inner service. The zero value is not usable; build one with [NewConstant]. It is
// safe for concurrent use; a call costs one indirect call and allocates nothing,
// and Load reads no clock.
type Constant[Req, Res any] struct {
	service.Next[Req, Res]
	cost float64
}

var (
	_ service.Service[int, int]   = (*Constant[int, int])(nil)
	_ service.TryCaller[int, int] = (*Constant[int, int])(nil)
	_ service.Readier             = (*Constant[int, int])(nil)
	_ service.Loader              = (*Constant[int, int])(nil)
)

// NewConstant returns inner with load cost. It returns an error if inner is nil
// or cost is negative, NaN or infinite.
func NewConstant[Req, Res any](inner service.Service[Req, Res], cost float64) (*Constant[Req, Res], error) {
	if math.IsNaN(cost) || math.IsInf(cost, 0) || cost < 0 {
		return nil, fmt.Errorf("load: constant: cost %v is not a finite number >= 0", cost)
	}
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("load: constant: inner %w", err)
	}
	return &Constant[Req, Res]{Next: next, cost: cost}, nil
}

// ConstantLayer returns a layer that gives the inner service load cost; see
// [NewConstant].
func ConstantLayer[Req, Res any](cost float64) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewConstant(inner, cost))
	}
}

// Call calls the inner service.
func (c *Constant[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return c.Next.Call(ctx, req)
}

// TryCall makes the inner service's non-blocking call.
func (c *Constant[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return c.Next.TryCall(ctx, req)
}

// Load returns the cost.
func (c *Constant[Req, Res]) Load() float64 { return c.cost }
