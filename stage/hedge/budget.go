package hedge

import (
	"fmt"
	"math"
	"sync/atomic"
)

// Budget bounds how many hedges a stage sends. The stage calls Deposit once per call
// and Withdraw each time it is about to send a hedge; a hedge is sent only if
// Withdraw returns true. Implementations must be safe for concurrent use and quick:
// both run on every call's path. One Budget may be shared by several stages (it
// then bounds their hedges together).
//
// [PercentBudget] keeps its balance for ever (capped at its burst). For Tower's
// TpsBudget semantics, where deposits expire after a ttl and a minimum rate is
// always allowed, pass a *retry.Budget from package stage/retry: it implements
// Budget.
type Budget interface {
	Deposit()
	Withdraw() bool
}

// unitsPerHedge is the balance one hedge costs: a budget of percent p deposits
// p*100 units per call, so percentages down to 0.01 are exact.
const unitsPerHedge = 10_000

// PercentBudget lets hedges be at most a percentage of calls: each call deposits
// percent/100 of a hedge, each hedge withdraws a whole one, and the balance is
// capped at burst hedges so that a quiet spell cannot save up for a storm. It
// starts empty. Over any stretch of calls, hedges ≤ percent% of the calls + burst.
//
// Create it with [NewBudget]; the zero value is not usable. It is safe for
// concurrent use; Deposit is one atomic load and add, Withdraw a compare-and-swap
// loop. Concurrent deposits may overshoot the cap by one deposit per goroutine.
type PercentBudget struct {
	balance atomic.Int64
	deposit int64
	limit   int64
}

var _ Budget = (*PercentBudget)(nil)

// NewBudget returns a budget that allows hedges for percent% of calls (0.01 ≤
// percent ≤ 100), with at most burst (≥ 1) hedges saved up.
func NewBudget(percent float64, burst int) (*PercentBudget, error) {
	if math.IsNaN(percent) || percent < 0.01 || percent > 100 {
		return nil, fmt.Errorf("hedge: budget percent must be between 0.01 and 100, got %v", percent)
	}
	if burst < 1 {
		return nil, fmt.Errorf("hedge: budget burst must be at least 1, got %d", burst)
	}
	return &PercentBudget{
		deposit: int64(math.Round(percent * unitsPerHedge / 100)),
		limit:   int64(burst) * unitsPerHedge,
	}, nil
}

// Deposit credits the budget with one call. It does not block.
func (b *PercentBudget) Deposit() {
	if b.balance.Load() < b.limit {
		b.balance.Add(b.deposit)
	}
}

// Withdraw takes one hedge from the budget and reports whether there was one. It
// does not block.
func (b *PercentBudget) Withdraw() bool {
	for {
		n := b.balance.Load()
		if n < unitsPerHedge {
			return false
		}
		if b.balance.CompareAndSwap(n, n-unitsPerHedge) {
			return true
		}
	}
}

// Hedges returns how many whole hedges the budget holds now.
func (b *PercentBudget) Hedges() int { return int(b.balance.Load() / unitsPerHedge) }
