package towerhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/retry"
)

// DefaultMaxRetryAfter is the longest wait a Retry-After header can ask of a
// [RetryPolicy] unless [WithMaxRetryAfter] says otherwise.
const DefaultMaxRetryAfter = 30 * time.Second

// DefaultRetryStatuses are the statuses a [RetryPolicy] retries unless
// [WithStatuses] says otherwise: 429 Too Many Requests, 502 Bad Gateway, 503
// Service Unavailable and 504 Gateway Timeout.
var DefaultRetryStatuses = []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

// RetryPolicy is the retry.Policy of HTTP calls: it retries a request that may be
// sent again (see [Replayable], or the Transport's [WithReplayable]) after a
// transport error that retry.DefaultRetryable accepts or a response whose status is
// one of its statuses, up to a number of attempts. The wait before a retry is the
// backoff's, or the response's Retry-After (seconds or an HTTP-date) when that is
// longer, capped at the maximum; a retry whose wait would end after the call's
// deadline is not made (the caller gets the response it has). A response it
// replaces is drained and closed before the next attempt is sent.
//
// Make one with [NewRetryPolicy]; the zero value is not usable. It is immutable and
// safe for concurrent use; a decision on a success costs a few nanoseconds and
// allocates nothing.
type RetryPolicy struct {
	max           int
	backoff       retry.Backoff
	statuses      [600]bool
	maxRetryAfter time.Duration
	retryable     func(error) bool
	budget        retry.Budget
	events        service.EventFunc
	now           func() time.Time
}

var _ retry.Policy[*http.Request, *http.Response] = (*RetryPolicy)(nil)

// RetryOption configures a [RetryPolicy] and the stage [Retry] builds with it. A
// nil RetryOption is ignored.
type RetryOption func(*RetryPolicy) error

// WithBackoff sets the wait between attempts (default: none, unless Retry-After
// asks for one); see retry.Backoff. It must be valid (retry.NewBackoff).
func WithBackoff(b retry.Backoff) RetryOption {
	return func(p *RetryPolicy) error {
		if _, err := retry.NewBackoff(b.Min, b.Max, b.Factor); err != nil {
			return err
		}
		p.backoff = b
		return nil
	}
}

// WithStatuses sets the statuses that are retried (default
// [DefaultRetryStatuses]); each must be between 100 and 599. No status at all means
// only transport errors are retried.
func WithStatuses(codes ...int) RetryOption {
	return func(p *RetryPolicy) error {
		p.statuses = [600]bool{}
		for _, c := range codes {
			if c < 100 || c > 599 {
				return fmt.Errorf("towerhttp: retry status %d out of range 100..599", c)
			}
			p.statuses[c] = true
		}
		return nil
	}
}

// WithMaxRetryAfter caps the wait a Retry-After header can ask for (default
// [DefaultMaxRetryAfter]); d must not be negative. 0 ignores Retry-After.
func WithMaxRetryAfter(d time.Duration) RetryOption {
	return func(p *RetryPolicy) error {
		if d < 0 {
			return fmt.Errorf("towerhttp: max Retry-After must not be negative, got %v", d)
		}
		p.maxRetryAfter = d
		return nil
	}
}

// WithRetryIf sets which transport errors are retried (default
// retry.DefaultRetryable). f is called only with errors that carry no response.
func WithRetryIf(f func(error) bool) RetryOption {
	return func(p *RetryPolicy) error {
		if f == nil {
			return errors.New("towerhttp: RetryIf function is nil")
		}
		p.retryable = f
		return nil
	}
}

// WithRetryBudget makes the [Retry] stage draw its retries from b (see
// retry.WithBudget). The policy itself ignores it.
func WithRetryBudget(b retry.Budget) RetryOption {
	return func(p *RetryPolicy) error {
		if err := retry.CheckBudget(b); err != nil {
			return err
		}
		p.budget = b
		return nil
	}
}

