package ratelimit

import "github.com/tower-go/tower/service"

// Option configures a rate-limiting stage at [New], [Layer] or [LayerRate]. A nil
// Option is an error at construction.
type Option func(*config)

type config struct {
	failFast bool
	events   service.EventFunc
}

// WithFailFast makes Call fail at once with [ErrLimited] when no token is there,
// instead of waiting for one. Readiness is the same in both modes.
func WithFailFast() Option { return func(c *config) { c.failFast = true } }

// WithEvents sets the hook that receives the stage's events: service.EventRateLimited
// for every Call that did not find a token at once. Its Err is [ErrLimited] for a
// refused call, nil for a call that waited and went through, and ctx.Err() for a call
// whose ctx ended before it got a token (while it waited, or before it could start
// waiting); its Elapsed is the time the call spent waiting (0 in fail-fast mode).
// A TryCall refusal emits nothing: the stage that asked for the non-blocking call
// reports it (see the package doc). With a hook set, a call that has to wait reads
// the clock once more. A nil f discards events.
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }
