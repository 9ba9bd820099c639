package load

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Option configures [NewPending] or [NewPeakEWMA] (and their layers and
// discovery wrappers). Each option says which metrics take it; giving a metric an
// option it does not take, a nil option, or a bad value is an error at
// construction.
type Option func(*config)

// which options a config was given, to reject those a metric does not take.
const (
	optDefaultRTT = 1 << iota
	optDecay
	optPenalty
	optClassifier
	optCompletion
)

var optNames = map[int]string{
	optDefaultRTT: "WithDefaultRTT", optDecay: "WithDecay", optPenalty: "WithPenalty",
	optClassifier: "WithClassifier", optCompletion: "WithCompletion",
}

type config struct {
	set        int
	defaultRTT time.Duration
	decay      time.Duration
	penalty    time.Duration
	classify   any // func(Res, error) (Outcome, time.Duration)
	track      any // func(Res, *Completion) Res
	err        error
}

// The peak-EWMA defaults: Finagle's and linkerd's decay, a default RTT that
// suits a data-centre endpoint, and a penalty far above it.
const (
	DefaultRTT     = 30 * time.Millisecond
	DefaultDecay   = 10 * time.Second
	DefaultPenalty = time.Second
	// MaxRetryAfter caps the Retry-After hint a failed call can carry into the
	// estimate, so that one absurd hint cannot shut an endpoint out for long.
	MaxRetryAfter = time.Minute
)

func (c *config) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("load: "+format, args...)
	}
}

// WithDefaultRTT sets the RTT estimate of an endpoint not yet measured
// (default [DefaultRTT]). Zero makes new endpoints look idle, so they are tried
// first. It must not be negative. Peak-EWMA only.
func WithDefaultRTT(d time.Duration) Option {
	return func(c *config) {
		c.set |= optDefaultRTT
		if d < 0 {
			c.fail("default RTT %v is negative", d)
		}
		c.defaultRTT = d
	}
}

// WithDecay sets the decay time of the estimate (default [DefaultDecay]): a
// sample below the estimate moves it with weight 1-exp(-elapsed/decay), and an
// endpoint with no new sample looks exp(-elapsed/decay) times as costly. It must
// be positive. Peak-EWMA only.
func WithDecay(d time.Duration) Option {
	return func(c *config) {
		c.set |= optDecay
		if d <= 0 {
			c.fail("decay %v is not positive", d)
		}
		c.decay = d
	}
}

// WithPenalty sets the RTT a failed call counts as, at least (default
// [DefaultPenalty]): a call that fails fast must not make its endpoint look fast.
// Zero counts failures at their measured RTT, as plain peak-EWMA does. It must not
// be negative. Peak-EWMA only.
func WithPenalty(d time.Duration) Option {
	return func(c *config) {
		c.set |= optPenalty
		if d < 0 {
			c.fail("penalty %v is negative", d)
		}
		c.penalty = d
	}
}

// WithClassifier sets how a call's result counts (default [ClassifyError] of the
// error): f returns the [Outcome] and, for a [Failure], a Retry-After hint (0 for
// none), such as an HTTP 503's Retry-After header. Res must be the service's
// response type; f must be quick and safe for concurrent use. Peak-EWMA only.
func WithClassifier[Res any](f func(res Res, err error) (Outcome, time.Duration)) Option {
	return func(c *config) {
		c.set |= optClassifier
		if f == nil {
			c.fail("classifier is nil")
			return
		}
		c.classify = f
	}
}

// WithCompletion sets when a successful call ends for the load: the metric calls
// f with the response and a [Completion], and the call counts as pending (and,
// for peak-EWMA, its RTT runs) until the Completion's Complete is called. f
// returns the response the caller gets, typically one that completes when the
// caller is done with it (a body that completes on Close). Without it, a call
// completes when its response returns (Tower's CompleteOnResponse). Failed calls
// complete at once. Res must be the service's response type. Pending and
// peak-EWMA.
func WithCompletion[Res any](f func(res Res, c *Completion) Res) Option {
	return func(c *config) {
		c.set |= optCompletion
		if f == nil {
			c.fail("completion function is nil")
			return
		}
		c.track = f
	}
}

func newConfig(metric string, allowed int, opts []Option) (config, error) {
	c := config{defaultRTT: DefaultRTT, decay: DefaultDecay, penalty: DefaultPenalty}
	for _, o := range opts {
		if o == nil {
			return c, fmt.Errorf("load: %s: option is nil", metric)
		}
		o(&c)
	}
	if c.err != nil {
		return c, fmt.Errorf("%w (%s)", c.err, metric)
	}
	for bit, name := range optNames {
		if c.set&bit != 0 && allowed&bit == 0 {
			return c, fmt.Errorf("load: %s does not take %s", metric, name)
		}
	}
	return c, nil
}

// classifier returns the configured classifier for Res, or the default.
func classifier[Res any](c *config) (func(Res, error) (Outcome, time.Duration), error) {
	if c.classify == nil {
		return nil, nil
	}
	f, ok := c.classify.(func(Res, error) (Outcome, time.Duration))
	if !ok {
		var zero Res
		return nil, fmt.Errorf("load: WithClassifier's function is a %T, but the service answers %T", c.classify, zero)
	}
	return f, nil
}

// tracker returns the configured completion function for Res, or nil.
func tracker[Res any](c *config) (func(Res, *Completion) Res, error) {
	if c.track == nil {
		return nil, nil
	}
	f, ok := c.track.(func(Res, *Completion) Res)
	if !ok {
		var zero Res
		return nil, fmt.Errorf("load: WithCompletion's function is a %T, but the service answers %T", c.track, zero)
	}
	return f, nil
}

// Outcome says how a call's result counts toward a peak-EWMA estimate.
type Outcome uint8

const (
	// Success: the endpoint answered; the call's RTT is a sample.
	Success Outcome = iota
	// Failure: the call failed or was refused; it counts as slow: its sample is
	// the largest of its RTT, the penalty and the Retry-After hint.
	Failure
	// Ignore: the result says nothing about the endpoint (the caller gave up);
	// no sample is taken.
	Ignore
)

// String returns "success", "failure" or "ignore".
func (o Outcome) String() string {
	switch o {
	case Success:
		return "success"
	case Failure:
		return "failure"
	case Ignore:
		return "ignore"
	}
	return "unknown"
}

// RetryAfterHint is implemented by errors that say when the endpoint wants to be
// called again (an HTTP 429 or 503 with Retry-After, a rate limiter's refusal).
// A failed call whose error carries one (found with errors.As) counts as at least
// that slow, up to [MaxRetryAfter].
type RetryAfterHint interface {
	RetryAfter() time.Duration
}

// ClassifyError is the default classification: no error is a [Success]; an
// error matching context.Canceled is [Ignore] (the caller left, which says
// nothing about the endpoint); any other error — service.ErrOverloaded,
// service.ErrUnavailable, a timeout, a connection error — is a [Failure], with the
// error's [RetryAfterHint] if it has one. A classifier of one's own can fall back
// on it.
func ClassifyError(err error) (Outcome, time.Duration) {
	if err == nil {
		return Success, 0
	}
	if errors.Is(err, context.Canceled) {
		return Ignore, 0
	}
	var h RetryAfterHint
	if errors.As(err, &h) {
		return Failure, h.RetryAfter()
	}
	return Failure, 0
}
