package filter

import (
	"context"

	"github.com/tower-go/tower/service"
)

// Layer returns a layer that applies [New] with pred to the inner service. Bad
// input is reported when the layer is applied.
func Layer[Req, Res any](pred func(Req) error, opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, pred, opts...))
	}
}

// AsyncLayer returns a layer that applies [NewAsync] with pred.
func AsyncLayer[Req, Res any](pred func(context.Context, Req) error, opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewAsync(inner, pred, opts...))
	}
}

// TransformLayer returns a layer that applies [NewTransform] with pred.
func TransformLayer[Req, Res any](pred func(Req) (Req, error), opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewTransform(inner, pred, opts...))
	}
}

// AsyncTransformLayer returns a layer that applies [NewAsyncTransform] with pred.
func AsyncTransformLayer[Req, Res any](pred func(context.Context, Req) (Req, error), opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewAsyncTransform(inner, pred, opts...))
	}
}
