package adaptive

import (
	"fmt"
	"math"
)

// Gradient moves the limit with the ratio of long-term to short-term latency, in
// the manner of TCP Vegas and Netflix concurrency-limits' Gradient2Limit. Each
// sample's RTT is the short-term latency; an exponential average of RTTs over
// a long window of samples is the long-term one. Then
//
//	gradient = clamp(tolerance * longRTT / RTT, 0.5, 1)
//	target   = limit * gradient + queueSize
//	limit    = limit * (1 - smoothing) + target * smoothing
//
// While latency stays within tolerance of its long-term average the gradient is 1
// and the limit creeps up by queueSize*smoothing per sample; when latency rises
// the gradient falls below 1 and so does the limit, by up to half per step before
// smoothing. A drop counts as the lowest gradient without the queue allowance
// (target = limit/2). A sample taken while less than half the limit was in flight
// does not move the limit: the service is not the bottleneck. When the long-term
// average is more than twice the current RTT (latency has come back down after a
// long overload) it is pulled down by 5% per sample, so the limit recovers without
// waiting for the average to decay.
//
// The long-term average adapts too: under latency that stays high it catches up,
// the gradient returns to 1 and the limit stops falling. Bounds come from the
// limiter. Make one with [NewGradient]; the zero value is not usable. It is not
// safe for concurrent use (the limiter serialises Update), and Update costs a few
// tens of nanoseconds of floating point.
type Gradient struct {
	tolerance float64
	smoothing float64
	queue     float64
	window    int

	estimate float64 // the limit, with the fraction smoothing leaves
	long     float64 // long-term RTT average, ns
	samples  int     // samples averaged so far (warm-up)
}

// GradientOption configures a [Gradient] algorithm.
type GradientOption func(*gradientConfig)

type gradientConfig struct {
	Gradient
	err error
}

// Defaults of [Gradient], those of Netflix's Gradient2Limit.
const (
	DefaultTolerance  = 1.5
	DefaultSmoothing  = 0.2
	DefaultQueueSize  = 4
	DefaultLongWindow = 600
)

// warmup is how many first samples the long-term average weighs equally.
const warmup = 10

func (c *gradientConfig) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("adaptive: "+format, args...)
	}
}

// WithTolerance sets how much the short-term latency may exceed the long-term one
// before the limit falls: 1.5 tolerates 50% more. It must be at least 1. The
// default is [DefaultTolerance].
func WithTolerance(f float64) GradientOption {
	return func(c *gradientConfig) {
		if !(f >= 1) || math.IsInf(f, 0) {
			c.fail("gradient tolerance must be at least 1, got %v", f)
		}
		c.tolerance = f
	}
}

// WithSmoothing sets the weight of each new target in the limit, in (0, 1]: 1
// follows every sample, smaller values move more slowly. The default is
// [DefaultSmoothing].
func WithSmoothing(f float64) GradientOption {
	return func(c *gradientConfig) {
		if !(f > 0 && f <= 1) {
			c.fail("gradient smoothing must be in (0, 1], got %v", f)
		}
		c.smoothing = f
	}
}

// WithQueueSize sets the growth allowance added to the target at each sample: how
// many calls beyond the current limit may be let in to probe for more capacity. It
// must not be negative. The default is [DefaultQueueSize].
func WithQueueSize(n int) GradientOption {
	return func(c *gradientConfig) {
		if n < 0 {
			c.fail("gradient queue size must not be negative, got %d", n)
		}
		c.queue = float64(n)
	}
}

// WithLongWindow sets the number of samples the long-term latency average spans.
// It must be at least 1. The default is [DefaultLongWindow].
func WithLongWindow(n int) GradientOption {
	return func(c *gradientConfig) {
		if n < 1 {
			c.fail("gradient long window must be at least 1, got %d", n)
		}
		c.window = n
	}
}

// NewGradient returns a Gradient algorithm, or an error for a bad option.
func NewGradient(opts ...GradientOption) (*Gradient, error) {
	c := gradientConfig{Gradient: Gradient{
		tolerance: DefaultTolerance, smoothing: DefaultSmoothing,
		queue: DefaultQueueSize, window: DefaultLongWindow,
	}}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("adaptive: nil gradient option")
		}
		o(&c)
	}
	if c.err != nil {
		return nil, c.err
	}
	return &c.Gradient, nil
}

// Update returns the next limit for sample s.
func (g *Gradient) Update(s Sample) int {
	if int(g.estimate) != s.Limit {
		// First sample, or the limiter clamped the last result: start from the
		// limit in force, so that the estimate does not wind up beyond the bounds.
		g.estimate = float64(s.Limit)
	}
	rtt := max(float64(s.RTT), 1)
	g.observe(rtt)
	if g.long/rtt > 2 {
		g.long *= 0.95
	}

	var target float64
	switch {
	case s.Dropped:
		target = g.estimate / 2
	case float64(s.InFlight) < g.estimate/2:
		return int(g.estimate)
	default:
		gradient := max(0.5, min(1, g.tolerance*g.long/rtt))
		target = g.estimate*gradient + g.queue
	}
	g.estimate = g.estimate*(1-g.smoothing) + target*g.smoothing
	return int(g.estimate)
}

// observe folds rtt into the long-term average: a plain mean over the first
// samples, then an exponential average over the window.
func (g *Gradient) observe(rtt float64) {
	if g.samples < warmup {
		g.samples++
		g.long += (rtt - g.long) / float64(g.samples)
		return
	}
	g.long += (rtt - g.long) * 2 / float64(g.window+1)
}