// WithRetryEvents sends the [Retry] stage's events to f (see retry.WithEvents).
func WithRetryEvents(f service.EventFunc) RetryOption {
	return func(p *RetryPolicy) error { p.events = f; return nil }
}

// withClock sets the clock Retry-After dates are read against (tests).
func withClock(now func() time.Time) RetryOption {
	return func(p *RetryPolicy) error { p.now = now; return nil }
}

// NewRetryPolicy returns the HTTP retry policy: at most maxAttempts attempts in
// all (at least 1).
func NewRetryPolicy(maxAttempts int, opts ...RetryOption) (*RetryPolicy, error) {
	if maxAttempts < 1 {
		return nil, fmt.Errorf("towerhttp: max attempts must be at least 1, got %d", maxAttempts)
	}
	p := &RetryPolicy{max: maxAttempts, maxRetryAfter: DefaultMaxRetryAfter, retryable: retry.DefaultRetryable, now: time.Now}
	for _, c := range DefaultRetryStatuses {
		p.statuses[c] = true
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Retry returns a retry stage for a client pipeline under [NewRetryPolicy]'s
// policy; a bad argument is reported when the pipeline is built.
//
//	towerhttp.Client().Layer(towerhttp.Retry(3, towerhttp.WithBackoff(b)))
func Retry(maxAttempts int, opts ...RetryOption) service.Layer[*http.Request, *http.Response] {
	return func(sc *service.Scope, inner service.Service[*http.Request, *http.Response]) (service.Service[*http.Request, *http.Response], error) {
		p, err := NewRetryPolicy(maxAttempts, opts...)
		if err != nil {
			return nil, err
		}
		return retry.Layer[*http.Request, *http.Response](p, p.StageOptions()...)(sc, inner)
	}
}

// StageOptions returns the retry stage options the policy's own options set (a
// budget, events), for building a retry stage with retry.New or retry.Layer.
func (p *RetryPolicy) StageOptions() []retry.Option {
	var opts []retry.Option
	if p.budget != nil {
		opts = append(opts, retry.WithBudget(p.budget))
	}
	if p.events != nil {
		opts = append(opts, retry.WithEvents(p.events))
	}
	return opts
}

// MaxAttempts returns the most attempts a call gets.
func (p *RetryPolicy) MaxAttempts() int { return p.max }

// Retry decides whether the attempt that returned res, err is sent again, and
// after how long.
func (p *RetryPolicy) Retry(ctx context.Context, req *http.Request, res *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= p.max || (err == nil && (res == nil || !p.status(res.StatusCode))) {
		return 0, false
	}
	c := callFrom(ctx)
	if c != nil && !c.replayable || c == nil && !Replayable(req) {
		return 0, false
	}
	resp := res
	if err != nil {
		resp = nil
		var se *StatusError
		if errors.As(err, &se) {
			if !p.status(se.StatusCode) {
				return 0, false
			}
			resp = se.Response
		} else if !p.retryable(err) {
			return 0, false
		}
	}
	wait := p.backoff.Delay(attempt)
	if resp != nil && p.maxRetryAfter > 0 {
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), p.now); ok {
			wait = max(wait, min(ra, p.maxRetryAfter))
		}
	}
	if wait > 0 {
		if dl, ok := ctx.Deadline(); ok && p.now().Add(wait).After(dl) {
			return 0, false // the wait would outlast the call
		}
	}
	if resp != nil && c != nil {
		c.markDiscarded(resp)
	}
	return wait, true
}

// Clone returns req: the transport makes every attempt's copy and body itself.
func (p *RetryPolicy) Clone(req *http.Request) *http.Request { return req }

func (p *RetryPolicy) status(code int) bool {
	return code >= 0 && code < len(p.statuses) && p.statuses[code]
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP-date (RFC 9110
// 10.2.3). A date in the past means no wait.
func retryAfter(v string, now func() time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		if s > int64(1<<62/time.Second) {
			return 1 << 62, true
		}
		return time.Duration(s) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now()), 0), true
}
