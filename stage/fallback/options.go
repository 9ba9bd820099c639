package fallback

import (
	"context"
	"errors"

	"github.com/tower-go/tower/service"
)

// Option configures a fallback stage.
type Option func(*config)

type config struct {
	when   func(error) bool
	events service.EventFunc
	err    error
}

// Default is the stage's default test: every error except one matching
// context.Canceled. (An error of the caller's own ended context is never answered
// by the function, whatever the test says.)
func Default(err error) bool { return !errors.Is(err, context.Canceled) }

// When sets the test of which inner errors the function answers (default
// [Default]). It is called only with non-nil errors, on the caller's goroutine.
// f must not be nil.
func When(f func(err error) bool) Option {
	return func(c *config) {
		if f == nil {
			c.err = errors.New("fallback: When function is nil")
		}
		c.when = f
	}
}

// WithEvents sends the stage's decisions to f: EventFallback, with the inner
// error, each time the function answers instead of the inner service. f runs on
// the caller's goroutine.
func WithEvents(f service.EventFunc) Option {
	return func(c *config) { c.events = f }
}
