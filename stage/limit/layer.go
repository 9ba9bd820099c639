package limit

import "github.com/tower-go/tower/service"

// Layer returns a layer that puts a concurrency limit of n calls in flight in front
// of the inner service; see [New]. Each application builds a stage with a limit of
// its own. Use [SharedLayer] for one limit over several services.
func Layer[Req, Res any](n int, opts ...Option) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		c, err := New(inner, n, opts...)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// SharedLayer returns a layer whose every application takes its permits from
// shared, so that all the services it wraps have at most shared.Limit() calls in
// flight together; see [NewWithShared].
func SharedLayer[Req, Res any](shared *Shared, opts ...Option) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		c, err := NewWithShared(inner, shared, opts...)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}
