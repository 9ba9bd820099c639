package servicetest

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tower-go/tower/service"
)

// Readiness says how the stage a layer builds answers readiness; see [CheckLayer].
type Readiness uint8

const (
	// Forwards: the stage is ready exactly when its inner service is (most stages,
	// from maps to timeouts). It is the default.
	Forwards Readiness = iota
	// Sheds: the stage is always ready while its inner service is merely busy, and
	// refuses a call at once instead (load shedding); a permanent failure of the
	// inner service still shows.
	Sheds
	// Boundary: the stage has readiness of its own (a buffer's mailbox), so an
	// inner service that is busy does not show; a permanent failure of the inner
	// service still reaches callers, through their calls.
	Boundary
	// Absorbs: the stage answers in place of an inner service that refuses or
	// fails (a fallback), so neither a busy nor a failed inner service shows; only
	// that calls pass through is checked.
	Absorbs
)

// CheckOption configures [CheckLayer].
type CheckOption func(*checkConfig)

type checkConfig struct {
	readiness Readiness
}

// WithReadiness says which readiness the stage has (default [Forwards]).
func WithReadiness(r Readiness) CheckOption { return func(c *checkConfig) { c.readiness = r } }

// CheckLayer checks that l builds a stage that passes its inner service's abilities
// through, as the contract says every stage must: it applies l (in a fresh
// service.Scope, stopped afterwards) over a [Mock] and checks, each in a subtest
// under testing/synctest, that
//
//   - Call and TryCall reach the inner service and return its answer (req must be a
//     request the stage passes on);
//   - readiness forwards: with the inner service busy, TryReady reports an error
//     matching service.ErrOverloaded and Ready waits until the inner service has
//     room (skipped for [Sheds] and [Boundary] stages, which are always ready then);
//   - TryCall refuses at once, with an error matching service.ErrOverloaded and
//     without waiting (not even on fake time), while the inner service is busy — so
//     that a load shedder in front of the stage sheds at once (for [Boundary]
//     stages, which queue, this is skipped);
//   - the inner service's load (service.Loader) reads through the stage unchanged
//     (skipped for [Boundary] stages, whose load is their own queue);
//   - a permanent failure of the inner service's readiness reaches the caller: its
//     TryReady and Ready return it (for [Boundary] stages, a call does).
//
// The stage must not change the response's type; it may change the request and
// response values. Run CheckLayer from a test, not inside a synctest bubble.
func CheckLayer[Req, Res any](t *testing.T, l service.Layer[Req, Res], req Req, opts ...CheckOption) {
	t.Helper()
	var cfg checkConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	build := func(t *testing.T) (service.Service[Req, Res], *Handle[Req, Res]) {
		t.Helper()
		mock, h := New[Req, Res]()
		sc := new(service.Scope)
		svc, err := service.Apply(l, sc, service.Service[Req, Res](mock))
		if err != nil {
			t.Fatalf("layer: %v", err)
		}
		t.Cleanup(func() {
			h.Close()
			if err := sc.Stop(context.Background()); err != nil {
				t.Errorf("stopping the layer's scope: %v", err)
			}
		})
		return svc, h
	}
	serve := func(t *testing.T, h *Handle[Req, Res]) {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = h.Serve(ctx, func(Req) (Res, error) { var zero Res; return zero, nil })
		}()
		t.Cleanup(func() { cancel(); <-done })
	}

	t.Run("Call and TryCall reach the inner service", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			svc, h := build(t)
			serve(t, h)
			if _, err := svc.Call(t.Context(), req); err != nil {
				t.Fatalf("Call: %v", err)
			}
			if _, err := service.TryCall(t.Context(), svc, req); err != nil {
				t.Fatalf("TryCall: %v", err)
			}
			if _, ok := svc.(service.TryCaller[Req, Res]); !ok {
				t.Errorf("the stage (%T) has no TryCall of its own: a shedder in front of it cannot refuse atomically", svc)
			}
			if got := h.Calls(); got < 2 {
				t.Errorf("the inner service saw %d calls, want at least 2", got)
			}
		})
	})

	if cfg.readiness == Forwards {
		t.Run("readiness forwards", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc, h := build(t)
				if _, ok := svc.(service.Readier); !ok {
					t.Fatalf("the stage (%T) does not implement service.Readier: it hides its inner service's bound", svc)
				}
				if err := service.TryReady(svc); err != nil {
					t.Fatalf("TryReady with the inner service ready: %v", err)
				}
				h.Allow(0)
				if err := service.TryReady(svc); !errors.Is(err, service.ErrOverloaded) {
					t.Fatalf("TryReady with the inner service busy = %v, want an error matching ErrOverloaded", err)
				}
				done := make(chan error, 1)
				go func() { done <- service.Ready(t.Context(), svc) }()
				synctest.Wait()
				select {
				case err := <-done:
					t.Fatalf("Ready returned %v while the inner service was busy; it must wait", err)
				default:
				}
				h.Allow(1)
				if err := <-done; err != nil {
					t.Fatalf("Ready after the inner service had room: %v", err)
				}
			})
		})
	}

	if cfg.readiness != Boundary {
		t.Run("load reads through", func(t *testing.T) {
			svc, h := build(t)
			l, ok := svc.(service.Loader)
			if !ok {
				t.Fatalf("the stage (%T) does not implement service.Loader: it hides its inner service's load", svc)
			}
			h.SetLoad(7.5)
			if got := l.Load(); got != 7.5 {
				t.Fatalf("Load = %v, want the inner service's 7.5", got)
			}
		})
	}

	if cfg.readiness == Absorbs {
		return
	}

	if cfg.readiness != Boundary {
		t.Run("TryCall refuses at once while the inner service is busy", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				svc, h := build(t)
				h.Allow(0)
				start := time.Now()
				done := make(chan error, 1)
				go func() {
					_, err := service.TryCall(t.Context(), svc, req)
					done <- err
				}()
				synctest.Wait()
				select {
				case err := <-done:
					if !errors.Is(err, service.ErrOverloaded) {
						t.Fatalf("TryCall = %v, want an error matching ErrOverloaded", err)
					}
					if d := time.Since(start); d != 0 {
						t.Fatalf("TryCall took %v of fake time; a refusal must be at once", d)
					}
				default:
					t.Fatalf("TryCall waits while the inner service is busy; it must refuse at once")
				}
				if got := h.Calls(); got != 0 {
					t.Errorf("the inner service accepted %d calls while busy", got)
				}
			})
		})
	}

	t.Run("a permanent failure of the inner service reaches the caller", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			svc, h := build(t)
			boom := errors.New("servicetest: inner service gone")
			h.Fail(boom)
			if cfg.readiness == Boundary {
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				if _, err := svc.Call(ctx, req); !errors.Is(err, boom) {
					t.Fatalf("Call over a failed inner service = %v, want an error matching its failure", err)
				}
				return
			}
			if err := service.TryReady(svc); !errors.Is(err, boom) {
				t.Fatalf("TryReady over a failed inner service = %v, want its failure", err)
			}
			if err := service.Ready(t.Context(), svc); !errors.Is(err, boom) {
				t.Fatalf("Ready over a failed inner service = %v, want its failure", err)
			}
		})
	})
}
