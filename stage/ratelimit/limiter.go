package ratelimit

import (
	"context"
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a token bucket that any number of rate-limiting stages, and any other
// code, obey together: it holds up to burst tokens and gains rate tokens per second;
// each call through a stage that uses it takes one. Create it once with
// [NewLimiter] and pass it to [New] or [Layer] for every service the rate applies
// to.
//
// The zero value is not usable: it has no bucket, and [New] and [Layer] reject it.
// All methods are safe for concurrent use. Underneath
// is golang.org/x/time/rate's Limiter: taking a token that is there costs one clock
// read and one uncontended mutex, and allocates nothing; waiting for one allocates
// a reservation and a timer.
type Limiter struct {
	lim   *rate.Limiter
	rate  float64
	burst int
}

// NewLimiter returns a full bucket of burst tokens (burst >= 1) that refills at
// perSecond tokens per second (a positive, finite rate; 0.5 is one token every two
// seconds). It returns an error, prefixed "ratelimit:", for a zero, negative, NaN
// or infinite rate and for a burst below 1. Extreme values are valid and behave as
// written: a huge burst is a bucket that large; math.MaxFloat64 tokens per second
// is no limit at all; a rate so slow that a token takes longer than a
// time.Duration can say waits "forever" (a caller with a deadline fails at once
// with [ErrLimited]; one without waits for its ctx).
func NewLimiter(perSecond float64, burst int) (*Limiter, error) {
	if !(perSecond > 0) || math.IsInf(perSecond, 1) {
		return nil, fmt.Errorf("ratelimit: rate must be positive and finite, got %v", perSecond)
	}
	if burst < 1 {
		return nil, fmt.Errorf("ratelimit: burst must be at least 1, got %d", burst)
	}
	return &Limiter{lim: rate.NewLimiter(rate.Limit(perSecond), burst), rate: perSecond, burst: burst}, nil
}

// Rate returns the refill rate, in tokens per second.
func (l *Limiter) Rate() float64 { return l.rate }

// Burst returns the bucket size.
func (l *Limiter) Burst() int { return l.burst }

// Tokens returns the number of tokens in the bucket now. It is negative while
// waiters have reserved tokens that have not yet accrued.
func (l *Limiter) Tokens() float64 { return l.lim.Tokens() }

// Allow takes a token if there is one now and reports whether it did. It never
// blocks.
func (l *Limiter) Allow() bool { return l.lim.Allow() }

// Wait takes a token, waiting for it bounded by ctx. Waiters are served in the
// order they arrive: each reserves the next token to accrue. If ctx has a deadline
// that comes before the token would, Wait fails at once with [ErrLimited] and
// takes nothing, rather than sleeping until the deadline; if ctx ends while it
// waits, it gives its reservation back and returns ctx.Err().
func (l *Limiter) Wait(ctx context.Context) error {
	if l.lim.Allow() {
		return nil
	}
	_, err := l.wait(ctx)
	return err
}

// wait is the slow path of Wait; it reports whether it had to wait.
func (l *Limiter) wait(ctx context.Context) (waited bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := time.Now()
	deadline, hasDeadline := ctx.Deadline()
	// An advisory check first, so that a caller that cannot make its deadline does
	// not take a reservation from the bucket only to give it back.
	if hasDeadline && now.Add(l.delay(l.lim.TokensAt(now))).After(deadline) {
		return false, ErrLimited
	}
	r := l.lim.ReserveN(now, 1) // always OK: burst >= 1 and no bound on the wait
	d := r.DelayFrom(now)
	if d <= 0 {
		return false, nil
	}
	if hasDeadline && now.Add(d).After(deadline) {
		r.CancelAt(now)
		return false, ErrLimited
	}
	t := time.NewTimer(d)
	select {
	case <-t.C:
		return true, nil
	case <-ctx.Done():
		t.Stop()
		r.Cancel()
		return true, ctx.Err()
	}
}

// delay returns how long the bucket, holding tokens now, takes to hold one.
func (l *Limiter) delay(tokens float64) time.Duration {
	if tokens >= 1 {
		return 0
	}
	d := math.Ceil((1 - tokens) / l.rate * float64(time.Second))
	if d >= math.MaxInt64 { // a very slow rate: converting would overflow (to a negative wait)
		return math.MaxInt64
	}
	return time.Duration(d)
}

// Ready waits until the bucket holds a token, bounded by ctx, and takes nothing. It
// returns nil when a token is there, ctx.Err() if ctx ends first, and [ErrLimited]
// at once if ctx's deadline comes before the next token would. It is advisory:
// other callers may take the token first.
func (l *Limiter) Ready(ctx context.Context) error {
	for {
		now := time.Now()
		d := l.delay(l.lim.TokensAt(now))
		if d <= 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if deadline, ok := ctx.Deadline(); ok && now.Add(d).After(deadline) {
			return ErrLimited
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// TryReady reports at once whether the bucket holds a token: nil, or [ErrLimited].
// It takes nothing.
func (l *Limiter) TryReady() error {
	if l.lim.Tokens() >= 1 {
		return nil
	}
	return ErrLimited
}
