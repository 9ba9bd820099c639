package retry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
)

// Retry is a fused stage that sends a failed call again as its [Policy] decides,
// within an optional shared [Budget]. See the package documentation.
//
// Make one with [New] or [Layer]; the zero value is not usable. A Retry is safe for
// concurrent use if its policy and budget are. Call blocks while attempts run and
// during backoff waits, bounded by ctx; TryCall refuses at once when the inner
// service refuses the first attempt. A call that needs no retry costs two calls to
// the policy and nothing else (plus a Deposit with a budget); it allocates nothing.
// Readiness is the inner service's (embedded [service.Next]).
type Retry[Req, Res any] struct {
	service.Next[Req, Res]
	policy Policy[Req, Res]
	std    *StandardPolicy[Req, Res] // policy, when it is the standard one: called directly
	budget Budget                    // nil: no budget
	events service.EventFunc
}

var (
	_ service.Service[int, int]   = (*Retry[int, int])(nil)
	_ service.Readier             = (*Retry[int, int])(nil)
	_ service.TryCaller[int, int] = (*Retry[int, int])(nil)
)

// New returns a retry stage over inner that follows policy (see [NewPolicy] and
// [Attempts] for the standard one). It returns an error if inner or policy is nil
// (a typed nil included), if policy is a [StandardPolicy] that is not valid (the
// zero value, or one [Attempts] made with bad arguments), or if an option is bad.
func New[Req, Res any](inner service.Service[Req, Res], policy Policy[Req, Res], opts ...Option) (*Retry[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("retry: inner %w", err)
	}
	if policy == nil || isNil(policy) {
		return nil, errors.New("retry: policy is nil")
	}
	r := &Retry[Req, Res]{Next: next, policy: policy}
	if std, ok := policy.(*StandardPolicy[Req, Res]); ok {
		if err := std.check(); err != nil {
			return nil, err
		}
		r.std = std
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.err != nil {
		return nil, cfg.err
	}
	r.budget, r.events = cfg.budget, cfg.events
	return r, nil
}

// Layer returns a layer that wraps a service in a retry stage; see [New]. A bad
// policy or option is reported when the layer is applied. With [Attempts] the
// policy needs no error check of its own:
//
//	retry.Layer[Req, Res](retry.Attempts[Req, Res](3, retry.WithBackoff(b)), retry.WithBudget(budget))
func Layer[Req, Res any](policy Policy[Req, Res], opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, policy, opts...))
	}
}

// Call calls the inner service, and again while the policy asks for it, the
// caller's ctx lasts and the budget allows. It returns the last attempt's result,
// a [*BudgetExhaustedError] carrying it when the budget stopped a retry, or
// ctx.Err() when ctx ended during a backoff wait.
func (r *Retry[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if r.budget != nil {
		r.budget.Deposit()
	}
	var start time.Time
	if r.events != nil {
		start = time.Now()
	}
	var timer *time.Timer
	for attempt := 1; ; attempt++ {
		var res Res
		var err error
		var wait time.Duration
		var again bool
		if r.std != nil {
			res, err = r.Next.Call(ctx, r.std.Clone(req))
			wait, again = r.std.Retry(ctx, req, res, err, attempt)
		} else {
			res, err = r.Next.Call(ctx, r.policy.Clone(req))
			wait, again = r.policy.Retry(ctx, req, res, err, attempt)
		}
		if !again || ctx.Err() != nil {
			stopTimer(timer)
			return res, err
		}
		if !r.next(ctx, &timer, err, attempt, wait, start) {
			stopTimer(timer)
			if ctx.Err() != nil {
				var zero Res
				return zero, ctx.Err()
			}
			return res, &BudgetExhaustedError{Attempts: attempt, Err: err}
		}
	}
}

// next prepares retry attempt+1 of a call after an attempt that failed with err:
// it withdraws from the budget, emits the event and waits. It reports false if the
// retry is not to be sent: the budget is empty, or ctx ended during the wait.
func (r *Retry[Req, Res]) next(ctx context.Context, timer **time.Timer, err error, attempt int, wait time.Duration, start time.Time) bool {
	if r.budget != nil && !r.budget.Withdraw() {
		if r.events != nil {
			r.events(service.Event{Stage: "retry", Kind: service.EventBudgetExhausted, Err: err, Attempt: attempt + 1, Elapsed: time.Since(start)})
		}
		return false
	}
	if r.events != nil {
		r.events(service.Event{Stage: "retry", Kind: service.EventRetried, Err: err, Attempt: attempt + 1, Elapsed: time.Since(start)})
	}
	if wait <= 0 {
		return true
	}
	if *timer == nil {
		*timer = time.NewTimer(wait)
	} else {
		(*timer).Reset(wait)
	}
	select {
	case <-(*timer).C:
		return true
	case <-ctx.Done():
		return false
	}
}

// TryCall makes the first attempt with the inner service's non-blocking call. If
// the inner service refuses it (an error matching service.ErrOverloaded), TryCall
// returns the refusal at once: no retry, no backoff, and no deposit into the
// budget. Once the first attempt was accepted, TryCall behaves as Call: later
// attempts are ordinary calls, waiting for room as Call's do.
func (r *Retry[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	var start time.Time
	if r.events != nil {
		start = time.Now()
	}
	var res Res
	var err error
	if r.std != nil {
		res, err = r.Next.TryCall(ctx, r.std.Clone(req))
	} else {
		res, err = r.Next.TryCall(ctx, r.policy.Clone(req))
	}
	if err != nil && errors.Is(err, service.ErrOverloaded) {
		return res, err
	}
	if r.budget != nil {
		r.budget.Deposit()
	}
	return r.after(ctx, req, res, err, start)
}

// after runs the retries that follow a first attempt, made by TryCall, which
// returned res, err.
func (r *Retry[Req, Res]) after(ctx context.Context, req Req, res Res, err error, start time.Time) (Res, error) {
	var timer *time.Timer
	for attempt := 1; ; attempt++ {
		var wait time.Duration
		var again bool
		if r.std != nil {
			wait, again = r.std.Retry(ctx, req, res, err, attempt)
		} else {
			wait, again = r.policy.Retry(ctx, req, res, err, attempt)
		}
		if !again || ctx.Err() != nil {
			stopTimer(timer)
			return res, err
		}
		if !r.next(ctx, &timer, err, attempt, wait, start) {
			stopTimer(timer)
			if ctx.Err() != nil {
				var zero Res
				return zero, ctx.Err()
			}
			return res, &BudgetExhaustedError{Attempts: attempt, Err: err}
		}
		if r.std != nil {
			res, err = r.Next.Call(ctx, r.std.Clone(req))
		} else {
			res, err = r.Next.Call(ctx, r.policy.Clone(req))
		}
	}
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}
