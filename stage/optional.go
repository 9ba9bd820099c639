package stage

import (
	"fmt"

	"github.com/tower-go/tower/service"
)

// Identity returns a layer that returns its inner service unchanged: Tower's
// Identity layer, the neutral element of pipelines. It adds no stage and so costs
// nothing per call. Applied to a nil service (a nil interface, a nil service.Func,
// a typed nil pointer) it returns an error wrapping service.ErrNilService.
func Identity[Req, Res any]() service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		if err := service.CheckService(inner); err != nil {
			return nil, fmt.Errorf("stage: identity: inner %w", err)
		}
		return inner, nil
	}
}

// Optional returns l, or [Identity] if l is nil: Tower's option_layer
// (Option<Layer>). It lets a pipeline list a stage that configuration may leave out:
//
//	var limit service.Layer[Req, Res] // nil unless configured
//	p := tower.NewPipeline(stage.Optional(limit), ...)
//
// Since the result is l itself, l is applied in the same scope as every other
// layer of the pipeline, which owns whatever l starts.
func Optional[Req, Res any](l service.Layer[Req, Res]) service.Layer[Req, Res] {
	if l == nil {
		return Identity[Req, Res]()
	}
	return l
}
