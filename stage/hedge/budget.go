package hedge

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/tower-go/tower/stage/retry"
)

// Budget bounds how many hedges a stage sends. It is the same interface as
// retry.Budget (an alias): the stage calls Deposit once per call and Withdraw each
// time it is about to send a hedge, which it sends only if Withdraw returns true.
// One budget may be shared by several stages, hedge and retry alike (it then
// bounds their extra attempts together).
//
// [PercentBudget] keeps its balance for ever (capped at its burst). For Tower's
// TpsBudget semantics, where deposits expire after a ttl and a minimum rate is
// always allowed, pass a *retry.TpsBudget (retry.NewBudget).
type Budget = retry.Budget

// MaxBudgetBurst is the largest burst [NewBudget] accepts: a billion hedges saved
// up, far more than any use needs, and small enough that the balance cannot
// overflow.
const MaxBudgetBurst = 1_000_000_000

// unitsPerHedge is the balance one hedge costs: a budget of percent p deposits
// p*100 units per call, so percentages down to 0.01 are exact.
const unitsPerHedge = 10_000

// PercentBudget lets hedges be at most a percentage of calls: each call deposits
// percent/100 of a hedge, each hedge withdraws a whole one, and the balance is
// capped at burst hedges so that a quiet spell cannot save up for a storm. It
// starts empty. Over any stretch of calls, hedges ≤ percent% of the calls + burst.
//
// Create it with [NewBudget]; the zero value is not usable ([WithBudget] rejects
// it; used anyway, it never allows a hedge). It is safe for
// concurrent use; Deposit is one atomic load and add, Withdraw a compare-and-swap
// loop. Concurrent deposits may overshoot the cap by one deposit per goroutine.
type PercentBudget struct {
	balance atomic.Int64
	deposit int64
	limit   int64
}

var _ Budget = (*PercentBudget)(nil)

// NewBudget returns a budget that allows hedges for percent% of calls (0.01 ≤
// percent ≤ 100; NaN is rejected), with at most burst hedges saved up (1 ≤ burst ≤
// [MaxBudgetBurst]).
func NewBudget(percent float64, burst int) (*PercentBudget, error) {
	if math.IsNaN(percent) || percent < 0.01 || percent > 100 {
		return nil, fmt.Errorf("hedge: budget percent must be between 0.01 and 100, got %v", percent)
	}
	if burst < 1 || burst > MaxBudgetBurst {
		return nil, fmt.Errorf("hedge: budget burst must be between 1 and %d, got %d", MaxBudgetBurst, burst)
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
