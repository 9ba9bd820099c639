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
// It looks s's abilities up on every call; a stage that calls one inner service
// many times holds a [Next] instead, which looks them up once.
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
