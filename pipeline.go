package tower

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/actor"
)

// Pipeline is an ordered list of stages, outermost first: the first layer sees a
// request first and its response last, as in Tower's ServiceBuilder. A Pipeline is an
// immutable value: With returns a new one, so a pipeline can be shared and extended
// freely. The zero value is an empty pipeline.
//
// Every stage of a pipeline has the same request and response types; a stage that
// changes them is a function from one service to another (see stage.MapRequestTo),
// applied to the materialized stack.
type Pipeline[Req, Res any] struct {
	layers []Layer[Req, Res]
}

// NewPipeline returns a pipeline of the given layers, outermost first.
func NewPipeline[Req, Res any](layers ...Layer[Req, Res]) Pipeline[Req, Res] {
	return Pipeline[Req, Res]{layers: append([]Layer[Req, Res](nil), layers...)}
}

// With returns a pipeline with layers added inside the existing ones: they see the
// request after every stage already listed.
func (p Pipeline[Req, Res]) With(layers ...Layer[Req, Res]) Pipeline[Req, Res] {
	all := make([]Layer[Req, Res], 0, len(p.layers)+len(layers))
	return Pipeline[Req, Res]{layers: append(append(all, p.layers...), layers...)}
}

// Len returns the number of layers.
func (p Pipeline[Req, Res]) Len() int { return len(p.layers) }

// Service materializes the pipeline inline over inner: the stages are applied
// innermost first and the result is one service. Fused stages run in the caller's
// goroutine; boundary stages (buffers) start their goroutines now and are stopped by
// [Stack.Stop]. inner itself is not stopped: the caller owns it.
//
// Service returns an error if inner or a layer is nil, or if a layer rejects its
// configuration; stages already started are then stopped again.
func (p Pipeline[Req, Res]) Service(inner Service[Req, Res]) (*Stack[Req, Res], error) {
	if inner == nil {
		return nil, errors.New("tower: pipeline over a nil service")
	}
	var stoppers []Stopper // innermost first while building
	svc := inner
	for i := len(p.layers) - 1; i >= 0; i-- {
		l := p.layers[i]
		var err error
		if l == nil {
			err = errors.New("layer is nil")
		} else if svc, err = l(svc); err == nil && svc == nil {
			err = errors.New("layer returned a nil service")
		}
		if err != nil {
			stopAll(context.Background(), reversed(stoppers))
			return nil, fmt.Errorf("tower: pipeline layer %d of %d: %w", i+1, len(p.layers), err)
		}
		if s, ok := svc.(Stopper); ok {
			stoppers = append(stoppers, s)
		}
	}
	return newStack(svc, reversed(stoppers)), nil
}

// Spawn materializes the pipeline behind an actor: the fused stack runs on workers
// goroutines draining a mailbox of the given capacity (see actor.Spawn). Callers of
// the returned stack pay one mailbox hop; its readiness is the mailbox's free
// capacity. Stop stops the actor first, then the pipeline's own boundaries.
func (p Pipeline[Req, Res]) Spawn(inner Service[Req, Res], capacity, workers int, opts ...actor.Option) (*Stack[Req, Res], error) {
	st, err := p.Service(inner)
	if err != nil {
		return nil, err
	}
	a, err := actor.Spawn[Req, Res](st, capacity, workers, opts...)
	if err != nil {
		_ = st.Stop(context.Background())
		return nil, fmt.Errorf("tower: pipeline: %w", err)
	}
	return newStack[Req, Res](a, append([]Stopper{a}, st.stoppers...)), nil
}

// Layer returns the whole pipeline as one layer, so that pipelines nest. The
// service it builds is a *Stack and stops its own boundaries.
func (p Pipeline[Req, Res]) Layer() Layer[Req, Res] {
	return func(inner Service[Req, Res]) (Service[Req, Res], error) {
		return p.Service(inner)
	}
}

func reversed(s []Stopper) []Stopper {
	out := make([]Stopper, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func stopAll(ctx context.Context, stoppers []Stopper) error {
	var errs []error
	for _, s := range stoppers {
		if err := s.Stop(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
