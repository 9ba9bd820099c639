package retry

import (
	"errors"

	"github.com/tower-go/tower/service"
)

// Option configures a retry stage.
type Option func(*config)

type config struct {
	budget *Budget
	events service.EventFunc
	err    error
}

// WithBudget makes the stage deposit into b on every call and withdraw from it on
// every retry, so that retries stay a bounded share of the traffic (see [Budget]).
// One budget is usually shared by every retry stage in front of the same backend.
// b must not be nil.
func WithBudget(b *Budget) Option {
	return func(c *config) {
		if b == nil {
			c.err = errors.New("retry: budget is nil")
		}
		c.budget = b
	}
}

// WithEvents sends the stage's decisions to f: EventRetried before each retry
// (Attempt is the number of the attempt about to be sent, Err the error that
// caused it) and EventBudgetExhausted when a retry was not sent for lack of
// budget (Attempt is the attempt that was not sent). f runs on the caller's
// goroutine.
func WithEvents(f service.EventFunc) Option {
	return func(c *config) { c.events = f }
}
