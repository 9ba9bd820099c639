package loadshed

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
)

// Shedder is a service that fails a call at once with [ErrShed] when its inner
// service has no capacity for it, instead of waiting: Tower's LoadShed. Create it
// with [New].
//
// It embeds the inner service's [service.Next] and overrides readiness: a shedder
// is always ready while its inner service is merely busy (see [Shedder.Ready]).
//
// The zero value is not usable. It is safe for concurrent use, never waits for
// capacity, starts no goroutine, and adds no allocation to an accepted call (a shed
// call allocates its error).
type Shedder[Req, Res any] struct {
	service.Next[Req, Res]
	events   service.EventFunc
	priority bool
	wait     service.Priority
}

var (
	_ service.Service[int, int]   = (*Shedder[int, int])(nil)
	_ service.TryCaller[int, int] = (*Shedder[int, int])(nil)
	_ service.Readier             = (*Shedder[int, int])(nil)
)

// New returns a load-shedding stage in front of inner. It returns an error for a
// nil inner service (see service.NewNext) or a nil option.
func New[Req, Res any](inner service.Service[Req, Res], opts ...Option) (*Shedder[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("loadshed: inner %w", err)
	}
	var cfg config
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("loadshed: option is nil")
		}
		o(&cfg)
		if cfg.err != nil {
			return nil, cfg.err
		}
	}
	return &Shedder[Req, Res]{Next: next, events: cfg.events, priority: cfg.priority, wait: cfg.wait}, nil
}

// Layer returns a layer that puts a load-shedding stage in front of the inner
// service; see [New]. A nil option is reported when the layer is applied.
func Layer[Req, Res any](opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, opts...))
	}
}

// Call makes the inner service's non-blocking call (see service.Next.TryCall) and
// waits for its answer if it accepts; if it refuses with an error matching
// service.ErrOverloaded, Call fails at once with an error that matches [ErrShed]
// and service.ErrOverloaded and wraps the inner service's refusal, and emits
// service.EventShed: the shedder asked for the non-blocking call, so the refusal,
// whichever stage below made it, is the shedder's to report.
//
// If the inner service has a TryCall of its own, the decision is atomic: the inner
// service takes the call or refuses it in one step. Otherwise its TryReady is
// checked and then it is called; that check is advisory, so under a race the call
// may still wait inside the inner service. A permanent error (such as one matching
// service.ErrClosed) is returned as it is, not as shed.
//
// With [WithPriority], a call of the given priority or above is made with the
// inner service's Call instead, and waits for capacity, bounded by ctx.
func (s *Shedder[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if s.priority && service.PriorityOf(ctx) >= s.wait {
		return s.Next.Call(ctx, req)
	}
	res, err := s.Next.TryCall(ctx, req)
	if err != nil && errors.Is(err, service.ErrOverloaded) {
		err = wrap(err)
		s.events.Emit(service.Event{Stage: "loadshed", Kind: service.EventShed, Err: err})
	}
	return res, err
}

// TryCall is Call without the event: the stage never waits for capacity, and a
// refusal on the non-blocking path is reported by the stage that asked for it (a
// shedder further out), not here.
func (s *Shedder[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	res, err := s.Next.TryCall(ctx, req)
	if err != nil && errors.Is(err, service.ErrOverloaded) {
		err = wrap(err)
	}
	return res, err
}

// wrap makes the error of a shed call, once: a refusal that a shedder further in
// already wrapped is returned as it is.
func wrap(cause error) error {
	if se, ok := cause.(*shedError); ok {
		return se
	}
	return &shedError{cause: cause}
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
	if err := s.Next.TryReady(); err != nil && !errors.Is(err, service.ErrOverloaded) {
		return err
	}
	return nil
}
