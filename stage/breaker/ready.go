package breaker

import (
	"context"
	"time"
)

// Ready waits until the breaker would let a call through, then waits for the inner
// service's readiness. A closed breaker forwards at once. An open breaker waits,
// bounded by ctx, until its open timeout has passed (it then turns half-open); a
// half-open breaker waits until a probe slot is free or the state changes.
//
// Ready waits rather than failing with ErrOpen because an open breaker is a
// temporary condition, and the [service.Readier] contract keeps errors from Ready
// for permanent ones: a buffer or actor in front of the breaker treats an error
// from Ready as the failure of its service. Use TryReady (or TryCall) to learn at
// once that the breaker is open. Like all readiness, Ready reserves nothing: a call
// made after it returned may still get ErrOpen if other callers took the probe
// slots first.
func (b *Breaker[Req, Res]) Ready(ctx context.Context) error {
	for {
		if stateOf(b.word.Load()) == Closed {
			return b.Next.Ready(ctx)
		}
		free, changed, wait := b.waitFor()
		if free {
			return b.Next.Ready(ctx)
		}
		var timer *time.Timer
		var expired <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			expired = timer.C
		}
		select {
		case <-ctx.Done():
		case <-changed:
		case <-expired:
		}
		if timer != nil {
			timer.Stop()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// waitFor advances the state and reports whether a call would pass now; if not, it
// returns a channel closed at the next change and, while open, how long until the
// open timeout passes. The unlock is deferred: turning half-open calls the user's
// hooks, and a panic in them must not leave the mutex locked.
func (b *Breaker[Req, Res]) waitFor() (free bool, changed <-chan struct{}, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.advanceLocked()
	s := stateOf(w)
	if s == Closed || (s == HalfOpen && b.probes < b.cfg.probes) {
		return true, nil, 0
	}
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	if s == Open {
		wait = max(time.Duration(b.openUntil.Load()-b.now()), 1)
	}
	return false, b.changed, wait
}

// TryReady reports at once whether a call would pass: [ErrOpen] while the breaker
// is open or half-open with every probe slot taken, otherwise the inner service's
// TryReady. It may turn an open breaker whose timeout has passed half-open.
func (b *Breaker[Req, Res]) TryReady() error {
	if stateOf(b.word.Load()) != Closed && !b.free() {
		return ErrOpen
	}
	return b.Next.TryReady()
}

// free advances the state and reports whether a call would pass now (deferred
// unlock, as in waitFor).
func (b *Breaker[Req, Res]) free() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.advanceLocked()
	s := stateOf(w)
	return s == Closed || (s == HalfOpen && b.probes < b.cfg.probes)
}
