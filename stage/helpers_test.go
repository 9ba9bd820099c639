package stage_test

import (
	"context"
	"errors"
	"sync"
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

// apply applies l to inner in a fresh scope that the test's cleanup stops, as a
// pipeline would.
func apply[Req, Res any](t testing.TB, l service.Layer[Req, Res], inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
	t.Helper()
	sc := new(service.Scope)
	t.Cleanup(func() {
		if err := sc.Stop(context.Background()); err != nil {
			t.Errorf("stopping the scope: %v", err)
		}
	})
	return service.Apply(l, sc, inner)
}

// stack applies layers to inner in sc, innermost (last) first, as a pipeline does:
// the first layer sees a request first.
func stack[Req, Res any](sc *service.Scope, inner service.Service[Req, Res], layers ...service.Layer[Req, Res]) (service.Service[Req, Res], error) {
	svc := inner
	for i := len(layers) - 1; i >= 0; i-- {
		var err error
		if svc, err = service.Apply(layers[i], sc, svc); err != nil {
			return nil, err
		}
	}
	return svc, nil
}

// hop is a buffer-like stage for tests: one goroutine of its own serves the calls
// it is handed over a channel. Its layer hands the goroutine's Stopper to the
// scope, as a buffer does; after Stop, calls fail with service.ErrClosed.
type hop struct {
	inner   service.Service[uint64, uint64]
	calls   chan hopCall
	quit    chan struct{}
	done    chan struct{}
	once    sync.Once
	stopped atomic.Int32
}

type hopCall struct {
	ctx   context.Context
	req   uint64
	reply chan hopReply
}

type hopReply struct {
	res uint64
	err error
}

// hopLayer returns a layer that builds a hop and reports it through *built.
func hopLayer(built **hop) service.Layer[uint64, uint64] {
	return func(sc *service.Scope, inner service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
		h := &hop{inner: inner, calls: make(chan hopCall), quit: make(chan struct{}), done: make(chan struct{})}
		go h.run()
		if err := sc.Own(context.Background(), h); err != nil {
			_ = h.Stop(context.Background())
			return nil, err
		}
		*built = h
		return service.Func[uint64, uint64](h.call), nil
	}
}

func (h *hop) run() {
	defer close(h.done)
	for {
		select {
		case c := <-h.calls:
			res, err := h.inner.Call(c.ctx, c.req)
			c.reply <- hopReply{res, err}
		case <-h.quit:
			return
		}
	}
}

func (h *hop) call(ctx context.Context, req uint64) (uint64, error) {
	c := hopCall{ctx: ctx, req: req, reply: make(chan hopReply, 1)}
	select {
	case h.calls <- c:
	case <-h.quit:
		return 0, service.ErrClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	r := <-c.reply
	return r.res, r.err
}

// Stop ends the goroutine and records that it was stopped.
func (h *hop) Stop(ctx context.Context) error {
	h.once.Do(func() { close(h.quit) })
	h.stopped.Add(1)
	select {
	case <-h.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
