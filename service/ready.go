package service

import "context"

// Ready waits until s has room for a call. A service that does not implement
// [Readier] is always ready: Ready returns nil at once.
func Ready[Req, Res any](ctx context.Context, s Service[Req, Res]) error {
	if r, ok := s.(Readier); ok {
		return r.Ready(ctx)
	}
	return nil
}

// TryReady reports at once whether s has room for a call: nil, an error matching
// [ErrOverloaded], or a permanent error. A service that does not implement [Readier]
// is always ready.
func TryReady[Req, Res any](s Service[Req, Res]) error {
	if r, ok := s.(Readier); ok {
		return r.TryReady()
	}
	return nil
}

// TryCall calls s unless it is not ready at once. It uses s's own [TryCaller] when s
// has one (an atomic decision); otherwise it checks [Readier.TryReady] and then calls,
// which is advisory: the call may still wait if other goroutines took the room first.
func TryCall[Req, Res any](ctx context.Context, s Service[Req, Res], req Req) (Res, error) {
	if t, ok := s.(TryCaller[Req, Res]); ok {
		return t.TryCall(ctx, req)
	}
	if err := TryReady(s); err != nil {
		var zero Res
		return zero, err
	}
	return s.Call(ctx, req)
}

// Oneshot waits for s to be ready, then calls it once: Tower's oneshot. It returns the
// readiness error if s never became ready.
func Oneshot[Req, Res any](ctx context.Context, s Service[Req, Res], req Req) (Res, error) {
	if err := Ready(ctx, s); err != nil {
		var zero Res
		return zero, err
	}
	return s.Call(ctx, req)
}

// Forward forwards readiness to an inner service. A stage embeds a Forward made by
// [ForwardReady] so that it implements [Readier] exactly as its inner service does
// (always ready when the inner service has no bound). The zero value is always ready.
type Forward struct {
	r Readier
}

// ForwardReady returns a Forward for inner: inner's own readiness if it implements
// [Readier], otherwise always ready.
func ForwardReady(inner any) Forward {
	r, _ := inner.(Readier)
	return Forward{r: r}
}

// Ready waits for the inner service's readiness; an inner service without one is
// always ready.
func (f Forward) Ready(ctx context.Context) error {
	if f.r == nil {
		return nil
	}
	return f.r.Ready(ctx)
}

// TryReady reports the inner service's readiness at once.
func (f Forward) TryReady() error {
	if f.r == nil {
		return nil
	}
	return f.r.TryReady()
}
