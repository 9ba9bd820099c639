package balance

import (
	"fmt"
	"log/slog"

	"github.com/tower-go/tower/service"
)

// Policy says how a balancer picks an endpoint among the ready ones.
type Policy uint8

const (
	// P2C is the power of two choices (the default): two distinct endpoints
	// picked at random, the lower load wins; with one ready endpoint, that one.
	// It costs the same whatever the number of endpoints.
	P2C Policy = iota
	// RoundRobin takes the ready endpoints in turn (one shared atomic counter),
	// ignoring load.
	RoundRobin
	// LeastLoaded scans every endpoint and takes the ready one with the lowest
	// load: exact, but a pick costs O(endpoints).
	LeastLoaded
	// WeightedP2C is P2C with weights (discover.Endpoint.Weight): each of the two
	// candidates is drawn with probability proportional to its weight, and the
	// lower load per unit of weight wins. A draw costs O(log endpoints).
	WeightedP2C
)

// String returns "p2c", "round_robin", "least_loaded" or "weighted_p2c".
func (p Policy) String() string {
	switch p {
	case P2C:
		return "p2c"
	case RoundRobin:
		return "round_robin"
	case LeastLoaded:
		return "least_loaded"
	case WeightedP2C:
		return "weighted_p2c"
	}
	return "unknown"
}

// Option configures a balancer ([New], [NewIn]). A nil option, or a bad value,
// is an error at construction.
type Option func(*config)

type config struct {
	policy   Policy
	failFast bool
	events   service.EventFunc
	logger   *slog.Logger
	err      error
}

// WithPolicy sets how endpoints are picked (default [P2C]).
func WithPolicy(p Policy) Option {
	return func(c *config) {
		if p > WeightedP2C {
			c.fail("unknown policy %d", p)
		}
		c.policy = p
	}
}

// WithFailFast makes Call fail at once, with an error matching [ErrNoEndpoints]
// or [ErrNotReady] (and its cause), when no endpoint is ready, instead of waiting
// for one bounded by the call's ctx. TryCall always fails fast.
func WithFailFast() Option {
	return func(c *config) { c.failFast = true }
}

// WithEvents sets the hook that receives the balancer's events (Stage
// "balance"): service.EventFailed when an endpoint is evicted (Err says why). The
// hook runs on the balancer's goroutines; a panic in it is recovered and dropped.
func WithEvents(f service.EventFunc) Option {
	return func(c *config) { c.events = f }
}

// WithLogger writes the balancer's lifecycle to l (silent by default): an
// endpoint that joins the set, leaves it, or is replaced at Info; one that is
// evicted or whose replacement fails at Warn, with the cause ("err"). Each record
// carries "stage" ("balance") and "endpoint" (its key, formatted with %v). A panic
// in l's handler is recovered and dropped. A nil l is an error at construction.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			c.fail("nil logger")
		}
		c.logger = l
	}
}

func (c *config) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("balance: "+format, args...)
	}
}

func newConfig(opts []Option) (config, error) {
	var c config
	for i, o := range opts {
		if o == nil {
			return c, fmt.Errorf("balance: option %d of %d is nil", i+1, len(opts))
		}
		o(&c)
	}
	return c, c.err
}
