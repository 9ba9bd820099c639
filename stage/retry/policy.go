package retry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
)

// Policy decides whether a call is sent again: Tower's retry policy.
//
// After every attempt the stage calls Retry with the original request, what the
// attempt returned and the attempt's number (1 for the first). Retry returns
// whether to send the request again and how long to wait before doing so (0: at
// once). A policy may retry on a response as well as on an error.
//
// Before every attempt, the first included, the stage calls Clone and sends what
// it returns, keeping the original for later attempts. Requests are values in Go,
// so Clone is the identity for most types; a request that an attempt consumes or
// changes (one holding a body reader, say) must be copied there.
//
// A policy is shared by every call through the stage, so its methods must be safe
// for concurrent use, and they run on the caller's goroutine, so they must be
// quick. The policy bounds the number of attempts; the stage adds no bound of its
// own (a [Budget] bounds retries across calls).
type Policy[Req, Res any] interface {
	Retry(ctx context.Context, req Req, res Res, err error, attempt int) (wait time.Duration, again bool)
	Clone(req Req) Req
}

// DefaultRetryable is the standard policy's test of an error. It retries every
// error except those that say the same request to the same service would fail
// again soon or that no one waits for the answer any more:
//
//   - context.Canceled;
//   - service.ErrClosed (the service is stopped);
//   - service.ErrRejected (a filter refused this request);
//   - service.ErrFailed (the service failed and fails every call until replaced);
//   - service.ErrUnavailable (the service refuses every call for a while: an open
//     circuit breaker, a restarting child). Retrying it at once only spends the
//     budget against the refusal; a balancer or another endpoint is the remedy.
//
// Errors matching context.DeadlineExceeded are retried, so that a retry stage
// around a per-attempt timeout retries attempts that ran out of time; the stage
// itself never retries once the caller's own context has ended. Overload errors
// (service.ErrOverloaded: busy now, try again) are retried: pair them with a
// [Backoff] and a [Budget].
func DefaultRetryable(err error) bool {
	return err != nil && !final(err)
}

// final reports whether err matches, under the rules of errors.Is, one of the
// errors DefaultRetryable refuses. It walks the chain once for all five, where
// five calls of errors.Is would walk it five times.
func final(err error) bool {
	for err != nil {
		switch err {
		case context.Canceled, service.ErrClosed, service.ErrRejected, service.ErrFailed, service.ErrUnavailable:
			return true
		}
		if x, ok := err.(interface{ Is(error) bool }); ok &&
			(x.Is(context.Canceled) || x.Is(service.ErrClosed) || x.Is(service.ErrRejected) ||
				x.Is(service.ErrFailed) || x.Is(service.ErrUnavailable)) {
			return true
		}
		switch x := err.(type) {
		case interface{ Unwrap() error }:
			err = x.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				if final(e) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// StandardPolicy is the usual [Policy]: retry failed attempts whose error passes a
// test, up to a maximum number of attempts, waiting a [Backoff] between them.
// Responses without an error are never retried.
//
// Make one with [NewPolicy] or [Attempts]; the zero value is not usable ([New]
// rejects it). It is immutable and
// safe for concurrent use; a decision costs a few nanoseconds when the attempt
// succeeded and allocates nothing.
type StandardPolicy[Req, Res any] struct {
	max       int
	retryable func(error) bool
	backoff   Backoff
	clone     func(Req) Req
	err       error // a bad argument to Attempts, reported by New
}

var _ Policy[int, int] = (*StandardPolicy[int, int])(nil)

// PolicyOption configures a [StandardPolicy]. A nil PolicyOption is ignored.
type PolicyOption func(*policyConfig)

type policyConfig struct {
	retryable func(error) bool
	backoff   Backoff
	err       error
}

// RetryIf sets the test of which errors are retried (default [DefaultRetryable]).
// It is called only with non-nil errors. f must not be nil.
func RetryIf(f func(err error) bool) PolicyOption {
	return func(c *policyConfig) {
		if f == nil {
			c.err = errors.New("retry: RetryIf function is nil")
		}
		c.retryable = f
	}
}

// WithBackoff sets the wait before each retry (default: none). See [Backoff].
func WithBackoff(b Backoff) PolicyOption {
	return func(c *policyConfig) { c.backoff = b }
}

// NewPolicy returns the standard policy: at most maxAttempts attempts in all (the
// first call and up to maxAttempts-1 retries). maxAttempts must be at least 1.
func NewPolicy[Req, Res any](maxAttempts int, opts ...PolicyOption) (*StandardPolicy[Req, Res], error) {
	p := Attempts[Req, Res](maxAttempts, opts...)
	if p.err != nil {
		return nil, p.err
	}
	return p, nil
}

// Attempts is [NewPolicy] for building pipelines: it returns the standard policy
// without an error, and a bad argument (maxAttempts below 1, a bad option) makes
// [New] or the [Layer] that gets the policy fail instead, when the pipeline is
// built. Its methods on a policy with a bad argument never retry.
//
//	retry.Layer[Req, Res](retry.Attempts[Req, Res](3))
func Attempts[Req, Res any](maxAttempts int, opts ...PolicyOption) *StandardPolicy[Req, Res] {
	if maxAttempts < 1 {
		return &StandardPolicy[Req, Res]{err: fmt.Errorf("retry: max attempts must be at least 1, got %d", maxAttempts)}
	}
	c := policyConfig{retryable: DefaultRetryable}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.err == nil {
		c.err = c.backoff.validate()
	}
	if c.err != nil {
		return &StandardPolicy[Req, Res]{err: c.err}
	}
	return &StandardPolicy[Req, Res]{max: maxAttempts, retryable: c.retryable, backoff: c.backoff}
}

// check reports whether p can be used: made by NewPolicy or Attempts with good
// arguments.
func (p *StandardPolicy[Req, Res]) check() error {
	switch {
	case p.err != nil:
		return p.err
	case p.max < 1 || p.retryable == nil:
		return errors.New("retry: policy is a zero StandardPolicy; make one with retry.NewPolicy or retry.Attempts")
	}
	return nil
}

// WithClone returns a copy of the policy that sends clone(req) on every attempt
// instead of req itself. clone must not be nil.
func (p *StandardPolicy[Req, Res]) WithClone(clone func(Req) Req) (*StandardPolicy[Req, Res], error) {
	if clone == nil {
		return nil, errors.New("retry: clone function is nil")
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	q := *p
	q.clone = clone
	return &q, nil
}

// MaxAttempts returns the most attempts a call gets.
func (p *StandardPolicy[Req, Res]) MaxAttempts() int { return p.max }

// Retry retries a failed attempt if attempts remain and the error passes the test,
// after the backoff's delay for that retry.
func (p *StandardPolicy[Req, Res]) Retry(_ context.Context, _ Req, _ Res, err error, attempt int) (time.Duration, bool) {
	if err == nil || attempt >= p.max || !p.retryable(err) {
		return 0, false
	}
	return p.backoff.Delay(attempt), true
}

// Clone returns req, or the clone function's copy of it (see WithClone).
func (p *StandardPolicy[Req, Res]) Clone(req Req) Req {
	if p.clone == nil {
		return req
	}
	return p.clone(req)
}
