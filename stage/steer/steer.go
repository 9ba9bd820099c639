package steer

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
)

// Picker chooses which of n services serves req: it returns an index in [0, n).
// It must be safe for concurrent use and quick; it runs on the caller's goroutine.
type Picker[Req any] func(req Req, n int) int

// Steer routes each call to one of its services, as its [Picker] says. It holds a
// [service.Next] for each service, so each one's readiness and non-blocking call are
// looked up once, at construction. Create it with [New]; the zero value is not
// usable. It is safe for concurrent use and allocates nothing per call.
type Steer[Req, Res any] struct {
	pick     Picker[Req]
	services []service.Next[Req, Res]
}

var (
	_ service.Service[int, int]   = (*Steer[int, int])(nil)
	_ service.TryCaller[int, int] = (*Steer[int, int])(nil)
)

// New returns a Steer that routes over services, in this order, with pick. It
// returns an error if pick is nil, if there are no services, or if one is nil (a
// nil interface, a nil service.Func or a typed nil pointer; the error wraps
// service.ErrNilService). The slice is copied.
func New[Req, Res any](pick Picker[Req], services ...service.Service[Req, Res]) (*Steer[Req, Res], error) {
	if pick == nil {
		return nil, errors.New("steer: nil picker")
	}
	if len(services) == 0 {
		return nil, errors.New("steer: no services")
	}
	nexts := make([]service.Next[Req, Res], len(services))
	for i, svc := range services {
		next, err := service.NewNext(svc)
		if err != nil {
			return nil, fmt.Errorf("steer: services[%d] (of %d): %w", i, len(services), err)
		}
		nexts[i] = next
	}
	return &Steer[Req, Res]{pick: pick, services: nexts}, nil
}

// Call routes req to the service the picker chooses, waits for that service's
// readiness (bounded by ctx) and calls it. It blocks as that service does and
// returns its answer, its readiness error, or an error matching [ErrBadPick].
func (s *Steer[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	next, err := s.route(req)
	if err != nil {
		var zero Res
		return zero, err
	}
	if err := next.Ready(ctx); err != nil {
		var zero Res
		return zero, err
	}
	return next.Call(ctx, req)
}

// TryCall routes req as Call does but fails at once, with the routed service's
// error (one matching service.ErrOverloaded), if that service is not ready now; see
// [service.Next.TryCall].
func (s *Steer[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	next, err := s.route(req)
	if err != nil {
		var zero Res
		return zero, err
	}
	return next.TryCall(ctx, req)
}

// Len returns the number of services.
func (s *Steer[Req, Res]) Len() int { return len(s.services) }

// Service returns the i-th service, for its owner (to stop it, say). It panics if
// i is out of range, as a slice index does.
func (s *Steer[Req, Res]) Service(i int) service.Service[Req, Res] { return s.services[i].Unwrap() }

func (s *Steer[Req, Res]) route(req Req) (*service.Next[Req, Res], error) {
	n := len(s.services)
	i := s.pick(req, n)
	if i < 0 || i >= n {
		return nil, fmt.Errorf("%w: %d, with %d services", ErrBadPick, i, n)
	}
	return &s.services[i], nil
}
