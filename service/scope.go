package service

import (
	"context"
	"errors"
	"sync"
)

// Scope owns what the stages of one pipeline start: a [Layer] that starts goroutines
// (a buffer, a background readiness driver, the branches of a conditional stage)
// hands their [Stopper] to the scope it is applied in, and whoever made the scope (a
// pipeline, a supervisor, a test) stops them all with [Scope.Stop]. Nothing is found
// afterwards by probing services for a Stop method: ownership is given at
// construction.
//
// The zero value is an empty scope, ready to use. A Scope is safe for concurrent
// use. It must not be copied after first use.
type Scope struct {
	mu      sync.Mutex
	owned   []Stopper // in the order they were handed over: innermost first
	stopped bool
}

// Own hands s to the scope: the scope's Stop stops it. Stoppers are stopped in the
// reverse order of Own, so that what was built last (the outer stages) stops first.
// If the scope has already been stopped, Own stops s at once, bounded by ctx. Own
// on a nil Scope, or of a nil Stopper, does nothing and returns an error.
func (sc *Scope) Own(ctx context.Context, s Stopper) error {
	if sc == nil {
		return errors.New("service: Own on a nil Scope")
	}
	if s == nil || isNil(s) {
		return errors.New("service: Own of a nil Stopper")
	}
	sc.mu.Lock()
	if !sc.stopped {
		sc.owned = append(sc.owned, s)
		sc.mu.Unlock()
		return nil
	}
	sc.mu.Unlock()
	return s.Stop(ctx)
}

// Stop stops everything the scope owns, last owned first, each bounded by ctx (see
// [Stopper]), and returns their errors joined. Later calls to Own stop what they
// are given at once. Stop may be called again, for example with a later deadline: it
// then stops every owned Stopper again, as the Stopper contract allows.
func (sc *Scope) Stop(ctx context.Context) error {
	sc.mu.Lock()
	sc.stopped = true
	owned := append([]Stopper(nil), sc.owned...)
	sc.mu.Unlock()
	var errs []error
	for i := len(owned) - 1; i >= 0; i-- {
		if err := owned[i].Stop(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Len returns how many Stoppers the scope owns.
func (sc *Scope) Len() int {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return len(sc.owned)
}

// Apply applies l to inner in scope sc and checks what it built: it returns an error
// if l, sc or inner is nil, if l fails, or if l returns a nil service (including a
// typed nil). Pipelines and stages that apply layers (a conditional stage's branch)
// use it, so a misbehaving layer is an error at build time, never a panic in a call.
// If l fails after handing goroutines to sc, they stay owned by sc; stop sc to end
// them.
func Apply[Req, Res any](l Layer[Req, Res], sc *Scope, inner Service[Req, Res]) (Service[Req, Res], error) {
	switch {
	case l == nil:
		return nil, errors.New("layer is nil")
	case sc == nil:
		return nil, errors.New("scope is nil")
	}
	if err := CheckService(inner); err != nil {
		return nil, err
	}
	svc, err := l(sc, inner)
	if err != nil {
		return nil, err
	}
	if CheckService(svc) != nil {
		return nil, errors.New("layer returned a nil service")
	}
	return svc, nil
}
