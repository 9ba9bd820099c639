package tower

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
)

// Pipeline is an ordered list of layers, outermost first: the first layer sees a
// request first and its response last, as in Tower's ServiceBuilder. A Pipeline is
// an immutable value: With returns a new one, so a pipeline can be shared and
// extended freely. The zero value is an empty pipeline.
//
// [For] builds a pipeline with a method per built-in stage; NewPipeline takes
// layers as they are (user-written ones, or pipelines nested with [Pipeline.Layer]).
//
// Every stage of a pipeline has the same request and response types; a stage that
// changes them is a function from one service to another (see stage.MapRequestTo),
// applied to the materialized stack.
type Pipeline[Req, Res any] struct {
	layers []service.Layer[Req, Res]
}

// NewPipeline returns a pipeline of the given layers, outermost first.
func NewPipeline[Req, Res any](layers ...service.Layer[Req, Res]) Pipeline[Req, Res] {
	return Pipeline[Req, Res]{layers: append([]service.Layer[Req, Res](nil), layers...)}
}

// With returns a pipeline with layers added inside the existing ones: they see the
// request after every stage already listed.
func (p Pipeline[Req, Res]) With(layers ...service.Layer[Req, Res]) Pipeline[Req, Res] {
	all := make([]service.Layer[Req, Res], 0, len(p.layers)+len(layers))
	return Pipeline[Req, Res]{layers: append(append(all, p.layers...), layers...)}
}

// Len returns the number of layers.
func (p Pipeline[Req, Res]) Len() int { return len(p.layers) }

// Service materializes the pipeline over inner: the layers are applied innermost
// first, each in the stack's own [service.Scope], and the result is one service.
// Fused stages run in the caller's goroutine; stages that start goroutines
// (buffers) hand them to the scope, and [Stack.Stop] stops them. inner itself is
// not stopped: the caller owns it.
//
// Service returns an error if inner or a layer is nil, if a layer rejects its
// configuration, or if a layer returns a nil service; whatever the layers started
// before the error is stopped again.
func (p Pipeline[Req, Res]) Service(inner service.Service[Req, Res]) (*Stack[Req, Res], error) {
	sc := new(service.Scope)
	svc, err := p.build(sc, inner)
	if err != nil {
		_ = sc.Stop(context.Background())
		return nil, err
	}
	return newStack(svc, sc)
}

// ServiceFunc is Service over a function (Tower's service_fn).
func (p Pipeline[Req, Res]) ServiceFunc(f func(ctx context.Context, req Req) (Res, error)) (*Stack[Req, Res], error) {
	if f == nil {
		return nil, errors.New("tower: pipeline: terminal function is nil")
	}
	return p.Service(service.Func[Req, Res](f))
}

func (p Pipeline[Req, Res]) build(sc *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
	if err := service.CheckService(inner); err != nil {
		return nil, fmt.Errorf("tower: pipeline over a nil service: %w", err)
	}
	svc := inner
	for i := len(p.layers) - 1; i >= 0; i-- {
		var err error
		if svc, err = service.Apply(p.layers[i], sc, svc); err != nil {
			return nil, fmt.Errorf("tower: pipeline layer %d of %d: %w", i+1, len(p.layers), err)
		}
	}
	return svc, nil
}
