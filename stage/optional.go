package stage

import (
	"errors"

	"github.com/tower-go/tower/service"
)

// Identity returns a layer that returns its inner service unchanged: Tower's
// Identity layer, the neutral element of pipelines. It adds no stage and so costs
// nothing per call. Applied to a nil service it returns an error.
func Identity[Req, Res any]() service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		if inner == nil {
			return nil, errors.New("stage: identity: inner service is nil")
		}
		return inner, nil
	}
}

// Optional returns l, or [Identity] if l is nil: Tower's Option<Layer>. It lets a
// pipeline list a stage that configuration may leave out:
//
//	var limit service.Layer[Req, Res] // nil unless configured
//	p := tower.NewPipeline(stage.Optional(limit), ...)
func Optional[Req, Res any](l service.Layer[Req, Res]) service.Layer[Req, Res] {
	if l == nil {
		return Identity[Req, Res]()
	}
	return l
}
