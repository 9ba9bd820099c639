package loadshed

import "github.com/tower-go/tower/service"

// Option configures a load-shedding stage at [New] or [Layer].
type Option func(*config)

type config struct {
	events service.EventFunc
}

// WithEvents sets the hook that receives the stage's events: service.EventShed, with
// Err set to the shed call's error, each time a call is shed. A nil f discards
// events.
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }
