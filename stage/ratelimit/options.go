package ratelimit

import "github.com/tower-go/tower/service"

// Option configures a rate-limiting stage at [New] or [Layer].
type Option func(*config)

type config struct {
	failFast bool
	events   service.EventFunc
}

// WithFailFast makes Call fail at once with [ErrLimited] when no token is there,
// instead of waiting for one. Readiness is the same in both modes.
func WithFailFast() Option { return func(c *config) { c.failFast = true } }

// WithEvents sets the hook that receives the stage's events: service.EventRateLimited
// for every call that did not find a token at once. Its Err is [ErrLimited] for a
// refused call, nil for a call that waited and went through, and ctx.Err() for a call
// whose ctx ended before it got a token (while it waited, or before it could start
// waiting). A nil f discards events.
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }
