package limit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
)

// Concurrency is a service that lets at most a fixed number of calls be in flight
// through its inner service at once: Tower's ConcurrencyLimit. Create it with [New]
// (its own limit) or [NewWithShared] (a limit shared with other stages).
//
// It embeds the inner service's [service.Next]; it overrides readiness, since it
// has a bound of its own, and promotes Unwrap.
//
// The zero value is not usable. It is safe for concurrent use. Call waits for a
// permit (or, with [WithReject], fails at once); TryCall never waits for one.
// Taking and giving back a free permit costs a few atomic operations and allocates
// nothing.
type Concurrency[Req, Res any] struct {
	service.Next[Req, Res]
	sem      *Shared
	reject   bool
	priority bool
	reserved bool
	reserve  [service.NumPriorities]int
	events   service.EventFunc
}

var (
	_ service.Service[int, int]   = (*Concurrency[int, int])(nil)
	_ service.TryCaller[int, int] = (*Concurrency[int, int])(nil)
	_ service.Readier             = (*Concurrency[int, int])(nil)
	_ service.Readier             = (*Shared)(nil)
)

// New returns a concurrency limit of n calls in flight (1 <= n <= [MaxLimit]) in
// front of inner, with a limit of its own. It returns an error for a nil inner
// service (see service.NewNext), a bad n, or a nil option.
func New[Req, Res any](inner service.Service[Req, Res], n int, opts ...Option) (*Concurrency[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("limit: inner %w", err)
	}
	sem, err := NewShared(n)
	if err != nil {
		return nil, err
	}
	return newConcurrency(next, sem, opts)
}

// NewWithShared returns a concurrency limit in front of inner that takes its
// permits from shared, so that every stage built on the same shared limit counts
// against one total. It returns an error for a nil inner service, a nil or zero
// shared (one not made by [NewShared]), or a nil option.
func NewWithShared[Req, Res any](inner service.Service[Req, Res], shared *Shared, opts ...Option) (*Concurrency[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("limit: inner %w", err)
	}
	if err := shared.check(); err != nil {
		return nil, err
	}
	return newConcurrency(next, shared, opts)
}

func newConcurrency[Req, Res any](next service.Next[Req, Res], sem *Shared, opts []Option) (*Concurrency[Req, Res], error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.reserved && cfg.reserve[service.PriorityLow] >= sem.Limit() {
		return nil, fmt.Errorf("limit: reserve %d must be below the limit %d", cfg.reserve[service.PriorityLow], sem.Limit())
	}
	return &Concurrency[Req, Res]{
		Next: next, sem: sem, reject: cfg.reject, priority: cfg.priority,
		reserved: cfg.reserved, reserve: cfg.reserve, events: cfg.events,
	}, nil
}

// Call takes a permit, calls the inner service, and gives the permit back when the
// inner call returns, even if it panics. With no permit free, Call waits for one
// (first in, first out), bounded by ctx, and returns ctx.Err() if ctx ends first
// (emitting service.EventTimedOut if ctx's deadline passed while it waited); in
// reject mode it fails at once with [ErrLimited] and emits service.EventShed, and
// with [WithReserve] a call of a lower priority that would take a reserved permit
// fails the same way with [ErrReserved].
// These are the stage's own decisions, so the stage reports them. A free permit is
// taken without looking at ctx: the inner service sees ctx and answers for it.
func (c *Concurrency[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if c.reject && c.reserved {
		if err := c.tryAcquire(ctx); err != nil {
			c.events.Emit(service.Event{Stage: stageName, Kind: service.EventShed, Err: err})
			var zero Res
			return zero, err
		}
	} else if !c.sem.TryAcquire() {
		if err := c.wait(ctx); err != nil {
			var zero Res
			return zero, err
		}
	}
	defer c.sem.Release()
	return c.Next.Call(ctx, req)
}

func (c *Concurrency[Req, Res]) wait(ctx context.Context) error {
	if c.reject {
		c.events.Emit(service.Event{Stage: stageName, Kind: service.EventShed, Err: ErrLimited})
		return ErrLimited
	}
	var p uint8
	if c.priority {
		p = uint8(service.PriorityOf(ctx))
	}
	if c.events == nil {
		return c.sem.acquireSlow(ctx, p)
	}
	start := time.Now()
	err := c.sem.acquireSlow(ctx, p)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		c.events.Emit(service.Event{Stage: stageName, Kind: service.EventTimedOut, Err: err, Elapsed: time.Since(start)})
	}
	return err
}

