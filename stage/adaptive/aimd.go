package adaptive

import (
	"fmt"
	"time"
)

// AIMD is additive-increase/multiplicative-decrease, TCP's congestion control, as
// Netflix concurrency-limits' AIMDLimit: after a drop, or a call slower than the
// latency threshold, the limit is multiplied by the backoff ratio (and falls by at
// least one); after a success while the limiter is busy (at least half the limit
// in flight) it grows by one. A success while the limiter is mostly idle leaves the
// limit alone, so that a lightly loaded service does not inflate its limit.
//
// AIMD reacts to drops and to the threshold, not to gradual latency changes; use
// [Gradient] for those. Make one with [NewAIMD]; the zero value is not usable. It
// is not safe for concurrent use (the limiter serialises Update), and Update costs
// a few nanoseconds.
type AIMD struct {
	backoff   float64
	threshold time.Duration // 0: none
}

// AIMDOption configures an [AIMD] algorithm.
type AIMDOption func(*aimdConfig)

type aimdConfig struct {
	AIMD
	err error
}

// DefaultBackoff is the ratio by which [AIMD] multiplies its limit on a drop.
const DefaultBackoff = 0.9

// WithBackoff sets the ratio the limit is multiplied by on a drop. It must be in
// (0, 1). The default is [DefaultBackoff].
func WithBackoff(ratio float64) AIMDOption {
	return func(c *aimdConfig) {
		if !(ratio > 0 && ratio < 1) && c.err == nil {
			c.err = fmt.Errorf("adaptive: AIMD backoff must be in (0, 1), got %v", ratio)
		}
		c.backoff = ratio
	}
}

// WithLatencyThreshold makes a call slower than d count as a drop. d must be
// positive. By default only drops decrease the limit.
func WithLatencyThreshold(d time.Duration) AIMDOption {
	return func(c *aimdConfig) {
		if d <= 0 && c.err == nil {
			c.err = fmt.Errorf("adaptive: AIMD latency threshold must be positive, got %v", d)
		}
		c.threshold = d
	}
}

// NewAIMD returns an AIMD algorithm, or an error for a bad option.
func NewAIMD(opts ...AIMDOption) (*AIMD, error) {
	c := aimdConfig{AIMD: AIMD{backoff: DefaultBackoff}}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("adaptive: nil AIMD option")
		}
		o(&c)
	}
	if c.err != nil {
		return nil, c.err
	}
	return &c.AIMD, nil
}

// Update returns the next limit for sample s.
func (a *AIMD) Update(s Sample) int {
	if s.Dropped || (a.threshold > 0 && s.RTT > a.threshold) {
		return min(int(float64(s.Limit)*a.backoff), s.Limit-1)
	}
	if s.InFlight*2 >= s.Limit {
		return s.Limit + 1
	}
	return s.Limit
}
