package retry

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// budgetSlots is how many windows a budget's ttl is cut into.
const budgetSlots = 10

// minRatio is the smallest positive retry ratio a budget accepts.
const minRatio = 1e-6

// Budget bounds the extra attempts a stage sends across all its calls: retries for
// a retry stage ([WithBudget]), hedges for a hedge stage (stage/hedge's WithBudget
// takes the same interface). The stage calls Deposit once per call it accepts and
// Withdraw before each extra attempt, which it sends only if Withdraw returns true.
// Implementations must be safe for concurrent use, must not block, and should be
// quick: both run on every call's path. One Budget may be shared by several
// stages, retry and hedge alike; it then bounds their extra attempts together.
//
// [TpsBudget] (Finagle's and Tower's semantics: deposits expire) and
// stage/hedge's PercentBudget (a capped balance that does not expire) implement it.
type Budget interface {
	Deposit()
	Withdraw() bool
}

// CheckBudget returns nil if b can be used as a budget, and an error if it is nil,
// a typed nil, or the zero value of a [TpsBudget] (which has no ttl; make one with
// [NewBudget]). The stages that take a Budget call it at construction.
func CheckBudget(b Budget) error {
	if b == nil || isNil(b) {
		return errors.New("retry: budget is nil")
	}
	if tb, ok := b.(*TpsBudget); ok && tb.window <= 0 {
		return errors.New("retry: budget is a zero TpsBudget; make one with retry.NewBudget")
	}
	return nil
}

var _ Budget = (*TpsBudget)(nil)

// TpsBudget bounds retries to a share of the traffic, with the semantics of Finagle's
// RetryBudget and Tower's TpsBudget: every call deposits, every retry withdraws,
// deposits expire after ttl, and a fixed reserve lets a trickle of retries through
// even when there is little traffic.
//
//   - ratio is the number of retries allowed per call: 0.1 allows one retry for
//     every ten calls, 2 allows two retries per call (Tower's retry_percent).
//   - minPerSec is the floor: minPerSec·ttl retries per ttl are allowed on top of
//     the ratio, so that a service with little traffic can still retry.
//   - ttl is how long a deposit counts. The budget keeps ten windows of ttl/10;
//     a deposit expires when the window it fell into leaves the last ttl, that is
//     between 0.9·ttl and ttl after it was made. A withdrawal counts against the
//     budget for as long.
//
// A budget is usually shared by every retry stage in front of one
// backend; pass it with [WithBudget]. It is safe for concurrent use and never
// blocks. Deposit and Withdraw cost one monotonic clock read and an atomic add or
// compare-and-swap; a short lock is taken once per window to slide it. Under a race
// between a window change and a withdrawal, a retry or two may be counted in the
// next window.
//
// Make one with [NewBudget]. The zero value is not usable: [WithBudget] rejects it,
// and if it is used anyway it holds nothing and allows no retry (it never panics).
type TpsBudget struct {
	start    time.Time
	window   time.Duration
	deposit  int64
	withdraw int64
	reserve  int64

	gen    atomic.Int64 // the window the writer balance belongs to
	writer atomic.Int64 // balance of the current window
	past   atomic.Int64 // sum of the live completed windows

	mu    sync.Mutex
	slots [budgetSlots]int64 // completed windows, a ring indexed by window mod budgetSlots
}

// NewBudget returns a budget; see [TpsBudget] for the meaning of the arguments. ttl
// must be between 1s and 60s, minPerSec at least 0, and ratio 0 or between 1e-6
// (one retry per million calls) and 1000.
// Finagle's default is NewBudget(10*time.Second, 10, 0.2).
func NewBudget(ttl time.Duration, minPerSec int, ratio float64) (*TpsBudget, error) {
	switch {
	case ttl < time.Second || ttl > time.Minute:
		return nil, fmt.Errorf("retry: budget ttl must be between 1s and 1m, got %v", ttl)
	case minPerSec < 0:
		return nil, fmt.Errorf("retry: budget min per second must not be negative, got %d", minPerSec)
	case !(ratio >= 0 && ratio <= 1000):
		return nil, fmt.Errorf("retry: budget ratio must be between 0 and 1000, got %v", ratio)
	case ratio > 0 && ratio < minRatio:
		// A retry costs 1000/ratio units; below minRatio that no longer fits the
		// integer arithmetic (at 1e-17 it overflowed and allowed 1000 retries a call).
		return nil, fmt.Errorf("retry: budget ratio must be 0 or at least %v, got %v", minRatio, ratio)
	}
	// Amounts are integers: a deposit is worth 1000 units and a retry 1000/ratio
	// (for a ratio up to 1), or a retry 1000 units and a deposit 1000·ratio (above
	// 1), so the ratio is kept to a precision of one in a thousand or better.
	b := &TpsBudget{start: time.Now(), window: ttl / budgetSlots, deposit: 1000, withdraw: 1000}
	switch {
	case ratio == 0:
		b.deposit = 0
	case ratio <= 1:
		b.withdraw = int64(math.Round(1000 / ratio))
	default:
		b.deposit = int64(math.Round(1000 * ratio))
	}
	b.reserve = int64(math.Min(float64(minPerSec)*ttl.Seconds()*float64(b.withdraw), math.MaxInt64/4))
	return b, nil
}

// Deposit records one call. The retry stage calls it once per call, before the
// first attempt.
func (b *TpsBudget) Deposit() {
	if b.deposit == 0 {
		return
	}
	b.slide()
	b.writer.Add(b.deposit)
}

// Withdraw takes one retry from the budget and reports whether there was one to
// take. The retry stage calls it before every retry and does not retry if it
// returns false.
func (b *TpsBudget) Withdraw() bool {
	if b.window <= 0 {
		return false // the zero value: nothing to withdraw (and no window to slide)
	}
	b.slide()
	for {
		w := b.writer.Load()
		if w+b.past.Load()+b.reserve < b.withdraw {
			return false
		}
		if b.writer.CompareAndSwap(w, w-b.withdraw) {
			return true
		}
	}
}

// slide moves the window forward if the clock has left the current one.
func (b *TpsBudget) slide() {
	n := int64(time.Since(b.start) / b.window)
	if n == b.gen.Load() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g := b.gen.Load()
	if n <= g {
		return // another goroutine slid it
	}
	w := b.writer.Swap(0)
	if n-g >= budgetSlots {
		b.slots = [budgetSlots]int64{}
	} else {
		b.slots[g%budgetSlots] = w
		for k := g + 1; k <= n; k++ {
			b.slots[k%budgetSlots] = 0 // idle windows, and the new one (kept in writer)
		}
	}
	var sum int64
	for _, s := range b.slots {
		sum += s
	}
	b.past.Store(sum)
	b.gen.Store(n)
}
