package stage

import (
	"context"
	"errors"

	"github.com/tower-go/tower/service"
)

// link is a stage's inner service with its non-blocking call looked up once, at
// construction, so that TryCall pays no type assertion per call.
type link[Req, Res any] struct {
	svc service.Service[Req, Res]
	try service.TryCaller[Req, Res] // nil when svc has no TryCall
}

func newLink[Req, Res any](svc service.Service[Req, Res]) link[Req, Res] {
	try, _ := svc.(service.TryCaller[Req, Res])
	return link[Req, Res]{svc: svc, try: try}
}

// tryCall is service.TryCall on the inner service: its own TryCall when it has one,
// otherwise TryReady (advisory) and Call.
func (l *link[Req, Res]) tryCall(ctx context.Context, req Req) (Res, error) {
	if l.try != nil {
		return l.try.TryCall(ctx, req)
	}
	if err := service.TryReady(l.svc); err != nil {
		var zero Res
		return zero, err
	}
	return l.svc.Call(ctx, req)
}

// check reports the error a constructor returns for a nil service or function.
func check(stage string, svcNil, fNil bool) error {
	switch {
	case svcNil:
		return errors.New("stage: " + stage + ": inner service is nil")
	case fNil:
		return errors.New("stage: " + stage + ": function is nil")
	}
	return nil
}
