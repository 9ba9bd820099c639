package supervisor

import (
	"sync"
	"sync/atomic"
	"time"
)

// accrualBuckets is how many slices the rate window is cut into.
const accrualBuckets = 10

// accrual counts one instance's failed calls (see [Accrual]).
type accrual struct {
	cfg    *Accrual
	consec atomic.Int64
	width  int64 // ns per bucket

	mu      sync.Mutex
	buckets [accrualBuckets]struct{ epoch, calls, fails int64 }
}

func newAccrual(cfg *Accrual) *accrual {
	return &accrual{cfg: cfg, width: int64(cfg.Window) / accrualBuckets}
}

// record counts the outcome of one call and reports whether accrual tripped.
func (a *accrual) record(err error) bool {
	fail := err != nil && a.cfg.IsFailure(err)
	if a.cfg.Consecutive > 0 {
		if fail {
			if a.consec.Add(1) >= int64(a.cfg.Consecutive) {
				return true
			}
		} else if a.consec.Load() != 0 {
			a.consec.Store(0)
		}
	}
	if a.cfg.Rate == 0 {
		return false
	}
	e := time.Now().UnixNano() / a.width
	a.mu.Lock()
	defer a.mu.Unlock()
	b := &a.buckets[e%accrualBuckets]
	if b.epoch != e {
		b.epoch, b.calls, b.fails = e, 0, 0
	}
	b.calls++
	if fail {
		b.fails++
	}
	var calls, fails int64
	for i := range a.buckets {
		if x := &a.buckets[i]; x.epoch > e-accrualBuckets {
			calls += x.calls
			fails += x.fails
		}
	}
	return calls >= int64(a.cfg.MinCalls) && float64(fails) >= a.cfg.Rate*float64(calls)
}
