package hedge

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/retry"
)

// Defaults of the options.
const (
	DefaultPercentile    = 0.95             // see WithPercentile
	DefaultMinDataPoints = 100              // see WithMinDataPoints
	DefaultPeriod        = 10 * time.Second // see WithPeriod
	DefaultBudgetPercent = 10.0             // see WithBudgetPercent
	DefaultBudgetBurst   = 10               // the burst of the budget WithBudgetPercent makes

	// MaxPeriod is the longest period WithPeriod accepts: a longer one would
	// postpone the first hedge past any useful time (and toward overflow).
	MaxPeriod = 24 * time.Hour
)

// Option configures a hedge at [New] or [Layer].
type Option func(*config)

type config struct {
	percentile float64
	minData    int
	period     time.Duration
	percent    float64
	percentSet bool
	budget     Budget
	budgetSet  bool
	clone      any // func(Req) (Req, bool), checked against Req at New
	events     service.EventFunc
}

// WithPercentile sets the latency percentile, 0 < p < 1, after which a call is
// hedged: with 0.95 (the default) a call still unanswered when 95% of the calls of
// the last period had answered gets a second attempt. Lower p hedges more calls.
func WithPercentile(p float64) Option { return func(c *config) { c.percentile = p } }

// WithMinDataPoints sets how many latencies (n ≥ 1) the last period must have
// recorded before the stage hedges at all; with fewer the percentile means little.
// The default is 100.
func WithMinDataPoints(n int) Option { return func(c *config) { c.minData = n } }

// WithPeriod sets the length of a latency window (0 < d ≤ [MaxPeriod]): the
// percentile is that of the latencies recorded in the last complete period. The
// default is 10s. A short
// period follows latency changes quickly but needs the calls to fill it.
func WithPeriod(d time.Duration) Option { return func(c *config) { c.period = d } }

// WithBudgetPercent sets the stage's budget to hedges for at most percent% of calls
// (0.01 ≤ percent ≤ 100), with up to DefaultBudgetBurst saved up; see [NewBudget].
// The default is 10%. It cannot be combined with [WithBudget].
func WithBudgetPercent(percent float64) Option {
	return func(c *config) { c.percent, c.percentSet = percent, true }
}

// WithBudget sets the budget the stage draws its hedges from, such as a
// [PercentBudget] or a *retry.TpsBudget shared by several stages (retry stages
// included). b must not be nil, a typed nil, or the zero value of either budget
// type. It cannot be combined with [WithBudgetPercent].
func WithBudget(b Budget) Option { return func(c *config) { c.budget, c.budgetSet = b, true } }

// WithClone sets how a request is copied for its hedge. f runs on the hedge's
// goroutine when the hedge is about to be sent, while the first attempt may still be
// using req, so it must only read req; it returns the copy and true, or false to not
// hedge this request (one that is not idempotent, say). Without it the hedge gets
// req itself, which suits values; give a clone when Req is a pointer or holds state
// that one attempt changes (a request body that reading consumes). Req must be the
// stage's request type, or New fails.
func WithClone[Req any](f func(req Req) (Req, bool)) Option {
	return func(c *config) { c.clone = f }
}

// WithEvents sets the hook that receives the stage's events: service.EventHedged
// (Attempt 2) when a hedge is sent, and service.EventBudgetExhausted (Attempt 2)
// when one was due but the budget had none. Both carry Elapsed, the time from the
// call's start to the decision. They are emitted on the goroutine that
// sends the hedge, not the caller's. A nil f discards events.
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }

func newConfig[Req any](opts []Option) (config, func(Req) (Req, bool), error) {
	c := config{
		percentile: DefaultPercentile,
		minData:    DefaultMinDataPoints,
		period:     DefaultPeriod,
		percent:    DefaultBudgetPercent,
	}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	switch {
	case math.IsNaN(c.percentile) || c.percentile <= 0 || c.percentile >= 1:
		return c, nil, fmt.Errorf("hedge: percentile must be between 0 and 1 (exclusive), got %v", c.percentile)
	case c.minData < 1:
		return c, nil, fmt.Errorf("hedge: min data points must be at least 1, got %d", c.minData)
	case c.period <= 0 || c.period > MaxPeriod:
		return c, nil, fmt.Errorf("hedge: period must be positive and at most %v, got %v", MaxPeriod, c.period)
	case c.budgetSet && c.percentSet:
		return c, nil, errors.New("hedge: WithBudget and WithBudgetPercent cannot be combined")
	case c.budgetSet && retry.CheckBudget(c.budget) != nil:
		// Same check as retry's, in this package's words.
		return c, nil, errors.New("hedge: " + strings.TrimPrefix(retry.CheckBudget(c.budget).Error(), "retry: "))
	}
	if pb, ok := c.budget.(*PercentBudget); ok && pb.deposit == 0 {
		return c, nil, errors.New("hedge: budget is a zero PercentBudget; make one with hedge.NewBudget")
	}
	if !c.budgetSet {
		b, err := NewBudget(c.percent, DefaultBudgetBurst)
		if err != nil {
			return c, nil, err
		}
		c.budget = b
	}
	var clone func(Req) (Req, bool)
	if c.clone != nil {
		f, ok := c.clone.(func(Req) (Req, bool))
		if !ok {
			return c, nil, fmt.Errorf("hedge: clone function is %T, want %v", c.clone, reflect.TypeFor[func(Req) (Req, bool)]())
		}
		if f == nil {
			return c, nil, errors.New("hedge: nil clone function")
		}
		clone = f
	}
	return c, clone, nil
}
