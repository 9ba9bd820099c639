package balance

import (
	"fmt"

	"github.com/tower-go/tower/service"
)

// Errors a balancer returns. Each matches a kind of package service under
// errors.Is, so that a caller (or a retry policy) can branch on the kind.
var (
	// ErrNoEndpoints: the balancer has no endpoint at all (discovery has delivered
	// none yet, or removed or evicted them all). It matches service.ErrUnavailable:
	// the balancer refuses for a while, whatever its load. A waiting call whose ctx
	// ends gets an error matching both this and ctx's error; a fail-fast call gets
	// it at once.
	ErrNoEndpoints = service.NewError("balance: no endpoints", service.ErrUnavailable)
	// ErrNotReady: the balancer has endpoints but none is ready. The error a
	// caller gets also matches the cause: service.ErrOverloaded when at least one
	// endpoint was not ready for lack of capacity (a full mailbox), and
	// service.ErrUnavailable when every endpoint refuses for a while (an open
	// breaker, a restarting child).
	ErrNotReady = service.NewError("balance: no endpoint ready")
	// ErrStopped: the balancer was stopped. It matches service.ErrClosed.
	ErrStopped = service.NewError("balance: stopped", service.ErrClosed)
)

// The two causes of ErrNotReady, made once.
var (
	errBusy        = service.NewError("balance: no endpoint ready: overloaded", ErrNotReady, service.ErrOverloaded)
	errUnavailable = service.NewError("balance: no endpoint ready: unavailable", ErrNotReady, service.ErrUnavailable)
)

// cause says why a pick found no endpoint.
type cause uint8

const (
	causeNone        cause = iota // an endpoint was found
	causeEmpty                    // no endpoints
	causeBusy                     // some endpoint was not ready for lack of capacity
	causeUnavailable              // every endpoint refuses for a while
)

func (c cause) err() error {
	switch c {
	case causeEmpty:
		return ErrNoEndpoints
	case causeUnavailable:
		return errUnavailable
	}
	return errBusy
}

// waitErr is the error of a call that waited for an endpoint until ctx ended:
// it matches the cause and ctx's error.
func (c cause) waitErr(ctxErr error) error {
	return fmt.Errorf("%w: %w", c.err(), ctxErr)
}
