package stage_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

var errBoom = errors.New("boom")

// served returns a mock whose calls are answered by fn on a goroutine that the
// test's cleanup ends.
func served[Req, Res any](t *testing.T, fn func(Req) (Res, error)) (*servicetest.Mock[Req, Res], *servicetest.Handle[Req, Res]) {
	t.Helper()
	m, h := servicetest.New[Req, Res]()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.Serve(context.Background(), fn)
	}()
	t.Cleanup(func() { h.Close(); <-done })
	return m, h
}

// recorder is a synchronous inner service that records its last request and
// answers with res and err (res defaults to the request plus one).
type recorder struct {
	calls atomic.Int32
	last  atomic.Uint64
	res   *uint64
	err   error
}

func (r *recorder) Call(_ context.Context, x uint64) (uint64, error) {
	r.calls.Add(1)
	r.last.Store(x)
	if r.err != nil {
		return 0, r.err
	}
	if r.res != nil {
		return *r.res, nil
	}
	return x + 1, nil
}

// gate is a stage with a bound of its own: it is ready only while open.
type gate struct {
	inner  service.Service[uint64, uint64]
	open   atomic.Bool
	opened chan struct{}
	calls  atomic.Int32
}

func newGate(inner service.Service[uint64, uint64]) *gate {
	return &gate{inner: inner, opened: make(chan struct{})}
}

func (g *gate) Open() { g.open.Store(true); close(g.opened) }

func (g *gate) Call(ctx context.Context, x uint64) (uint64, error) {
	g.calls.Add(1)
	return g.inner.Call(ctx, x)
}

func (g *gate) TryCall(ctx context.Context, x uint64) (uint64, error) {
	if !g.open.Load() {
		return 0, service.ErrOverloaded
	}
	return g.Call(ctx, x)
}

func (g *gate) Ready(ctx context.Context) error {
	select {
	case <-g.opened:
		return service.Ready(ctx, g.inner)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) TryReady() error {
	if !g.open.Load() {
		return service.ErrOverloaded
	}
	return service.TryReady(g.inner)
}

// stopper is a service that owns (pretend) goroutines.
type stopper struct {
	service.Func[uint64, uint64]
	stopped atomic.Int32
}

func (s *stopper) Stop(context.Context) error { s.stopped.Add(1); return nil }

func newStopper() *stopper {
	return &stopper{Func: func(_ context.Context, x uint64) (uint64, error) { return x, nil }}
}

// readyOnly hides the mock's TryCall: a service with readiness but no
// non-blocking call of its own.
type readyOnly[Req, Res any] struct {
	m *servicetest.Mock[Req, Res]
}

func (r readyOnly[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return r.m.Call(ctx, req)
}
func (r readyOnly[Req, Res]) Ready(ctx context.Context) error { return r.m.Ready(ctx) }
func (r readyOnly[Req, Res]) TryReady() error                 { return r.m.TryReady() }
