package loadshed

import (
	"context"
	"errors"

	"github.com/tower-go/tower/service"
)

// Shedder is a service that fails a call at once with [ErrShed] when its inner
// service has no capacity for it, instead of waiting: Tower's LoadShed. Create it
// with [New].
//
// The zero value is not usable. It is safe for concurrent use, never waits for
// capacity, starts no goroutine, and adds no allocation to an accepted call (a shed
// call allocates its error).
type Shedder[Req, Res any] struct {
	inner  service.Service[Req, Res]
	try    service.TryCaller[Req, Res] // inner's atomic non-blocking call, or nil
	ready  service.Readier             // inner's readiness, or nil
	events service.EventFunc
}

var (
	_ service.Service[int, int]   = (*Shedder[int, int])(nil)
	_ service.TryCaller[int, int] = (*Shedder[int, int])(nil)
	_ service.Readier             = (*Shedder[int, int])(nil)
)

// New returns a load-shedding stage in front of inner.
func New[Req, Res any](inner service.Service[Req, Res], opts ...Option) (*Shedder[Req, Res], error) {
	if inner == nil {
		return nil, errors.New("loadshed: inner service is nil")
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	try, _ := inner.(service.TryCaller[Req, Res])
	ready, _ := inner.(service.Readier)
	return &Shedder[Req, Res]{inner: inner, try: try, ready: ready, events: cfg.events}, nil
}

// Layer returns a layer that puts a load-shedding stage in front of the inner
// service; see [New].
func Layer[Req, Res any](opts ...Option) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, opts...))
	}
}

// Call calls the inner service if it has capacity now, and otherwise fails at once
// with an error that matches [ErrShed] and service.ErrOverloaded and wraps the inner
// service's refusal, emitting service.EventShed.
//
// If the inner service implements service.TryCaller, Call uses its TryCall: the
// inner service takes the call or refuses it in one atomic step, and any error
// matching service.ErrOverloaded that TryCall returns is reported as shed. Otherwise
// Call checks the inner service's TryReady and then calls it; that check is
// advisory, so under a race the call may still wait inside the inner service. A
// permanent readiness error (such as one matching service.ErrClosed) is returned as
// it is, not as shed.
func (s *Shedder[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if s.try != nil {
		res, err := s.try.TryCall(ctx, req)
		if err != nil && errors.Is(err, service.ErrOverloaded) {
			return res, s.shed(err)
		}
		return res, err
	}
	if s.ready != nil {
		if err := s.ready.TryReady(); err != nil {
			var zero Res
			if errors.Is(err, service.ErrOverloaded) {
				return zero, s.shed(err)
			}
			return zero, err
		}
	}
	return s.inner.Call(ctx, req)
}

// TryCall is Call: the stage never waits for capacity.
func (s *Shedder[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return s.Call(ctx, req)
}

func (s *Shedder[Req, Res]) shed(cause error) error {
	err := &shedError{cause: cause}
	s.events.Emit(service.Event{Stage: "loadshed", Kind: service.EventShed, Err: err})
	return err
}

// Ready never waits: the stage is always ready, because a call it cannot place it
// sheds at once. It returns ctx.Err() if ctx has ended, and the inner service's
// readiness error if that is permanent (anything that does not match
// service.ErrOverloaded, such as a closed or failed service); otherwise nil.
func (s *Shedder[Req, Res]) Ready(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.TryReady()
}

// TryReady is Ready without a ctx: nil unless the inner service's readiness has
// failed permanently.
func (s *Shedder[Req, Res]) TryReady() error {
	if s.ready == nil {
		return nil
	}
	if err := s.ready.TryReady(); err != nil && !errors.Is(err, service.ErrOverloaded) {
		return err
	}
	return nil
}

// Unwrap returns the inner service.
func (s *Shedder[Req, Res]) Unwrap() service.Service[Req, Res] { return s.inner }
