package breaker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/service"
)

// Breaker is a circuit breaker in front of an inner service. Make one with [New];
// the zero value is not usable. It is safe for concurrent use. A call on a closed
// breaker costs two atomic loads (no lock, and no clock read unless a failure-rate
// rule is set); a call refused while open costs a clock read; Call and TryCall
// never block of their own. Ready blocks while the breaker is open (see
// [Breaker.Ready]). It embeds [service.Next] and overrides its readiness: the
// breaker refuses while open, and is otherwise as ready as its inner service.
type Breaker[Req, Res any] struct {
	service.Next[Req, Res]
	word      atomic.Uint64 // state and generation; see state.go
	fails     atomic.Int64  // consecutive failures in the closed state
	openUntil atomic.Int64  // while open: when to turn half-open, in ns since start

	cfg   config
	win   *window // nil without a failure-rate rule
	start time.Time

	mu      sync.Mutex
	probes  int           // half-open: probe slots taken
	passed  int           // half-open: probes that succeeded
	changed chan struct{} // closed at the next transition or freed probe slot; nil if nobody waits
}

var (
	_ service.Service[int, int]   = (*Breaker[int, int])(nil)
	_ service.Readier             = (*Breaker[int, int])(nil)
	_ service.TryCaller[int, int] = (*Breaker[int, int])(nil)
)

// New returns a closed breaker in front of inner. Without options it opens after
// [DefaultConsecutiveFailures] consecutive failures, stays open for
// [DefaultOpenTimeout], then lets [DefaultProbes] probe through. It reports a nil
// inner service (a typed nil included) or a bad option as an error.
func New[Req, Res any](inner service.Service[Req, Res], opts ...Option) (*Breaker[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("breaker: inner %w", err)
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	b := &Breaker[Req, Res]{Next: next, cfg: cfg, start: time.Now()}
	if cfg.rate > 0 {
		b.win = newWindow(cfg.rate, cfg.window, cfg.minVolume)
	}
	return b, nil
}

// Layer returns a layer that puts a breaker, configured by opts, in front of the
// inner service. Each application builds an independent breaker.
func Layer[Req, Res any](opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, opts...))
	}
}

// Call calls the inner service if the breaker lets the call through, and counts
// its outcome. It fails at once with [ErrOpen] while the breaker is open, or
// half-open with every probe slot taken. It returns the inner service's response
// and error unchanged.
//
// The breaker does not recover panics. A probe (a call in the half-open state)
// whose inner service panics counts as a failed probe, so that its slot is not
// lost, and the panic goes on up the stack; in the closed state a panic is not
// counted, which keeps the closed path free of a deferred function.
func (b *Breaker[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if w := b.word.Load(); stateOf(w) == Closed {
		res, err := b.Next.Call(ctx, req)
		b.recordClosed(w, b.classify(err), err)
		return res, err
	}
	return b.callSlow(ctx, req, false)
}

// TryCall is Call with the inner service called through its non-blocking call, so
// that the inner service's own refusal comes back at once too. The breaker's
// decision is the same as Call's: while open it refuses at once with [ErrOpen]
// (which matches service.ErrUnavailable, not service.ErrOverloaded). An inner
// refusal is counted like any other error (by the default predicate, as a
// failure).
func (b *Breaker[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if w := b.word.Load(); stateOf(w) == Closed {
		res, err := b.Next.TryCall(ctx, req)
		b.recordClosed(w, b.classify(err), err)
		return res, err
	}
	return b.callSlow(ctx, req, true)
}

// callSlow is Call and TryCall when the breaker was not closed at the first look.
func (b *Breaker[Req, Res]) callSlow(ctx context.Context, req Req, try bool) (res Res, err error) {
	w, err := b.admitSlow()
	if err != nil {
		return res, err
	}
	done := false
	defer func() {
		if !done {
			b.record(w, outcomeFailure, errPanicked)
		}
	}()
	if try {
		res, err = b.Next.TryCall(ctx, req)
	} else {
		res, err = b.Next.Call(ctx, req)
	}
	done = true
	b.record(w, b.classify(err), err)
	return res, err
}

// State returns the breaker's state now. It takes no lock: an open breaker whose
// timeout has passed reports HalfOpen, although it turns half-open (and emits its
// event) only at the next call or readiness check.
func (b *Breaker[Req, Res]) State() State {
	w := b.word.Load()
	s := stateOf(w)
	if s == Open && b.now() >= b.openUntil.Load() {
		return HalfOpen
	}
	return s
}

// errPanicked is the cause recorded when the inner service panicked.
var errPanicked = errors.New("breaker: inner service panicked")

func (b *Breaker[Req, Res]) now() int64 { return int64(time.Since(b.start)) }
