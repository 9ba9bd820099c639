package limit

import "github.com/tower-go/tower/service"

// Layer returns a layer that puts a concurrency limit of n calls in flight in front
// of the inner service; see [New]. Each application builds a stage with a limit of
// its own. A bad n or option is reported when the layer is applied. Use
// [SharedLayer] for one limit over several services.
func Layer[Req, Res any](n int, opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, n, opts...))
	}
}

// SharedLayer returns a layer whose every application takes its permits from
// shared, so that all the services it wraps have at most shared.Limit() calls in
// flight together; see [NewWithShared]. A nil or zero shared is reported when the
// layer is applied.
func SharedLayer[Req, Res any](shared *Shared, opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewWithShared(inner, shared, opts...))
	}
}
