package breaker

import (
	"math"

	"github.com/tower-go/tower/service"
)

// The breaker's decisions: which calls pass, what their outcomes count as, and the
// transitions between states.

type outcome uint8

const (
	outcomeIgnored outcome = iota
	outcomeSuccess
	outcomeFailure
)

func (b *Breaker[Req, Res]) classify(err error) outcome {
	switch {
	case err == nil:
		return outcomeSuccess
	case b.cfg.isFailure(err):
		return outcomeFailure
	}
	return outcomeIgnored
}

// admitSlow decides whether a call passes a breaker that was not closed at the
// caller's first look. It returns the state word the call passed under, or ErrOpen.
func (b *Breaker[Req, Res]) admitSlow() (uint64, error) {
	if w := b.word.Load(); stateOf(w) == Open && b.now() < b.openUntil.Load() {
		return 0, ErrOpen // refused without the lock
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.advanceLocked()
	switch stateOf(w) {
	case Closed:
		return w, nil
	case HalfOpen:
		if b.probes < b.cfg.probes {
			b.probes++
			return w, nil
		}
	}
	return 0, ErrOpen
}

// advanceLocked turns an open breaker whose timeout has passed half-open, and
// returns the current state word.
func (b *Breaker[Req, Res]) advanceLocked() uint64 {
	w := b.word.Load()
	if stateOf(w) == Open && b.now() >= b.openUntil.Load() {
		b.setLocked(w, HalfOpen, nil)
		w = b.word.Load()
	}
	return w
}

// record counts the outcome of a call that passed under state word w. Outcomes of
// calls that passed under an earlier generation are dropped.
func (b *Breaker[Req, Res]) record(w uint64, o outcome, err error) {
	if stateOf(w) == Closed {
		b.recordClosed(w, o, err)
		return
	}
	// A probe.
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.word.Load() != w {
		return
	}
	switch o {
	case outcomeIgnored:
		b.probes--
		b.notifyLocked()
	case outcomeFailure:
		b.setLocked(w, Open, err)
	case outcomeSuccess:
		b.passed++
		if b.passed >= b.cfg.probes {
			b.setLocked(w, Closed, nil)
		}
	}
}

func (b *Breaker[Req, Res]) recordClosed(w uint64, o outcome, err error) {
	if o == outcomeIgnored || b.word.Load() != w {
		return
	}
	if o == outcomeSuccess {
		if b.win != nil {
			b.win.add(b.now(), false)
		}
		if b.cfg.consecutive > 0 && b.fails.Load() != 0 {
			b.fails.Store(0)
		}
		return
	}
	trip := b.cfg.consecutive > 0 && b.fails.Add(1) >= int64(b.cfg.consecutive)
	if b.win != nil {
		now := b.now()
		b.win.add(now, true)
		trip = trip || b.win.tripped(now)
	}
	if trip {
		b.trip(w, err)
	}
}

// trip opens a closed breaker that was at state word w. The unlock is deferred: the
// hooks setLocked calls are user code, and a panic in them must not leave the
// mutex locked.
func (b *Breaker[Req, Res]) trip(w uint64, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.word.Load() == w {
		b.setLocked(w, Open, err)
	}
}

// setLocked moves the breaker from state word w to state to, resets what the new
// state counts, wakes readiness waiters, and reports the transition. It calls the
// user's hooks last, once the state is consistent; every caller holds b.mu with a
// deferred unlock, so that a panicking hook leaves the breaker working.
func (b *Breaker[Req, Res]) setLocked(w uint64, to State, cause error) {
	from := stateOf(w)
	switch to {
	case Open:
		b.openUntil.Store(addSat(b.now(), int64(b.cfg.openTimeout)))
	case HalfOpen:
		b.probes, b.passed = 0, 0
	case Closed:
		if b.win != nil {
			b.win.reset()
		}
	}
	b.fails.Store(0)
	b.word.Store(nextWord(w, to))
	b.notifyLocked()
	b.cfg.log(from, to, cause)
	b.cfg.events.Emit(serviceEvent(to, cause))
	if b.cfg.onChange != nil {
		b.cfg.onChange(from, to)
	}
}

// notifyLocked wakes every goroutine waiting in Ready.
func (b *Breaker[Req, Res]) notifyLocked() {
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
}

// stageName is the Stage of the breaker's events.
const stageName = "breaker"

func serviceEvent(to State, cause error) service.Event {
	return service.Event{Stage: stageName, Kind: service.EventStateChanged, State: to.String(), Err: cause}
}

// addSat returns a+d for d ≥ 0, or math.MaxInt64 if that overflows: an open
// timeout of math.MaxInt64 means "open until the process ends", not "half-open at
// once".
func addSat(a, d int64) int64 {
	if s := a + d; s >= a {
		return s
	}
	return math.MaxInt64
}