// tryAcquire takes a permit without waiting, leaving free the reserve of ctx's
// priority (see WithReserve): nil, ErrLimited, or ErrReserved if a permit was free
// but reserved.
func (c *Concurrency[Req, Res]) tryAcquire(ctx context.Context) error {
	if !c.reserved {
		if c.sem.TryAcquire() {
			return nil
		}
		return ErrLimited
	}
	r := c.reserve[service.PriorityOf(ctx)]
	if c.sem.q.TryAcquireReserve(r) > 0 {
		return nil
	}
	if r > 0 && c.sem.q.Free() {
		return ErrReserved
	}
	return ErrLimited
}

// stageName is the Stage of the limit's events.
const stageName = "limit"

// TryCall takes a permit without waiting, or fails at once with [ErrLimited] (or
// [ErrReserved] if the free permits are reserved for higher priorities than
// ctx's, see [WithReserve]); then
// it makes the inner service's non-blocking call, so that a full inner service
// also fails at once, and gives the permit back when that returns. The decision
// is atomic: there is no window between a check and the taking of the permit.
//
// TryCall emits no event: a refusal on the non-blocking path is made on behalf of
// the stage that asked for it (load shedding), which reports it, with an error
// that wraps ErrLimited.
func (c *Concurrency[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if err := c.tryAcquire(ctx); err != nil {
		var zero Res
		return zero, err
	}
	defer c.sem.Release()
	return c.Next.TryCall(ctx, req)
}

// Ready waits until a permit is free and then until the inner service is ready,
// each bounded by ctx. It reserves nothing (see [Shared.Ready]); use
// [Concurrency.Acquire] for a reservation.
func (c *Concurrency[Req, Res]) Ready(ctx context.Context) error {
	if err := c.sem.Ready(ctx); err != nil {
		return err
	}
	return c.Next.Ready(ctx)
}

// TryReady reports at once whether a permit is free and the inner service is ready:
// nil, [ErrLimited], or the inner service's readiness error.
func (c *Concurrency[Req, Res]) TryReady() error {
	if err := c.sem.TryReady(); err != nil {
		return err
	}
	return c.Next.TryReady()
}

// Acquire reserves a permit for one later call, waiting for it bounded by ctx
// whatever the mode; see [Permit]. It returns the zero Permit and ctx.Err() if ctx
// ends first. The caller must use the permit's Call or Release it.
func (c *Concurrency[Req, Res]) Acquire(ctx context.Context) (Permit[Req, Res], error) {
	if err := c.sem.Acquire(ctx); err != nil {
		return Permit[Req, Res]{}, err
	}
	return newPermit(c), nil
}

// TryAcquire reserves a permit for one later call without waiting, or fails at once
// with [ErrLimited]; see [Permit].
func (c *Concurrency[Req, Res]) TryAcquire() (Permit[Req, Res], error) {
	if !c.sem.TryAcquire() {
		return Permit[Req, Res]{}, ErrLimited
	}
	return newPermit(c), nil
}

// InFlight returns the number of permits held now from the stage's limit (shared
// with other stages if it is a shared limit), including reserved permits.
func (c *Concurrency[Req, Res]) InFlight() int { return c.sem.InFlight() }

// Limit returns the maximum number of permits.
func (c *Concurrency[Req, Res]) Limit() int { return c.sem.Limit() }

// Shared returns the limit the stage takes its permits from.
func (c *Concurrency[Req, Res]) Shared() *Shared { return c.sem }
