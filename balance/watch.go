package balance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"time"

	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/service"
)

// watch applies the source's changes until the balancer stops or the source
// ends. An error about one change is skipped; repeated errors back off, so that
// a broken source does not spin.
func (b *Balancer[K, Req, Res]) watch() {
	backoff := time.Duration(0)
	for {
		c, err := b.src.Next(b.life)
		if err != nil {
			if b.life.Err() != nil || errors.Is(err, discover.ErrEnded) || errors.Is(err, discover.ErrClosed) {
				return
			}
			backoff = min(max(2*backoff, time.Millisecond), time.Second)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-b.life.Done():
				t.Stop()
				return
			}
			continue
		}
		backoff = 0
		switch c.Op {
		case discover.OpInsert:
			b.insert(c.Key, c.Value)
		case discover.OpRemove:
			b.remove(c.Key)
		}
	}
}

// insert adds an endpoint, or starts replacing the one under key: the new one
// takes its place once it is ready.
func (b *Balancer[K, Req, Res]) insert(key K, ep discover.Endpoint[Req, Res]) {
	e, err := newEndpoint(b.life, key, ep.Service, ep.Weight, ep.Scope)
	if err != nil {
		b.emit(service.Event{Kind: service.EventFailed, Err: fmt.Errorf("balance: endpoint %v: %w", key, err)})
		b.log(slog.LevelWarn, "endpoint refused", key, err)
		b.stopScope(ep.Scope)
		return
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if old := b.pending[key]; old != nil { // a newer replacement supersedes it
		delete(b.pending, key)
		b.discard(old)
	}
	if _, ok := b.byKey[key]; !ok {
		b.byKey[key] = e
		b.publish()
		b.log(slog.LevelInfo, "endpoint added", key, nil)
		return
	}
	b.pending[key] = e
	if !b.spawn(func() { b.replaceWhenReady(e) }) {
		delete(b.pending, key)
		b.discard(e)
	}
}

// replaceWhenReady waits for a replacement's readiness, then swaps it in for the
// endpoint under its key, which is removed (its queued calls re-routed). A
// replacement that fails is discarded and the old endpoint kept.
func (b *Balancer[K, Req, Res]) replaceWhenReady(e *endpoint[K, Req, Res]) {
	err := b.readyLoop(e)
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if b.pending[e.key] != e {
		return // superseded or removed; whoever did it discarded e
	}
	delete(b.pending, e.key)
	if err != nil {
		b.discard(e)
		if e.ctx.Err() == nil {
			b.emit(service.Event{Kind: service.EventFailed, Err: fmt.Errorf("balance: replacement for endpoint %v: %w", e.key, err)})
			b.log(slog.LevelWarn, "endpoint replacement failed", e.key, err)
		}
		return
	}
	old := b.byKey[e.key]
	b.byKey[e.key] = e
	b.publish()
	if old != nil {
		b.retire(old)
	}
	b.log(slog.LevelInfo, "endpoint replaced", e.key, nil)
	b.broadcast()
}

// remove takes the endpoint under key out of the set (and any replacement).
func (b *Balancer[K, Req, Res]) remove(key K) {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	if p := b.pending[key]; p != nil {
		delete(b.pending, key)
		b.discard(p)
	}
	if e := b.byKey[key]; e != nil {
		delete(b.byKey, key)
		b.publish()
		b.retire(e)
		b.log(slog.LevelInfo, "endpoint removed", key, nil)
	}
}

// evict removes e because it failed for good, and reports it to the source.
func (b *Balancer[K, Req, Res]) evict(e *endpoint[K, Req, Res], cause error) {
	b.wmu.Lock()
	if b.byKey[e.key] != e {
		b.wmu.Unlock()
		return // already removed, replaced or evicted
	}
	delete(b.byKey, e.key)
	b.publish()
	b.retire(e)
	b.wmu.Unlock()
	b.emit(service.Event{Kind: service.EventFailed, Err: fmt.Errorf("balance: endpoint %v evicted: %w", e.key, cause)})
	b.log(slog.LevelWarn, "endpoint evicted", e.key, cause)
	if b.rep != nil {
		b.rep.ReportFailure()
	}
	b.broadcast() // waiters re-check: the set may now be empty
}

// publish swaps in a new snapshot of byKey. wmu must be held.
func (b *Balancer[K, Req, Res]) publish() {
	old := b.set.Load().eps
	eps := make([]*endpoint[K, Req, Res], 0, len(b.byKey))
	kept := make(map[*endpoint[K, Req, Res]]struct{}, len(old))
	for _, e := range old { // keep the order of those that stay
		if b.byKey[e.key] == e {
			eps = append(eps, e)
			kept[e] = struct{}{}
		}
	}
	for _, e := range b.byKey {
		if _, ok := kept[e]; !ok {
			eps = append(eps, e)
		}
	}
	b.set.Store(newSnapshot(eps, b.cfg.policy == WeightedP2C))
	b.broadcast()
}

// retire ends an endpoint that left the set: no pick takes it again, its calls
// in flight finish, its queued calls are answered with actor.ErrStopped by its
// stopped scope (and so re-routed by their callers), and its scope is stopped
// for good once they have. wmu must be held.
func (b *Balancer[K, Req, Res]) retire(e *endpoint[K, Req, Res]) {
	e.state.Store(stateGone)
	e.cancel()
	if e.scope == nil {
		return
	}
	b.draining[e] = struct{}{}
	if !b.spawn(func() { b.drain(e) }) {
		return // Stop stops it
	}
}

// drain stops a retired endpoint's scope: first at once (queued calls are
// answered unserved and re-routed), then waiting for the calls in flight,
// bounded by the balancer's life (Stop stops what is left).
func (b *Balancer[K, Req, Res]) drain(e *endpoint[K, Req, Res]) {
	now, cancel := context.WithCancel(context.Background())
	cancel()
	_ = e.scope.Stop(now)
	if err := e.scope.Stop(b.life); err != nil && b.life.Err() != nil {
		return // stopping: Stop stops the scope
	}
	b.wmu.Lock()
	delete(b.draining, e)
	b.wmu.Unlock()
}

// discard ends an endpoint that never joined the set. wmu must be held.
func (b *Balancer[K, Req, Res]) discard(e *endpoint[K, Req, Res]) {
	b.retire(e)
}

// stopScope stops the scope of an endpoint that was never made, in the
// background.
func (b *Balancer[K, Req, Res]) stopScope(sc *service.Scope) {
	if sc == nil {
		return
	}
	if !b.spawn(func() { _ = sc.Stop(b.life) }) {
		_ = sc.Stop(context.Background())
	}
}

// isNil reports whether v holds a typed nil.
func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Slice, reflect.Func, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
