package discover

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tower-go/tower/service"
)

// Endpoint is a discovered endpoint made into a service by a [Factory].
type Endpoint[Req, Res any] struct {
	// Service serves the endpoint's calls.
	Service service.Service[Req, Res]
	// Scope owns what the factory started for the endpoint (an actor, a
	// connection's reader). Whoever applies the changes (a balancer) stops it once
	// the endpoint has been removed or replaced and its calls have finished.
	Scope *service.Scope
	// Weight is the endpoint's share for weighted balancing, relative to the other
	// endpoints' weights; 0 means 1. A [Mapped] sets it from the source's value
	// when that implements [Weighted] (a DNS [Addr] does: its SRV weight).
	Weight float64
}

// Weighted is implemented by discovered values that carry a balancing weight,
// such as [Addr]. EndpointWeight must return a finite number > 0.
type Weighted interface {
	EndpointWeight() float64
}

// FailureReporter is implemented by sources that re-resolve early when told that
// an endpoint failed ([DNS.ReportFailure]). A [Mapped] forwards it to its inner
// source; a balancer calls it when it evicts an endpoint.
type FailureReporter interface {
	ReportFailure()
}

// Factory makes the service for a discovered endpoint: value is what the source
// found under key (a DNS [Addr], say). It hands any goroutine it starts to sc,
// which the [Endpoint] carries. ctx bounds the construction only (it is the ctx
// of the Next that called the factory), not the service's life.
type Factory[K comparable, V, Req, Res any] func(ctx context.Context, key K, value V, sc *service.Scope) (service.Service[Req, Res], error)

// MapConfig configures a [Mapped]. Its zero value means the defaults given on
// each field.
type MapConfig struct {
	// RetryInterval is how long after a factory failure the endpoint is tried
	// again (default 5s).
	RetryInterval time.Duration
	// Events receives EventFactoryFailed for each failed factory call.
	Events EventFunc
}

// Mapped is a source of endpoint services made from a source of addresses: each
// insert from the inner source is passed to a [Factory], and the service it makes
// is delivered as an [Endpoint].
//
// When the factory fails for an insert (or returns a nil service), the endpoint
// is skipped: Next emits EventFactoryFailed and goes on with the next change, and
// tries the factory again for that endpoint once RetryInterval has passed, as long
// as the inner source still has it. A failed replacement (an insert for a key
// already delivered) keeps the delivered endpoint until a retry succeeds. A remove
// is delivered only for a key that was delivered.
//
// The factory runs on the goroutine that calls Next; Mapped starts no goroutine
// of its own. The zero value is not usable; build one with [Map]. It is safe for
// concurrent use (calls to Next are serialized).
type Mapped[K comparable, V, Req, Res any] struct {
	src     Source[K, V]
	factory Factory[K, V, Req, Res]
	cfg     MapConfig

	mu        sync.Mutex // serializes Next
	delivered map[K]struct{}
	failed    []failedEntry[K, V] // inserts whose factory failed, oldest first
}

type failedEntry[K comparable, V any] struct {
	key   K
	value V
	at    time.Time // when to try again
}

var _ Source[string, Endpoint[int, int]] = (*Mapped[string, string, int, int])(nil)

// Map returns a source of the endpoints of src, each made into a service by f.
// It returns an error if src or f is nil or cfg is bad.
func Map[K comparable, V, Req, Res any](src Source[K, V], f Factory[K, V, Req, Res], cfg MapConfig) (*Mapped[K, V, Req, Res], error) {
	switch {
	case src == nil:
		return nil, errors.New("discover: map: source is nil")
	case f == nil:
		return nil, errors.New("discover: map: factory is nil")
	case cfg.RetryInterval < 0:
		return nil, fmt.Errorf("discover: map: RetryInterval %v is negative", cfg.RetryInterval)
	}
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = 5 * time.Second
	}
	return &Mapped[K, V, Req, Res]{src: src, factory: f, cfg: cfg, delivered: make(map[K]struct{})}, nil
}

