package filter

import "github.com/tower-go/tower/service"

// Option configures a filter.
type Option func(*config)

type config struct {
	events service.EventFunc
}

// WithEvents sends each rejection to fn as a service.EventRejected event with
// Stage "filter" and Err the predicate's error. fn runs on the caller's goroutine
// and must be quick and safe for concurrent use. A nil fn discards events (the
// default).
func WithEvents(fn service.EventFunc) Option {
	return func(c *config) { c.events = fn }
}
