package retry

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Backoff computes how long to wait before a retry: exponential growth with full
// jitter. Before retry n (n = 1 for the first retry) the wait is drawn uniformly
// from [Min, ceiling(n)], where ceiling(n) = min(Max, Min·Factor^n). So the first
// retry waits between Min and Min·Factor, and waits grow by Factor until they reach
// Max; the randomness spreads the retries of many callers apart.
//
// The zero Backoff waits nothing: retries are sent at once and no timer is used.
// Factor 0 means 2. Durations up to math.MaxInt64 are fine (the wait is then as long
// as asked, bounded by the caller's ctx). Use [NewBackoff] (or [WithBackoff], which
// validates too) to reject a bad one. A Backoff is a value, safe for concurrent use; Delay costs a few
// tens of nanoseconds and allocates nothing.
type Backoff struct {
	Min    time.Duration // the shortest wait; must be positive unless Max is 0 too
	Max    time.Duration // the longest wait; at least Min
	Factor float64       // growth per retry; at least 1 (0 means 2)
}

// NewBackoff returns a validated Backoff.
func NewBackoff(min, max time.Duration, factor float64) (Backoff, error) {
	b := Backoff{Min: min, Max: max, Factor: factor}
	return b, b.validate()
}

func (b Backoff) validate() error {
	switch {
	case b.Factor != 0 && !(b.Factor >= 1) || math.IsInf(b.Factor, 1):
		return fmt.Errorf("retry: backoff factor must be at least 1, got %v", b.Factor)
	case b.Min == 0 && b.Max == 0:
		return nil
	case b.Min <= 0:
		return fmt.Errorf("retry: backoff min must be positive, got %v", b.Min)
	case b.Max < b.Min:
		return fmt.Errorf("retry: backoff max %v is less than min %v", b.Max, b.Min)
	}
	return nil
}

// Delay returns the wait before retry n (1 for the first retry).
func (b Backoff) Delay(n int) time.Duration {
	if b.Max <= 0 {
		return 0
	}
	f := b.Factor
	if f == 0 {
		f = 2
	}
	ceiling := b.Max
	if c := float64(b.Min) * math.Pow(f, float64(n)); c < float64(b.Max) {
		ceiling = time.Duration(c)
	}
	span := int64(ceiling-b.Min) + 1
	if ceiling <= b.Min || span <= 0 {
		return b.Min // also an unvalidated Backoff whose span overflows: no panic
	}
	return b.Min + time.Duration(rand.Int64N(span))
}