// Next returns the next change to the set of endpoint services, waiting for one
// bounded by ctx; see [Source]. It calls the factory for inserts, and retries
// failed ones when they are due. Errors of the inner source are returned as they
// are.
func (m *Mapped[K, V, Req, Res]) Next(ctx context.Context) (Change[K, Endpoint[Req, Res]], error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		if err := ctx.Err(); err != nil {
			return Change[K, Endpoint[Req, Res]]{}, err
		}
		// Retries that are due come first.
		now := time.Now()
		for i := 0; i < len(m.failed); i++ {
			fe := m.failed[i]
			if fe.at.After(now) {
				continue
			}
			m.failed = append(m.failed[:i], m.failed[i+1:]...)
			i--
			if c, ok := m.make(ctx, fe.key, fe.value); ok {
				return c, nil
			}
			if err := ctx.Err(); err != nil {
				return Change[K, Endpoint[Req, Res]]{}, err
			}
		}
		c, err := m.nextInner(ctx)
		if err != nil {
			if errors.Is(err, errRetryDue) {
				continue
			}
			return Change[K, Endpoint[Req, Res]]{}, err
		}
		switch c.Op {
		case OpInsert:
			m.dropFailed(c.Key)
			if out, ok := m.make(ctx, c.Key, c.Value); ok {
				return out, nil
			}
		case OpRemove:
			m.dropFailed(c.Key)
			if _, ok := m.delivered[c.Key]; ok {
				delete(m.delivered, c.Key)
				return Remove[K, Endpoint[Req, Res]](c.Key), nil
			}
		default:
			return Change[K, Endpoint[Req, Res]]{}, ErrInvalidChange
		}
	}
}

var errRetryDue = errors.New("discover: map: retry due")

// nextInner waits for the inner source's next change, or until the earliest
// failed entry is due (then it returns errRetryDue).
func (m *Mapped[K, V, Req, Res]) nextInner(ctx context.Context) (Change[K, V], error) {
	if len(m.failed) == 0 {
		return m.src.Next(ctx)
	}
	due := m.failed[0].at
	for _, fe := range m.failed[1:] {
		if fe.at.Before(due) {
			due = fe.at
		}
	}
	wctx, cancel := context.WithDeadline(ctx, due)
	defer cancel()
	c, err := m.src.Next(wctx)
	if err != nil && wctx.Err() != nil && ctx.Err() == nil {
		return c, errRetryDue
	}
	return c, err
}

// make calls the factory for one endpoint. On failure it records the entry for
// a retry, emits the event, and reports false.
func (m *Mapped[K, V, Req, Res]) make(ctx context.Context, k K, v V) (Change[K, Endpoint[Req, Res]], bool) {
	sc := new(service.Scope)
	svc, err := m.factory(ctx, k, v, sc)
	if err == nil {
		if cerr := service.CheckService(svc); cerr != nil {
			err = fmt.Errorf("discover: map: factory returned a nil service: %w", cerr)
		}
	}
	if err != nil {
		_ = sc.Stop(context.Background()) // whatever the factory started before failing
		at := time.Now().Add(m.cfg.RetryInterval)
		if ctx.Err() != nil {
			at = time.Time{} // the caller gave up, not the endpoint: try at the next Next
		}
		m.failed = append(m.failed, failedEntry[K, V]{key: k, value: v, at: at})
		m.cfg.Events.emit(Event{Kind: EventFactoryFailed, Key: k, Err: err})
		return Change[K, Endpoint[Req, Res]]{}, false
	}
	m.delivered[k] = struct{}{}
	ep := Endpoint[Req, Res]{Service: svc, Scope: sc}
	if w, ok := any(v).(Weighted); ok {
		ep.Weight = w.EndpointWeight()
	}
	return Insert(k, ep), true
}

// ReportFailure forwards a failure report to the inner source if it is a
// [FailureReporter] (a [DNS] source re-resolves early); otherwise it does nothing.
// It never blocks.
func (m *Mapped[K, V, Req, Res]) ReportFailure() {
	if r, ok := m.src.(FailureReporter); ok {
		r.ReportFailure()
	}
}

func (m *Mapped[K, V, Req, Res]) dropFailed(k K) {
	for i, fe := range m.failed {
		if fe.key == k {
			m.failed = append(m.failed[:i], m.failed[i+1:]...)
			return
		}
	}
}
