package retry

import (
	"reflect"

	"github.com/tower-go/tower/service"
)

// Option configures a retry stage. A nil Option is ignored.
type Option func(*config)

type config struct {
	budget Budget
	events service.EventFunc
	err    error
}

// WithBudget makes the stage deposit into b on every call and withdraw from it on
// every retry, so that retries stay a bounded share of the traffic (see [Budget]
// and [TpsBudget]). One budget is usually shared by every retry stage in front of
// the same backend, and may be shared with hedge stages too. b must pass
// [CheckBudget]: not nil, not a typed nil, not the zero value of a TpsBudget.
func WithBudget(b Budget) Option {
	return func(c *config) {
		if err := CheckBudget(b); err != nil && c.err == nil {
			c.err = err
		}
		c.budget = b
	}
}

// WithEvents sends the stage's decisions to f: EventRetried before each retry
// (Attempt is the number of the attempt about to be sent, Err the error that
// caused it) and EventBudgetExhausted when a retry was not sent for lack of
// budget (Attempt is the attempt that was not sent). Both carry Elapsed, the time
// since the call started; the stage reads the clock for it only when f is set. f
// runs on the caller's goroutine. A nil f discards events.
func WithEvents(f service.EventFunc) Option {
	return func(c *config) { c.events = f }
}

// isNil reports whether v is nil or holds a nil pointer, map, channel, slice,
// function or interface, on which a method call would panic.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Slice, reflect.Func, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
