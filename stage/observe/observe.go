package observe

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
)

// Outcome is how one call ended.
type Outcome struct {
	// Elapsed is the time from the call's arrival at the stage to its answer.
	Elapsed time.Duration
	// Err is the error the caller got, nil on success.
	Err error
	// Try reports that the call came through TryCall, the non-blocking call; a
	// refusal then has an Err matching service.ErrOverloaded and an Elapsed near 0.
	Try bool
}

// Func receives every call's outcome. It must be safe for concurrent use and quick.
type Func func(Outcome)

// Observer is a fused stage that reports each call's [Outcome] to a [Func]. Its
// readiness is its inner service's. The zero value is not usable; build one with
// [New] or [Layer]. It is safe for concurrent use if the hook is.
type Observer[Req, Res any] struct {
	service.Next[Req, Res]
	f Func
}

var (
	_ service.Service[int, int]   = (*Observer[int, int])(nil)
	_ service.Readier             = (*Observer[int, int])(nil)
	_ service.TryCaller[int, int] = (*Observer[int, int])(nil)
)

// New returns a stage that reports every call on inner to f. It returns an error if
// inner or f is nil.
func New[Req, Res any](inner service.Service[Req, Res], f Func) (*Observer[Req, Res], error) {
	if f == nil {
		return nil, errors.New("observe: hook is nil")
	}
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("observe: inner %w", err)
	}
	return &Observer[Req, Res]{Next: next, f: f}, nil
}

// Layer returns a layer that reports every call to f; see [New].
func Layer[Req, Res any](f Func) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, f))
	}
}

// Call calls the inner service and reports the outcome.
func (s *Observer[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	start := time.Now()
	res, err := s.Next.Call(ctx, req)
	s.f(Outcome{Elapsed: time.Since(start), Err: err})
	return res, err
}

// TryCall makes the inner service's non-blocking call and reports the outcome,
// refusals included.
func (s *Observer[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	start := time.Now()
	res, err := s.Next.TryCall(ctx, req)
	s.f(Outcome{Elapsed: time.Since(start), Err: err, Try: true})
	return res, err
}
