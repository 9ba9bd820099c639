package retry

import (
	"context"
	"errors"
	"time"

	"github.com/tower-go/tower/service"
)

// Retry is a fused stage that sends a failed call again as its [Policy] decides,
// within an optional shared [Budget]. See the package documentation.
//
// Make one with [New] or [Layer]; the zero value is not usable. A Retry is safe for
// concurrent use if its policy is. Call blocks while attempts run and during
// backoff waits, bounded by ctx. A call that needs no retry costs two calls to the
// policy and nothing else (plus a Deposit with a budget); it allocates nothing.
// Readiness is the inner service's.
type Retry[Req, Res any] struct {
	service.Forward
	inner  service.Service[Req, Res]
	policy Policy[Req, Res]
	std    *StandardPolicy[Req, Res] // policy, when it is the standard one: called directly
	cfg    config
}

var (
	_ service.Service[int, int] = (*Retry[int, int])(nil)
	_ service.Readier           = (*Retry[int, int])(nil)
)

// New returns a retry stage over inner that follows policy (see [NewPolicy] for the
// standard one).
func New[Req, Res any](inner service.Service[Req, Res], policy Policy[Req, Res], opts ...Option) (*Retry[Req, Res], error) {
	if inner == nil {
		return nil, errors.New("retry: service is nil")
	}
	if policy == nil {
		return nil, errors.New("retry: policy is nil")
	}
	r := &Retry[Req, Res]{Forward: service.ForwardReady(inner), inner: inner, policy: policy}
	r.std, _ = policy.(*StandardPolicy[Req, Res])
	for _, o := range opts {
		if o != nil {
			o(&r.cfg)
		}
	}
	if r.cfg.err != nil {
		return nil, r.cfg.err
	}
	return r, nil
}

// Layer returns a layer that wraps a service in a retry stage; see [New].
func Layer[Req, Res any](policy Policy[Req, Res], opts ...Option) service.Layer[Req, Res] {
	return func(inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, policy, opts...))
	}
}

// Call calls the inner service, and again while the policy asks for it, the
// caller's ctx lasts and the budget allows. It returns the last attempt's result,
// a [*BudgetExhaustedError] carrying it when the budget stopped a retry, or
// ctx.Err() when ctx ended during a backoff wait.
func (r *Retry[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if r.cfg.budget != nil {
		r.cfg.budget.Deposit()
	}
	var timer *time.Timer
	for attempt := 1; ; attempt++ {
		var res Res
		var err error
		var wait time.Duration
		var again bool
		if r.std != nil {
			res, err = r.inner.Call(ctx, r.std.Clone(req))
			wait, again = r.std.Retry(ctx, req, res, err, attempt)
		} else {
			res, err = r.inner.Call(ctx, r.policy.Clone(req))
			wait, again = r.policy.Retry(ctx, req, res, err, attempt)
		}
		if !again || ctx.Err() != nil {
			stopTimer(timer)
			return res, err
		}
		if r.cfg.budget != nil && !r.cfg.budget.Withdraw() {
			stopTimer(timer)
			r.cfg.events.Emit(service.Event{Stage: "retry", Kind: service.EventBudgetExhausted, Err: err, Attempt: attempt + 1})
			return res, &BudgetExhaustedError{Attempts: attempt, Err: err}
		}
		r.cfg.events.Emit(service.Event{Stage: "retry", Kind: service.EventRetried, Err: err, Attempt: attempt + 1})
		if wait <= 0 {
			continue
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		} else {
			timer.Reset(wait)
		}
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			var zero Res
			return zero, ctx.Err()
		}
	}
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}
