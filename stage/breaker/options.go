package breaker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tower-go/tower/service"
)

// Option configures a breaker at [New] or [Layer].
type Option func(*config)

type config struct {
	consecutive int           // trip after this many consecutive failures; 0: off
	rate        float64       // trip at this failure rate ...; 0: off
	window      time.Duration // ... over this rolling window ...
	minVolume   int           // ... once it holds this many outcomes
	openTimeout time.Duration
	probes      int
	isFailure   func(error) bool
	events      service.EventFunc
	onChange    func(from, to State)
	logger      *slog.Logger
	err         error // the first bad option
}

// Defaults applied by [New] for what the options leave unset.
const (
	// DefaultConsecutiveFailures is the trip rule when neither
	// WithConsecutiveFailures nor WithFailureRate is given.
	DefaultConsecutiveFailures = 5
	// DefaultOpenTimeout is how long the breaker stays open before it lets probes
	// through.
	DefaultOpenTimeout = 30 * time.Second
	// DefaultProbes is how many probe calls a half-open breaker lets through.
	DefaultProbes = 1
)

func (c *config) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("breaker: "+format, args...)
	}
}

// WithConsecutiveFailures trips the breaker when n calls in a row have failed
// (a success in between starts the count again). n must be at least 1. It can be
// combined with [WithFailureRate]: the breaker trips on whichever rule fires first.
// Counting costs nothing on success (an atomic load) and one atomic add on failure.
func WithConsecutiveFailures(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.fail("consecutive failures must be at least 1, got %d", n)
		}
		c.consecutive = n
	}
}

// WithFailureRate trips the breaker when, over the last window, at least minVolume
// calls have ended as a success or a failure and the share of failures among them
// is rate or more. rate must be in (0, 1] (NaN is rejected), window at least 10ns
// and minVolume at least 1. A window longer than the breaker's life (up to
// math.MaxInt64) counts every outcome since the breaker last closed.
//
// The window rolls in tenths: outcomes are counted in ten buckets of window/10
// each, so the oldest tenth leaves the window at once. Counting reads the clock
// (time.Now) and adds to a shared atomic counter on every call, success or failure.
func WithFailureRate(rate float64, window time.Duration, minVolume int) Option {
	return func(c *config) {
		switch {
		case !(rate > 0 && rate <= 1):
			c.fail("failure rate must be in (0, 1], got %v", rate)
		case window < numBuckets:
			c.fail("failure rate window must be at least %dns, got %v", numBuckets, window)
		case minVolume < 1:
			c.fail("failure rate minimum volume must be at least 1, got %d", minVolume)
		}
		c.rate, c.window, c.minVolume = rate, window, minVolume
	}
}

// WithOpenTimeout sets how long the breaker stays open before it turns half-open
// and lets probes through. d must be positive. The default is
// [DefaultOpenTimeout]. A huge d (up to math.MaxInt64) means the breaker, once
// open, stays open for as long as the process runs; it does not overflow.
func WithOpenTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.fail("open timeout must be positive, got %v", d)
		}
		c.openTimeout = d
	}
}

// WithProbes sets how many probe calls a half-open breaker lets through: exactly m
// calls pass (others fail with [ErrOpen]); the breaker closes once all m succeeded
// and re-opens at the first failure. m must be at least 1. The default is
// [DefaultProbes].
func WithProbes(m int) Option {
	return func(c *config) {
		if m < 1 {
			c.fail("probes must be at least 1, got %d", m)
		}
		c.probes = m
	}
}

// WithIsFailure sets which errors count as failures. f is called with every non-nil
// error the inner service returns (never with nil) and must be safe for concurrent
// use. A call that returned nil is a success; an error for which f returns true is
// a failure; an error for which f returns false is not counted at all: it neither
// trips nor closes the breaker, nor breaks a run of consecutive failures, and in
// the half-open state it frees its probe slot for another probe.
//
// The default, [IsFailure], counts every error except context.Canceled: a caller
// that gave up says nothing about the service. context.DeadlineExceeded counts,
// since a service too slow for its callers' deadlines is what a breaker guards
// against.
func WithIsFailure(f func(err error) bool) Option {
	return func(c *config) {
		if f == nil {
			c.fail("failure predicate must not be nil")
		}
		c.isFailure = f
	}
}

// IsFailure is the default failure predicate: every error except one matching
// context.Canceled is a failure.
func IsFailure(err error) bool { return !errors.Is(err, context.Canceled) }

// WithEvents sets the hook that receives an EventStateChanged event on every
// transition, with Event.State set to the new state's name ("closed", "open",
// "half-open") and Event.Err to the failure that opened the breaker, if any.
// Events are emitted in the order of the transitions, while the breaker holds its
// lock: f must be quick and must not call the breaker's Call, TryCall, Ready or
// TryReady (State is fine).
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }

// WithOnStateChange sets a hook called on every transition with the old and the
// new state, in order, under the same rules as the hook of [WithEvents].
func WithOnStateChange(f func(from, to State)) Option {
	return func(c *config) { c.onChange = f }
}

// WithLogger logs every transition to l (silent by default): opening at level
// Warn with the failure that opened the breaker ("err"), half-open and closed
// at Info, each with the attributes "stage" ("breaker"), "from" and "to". The
// record is written while the breaker holds its lock, as the hooks are; a
// panic in l's handler is recovered and dropped. A nil l is an error at
// construction.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			c.fail("nil logger")
		}
		c.logger = l
	}
}

// log writes one transition to the logger, if one is set.
func (c *config) log(from, to State, cause error) {
	if c.logger == nil {
		return
	}
	defer func() { _ = recover() }() // a panicking handler is user code
	level := slog.LevelInfo
	attrs := []any{"stage", stageName, "from", from.String(), "to", to.String()}
	if to == Open {
		level = slog.LevelWarn
		if cause != nil {
			attrs = append(attrs, "err", cause.Error())
		}
	}
	c.logger.Log(context.Background(), level, "breaker "+to.String(), attrs...)
}

func newConfig(opts []Option) (config, error) {
	c := config{openTimeout: DefaultOpenTimeout, probes: DefaultProbes, isFailure: IsFailure}
	for _, o := range opts {
		if o == nil {
			c.fail("nil option")
			continue
		}
		o(&c)
	}
	if c.err != nil {
		return c, c.err
	}
	if c.consecutive == 0 && c.rate == 0 {
		c.consecutive = DefaultConsecutiveFailures
	}
	return c, nil
}
