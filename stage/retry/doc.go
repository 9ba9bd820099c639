// Package retry sends failed calls again: Tower's retry, as a fused stage, with
// Finagle's retry budget.
//
// A [Retry] calls its inner service, asks its [Policy] whether the result should
// be retried and how long to wait first, and if so waits and calls again, until the
// policy is satisfied, the caller's context ends or the [Budget] runs dry:
//
//	policy, err := retry.NewPolicy[Req, Res](3, retry.WithBackoff(backoff))
//	budget, err := retry.NewBudget(10*time.Second, 10, 0.2)
//	svc, err := retry.New(inner, policy, retry.WithBudget(budget))
//
// In a pipeline, [Attempts] makes the standard policy without an error to check:
// a bad argument is reported when the layer is applied.
//
//	retry.Layer[Req, Res](retry.Attempts[Req, Res](3), retry.WithBudget(budget))
//
// # Policies
//
// A [Policy] decides per attempt from the request, the response, the error and the
// attempt number; it can retry a response as well as an error, and it returns the
// wait before the next attempt. Its Clone method makes the request each attempt
// sends, so that an attempt that consumes its request (a body reader) does not
// spoil the next one; for plain values it is the identity.
//
// The standard policy ([NewPolicy]) retries up to a number of attempts, errors only,
// those that [DefaultRetryable] accepts unless [RetryIf] says otherwise:
// everything except context.Canceled, service.ErrClosed, service.ErrRejected,
// service.ErrFailed and service.ErrUnavailable, which say that no one waits or
// that the same request would fail the same way for a while. In particular an
// open circuit breaker (breaker.ErrOpen matches service.ErrUnavailable) is not
// retried: during an outage a retry stage over a breaker sends each call once and
// spends no budget against the open circuit. Overload (service.ErrOverloaded: busy
// now) is retried. Deadline errors are retried, so that retry around a timeout
// stage retries attempts that ran out of time. Its waits come from a [Backoff]:
// exponential with full jitter, or none at all (the default; then no timer is
// used).
//
// # Budget
//
// Attempts bound the retries of one call; a [Budget] bounds the retries of all
// calls, so that a failing backend does not get three times its traffic. Every call
// deposits, every retry withdraws, deposits expire after a ttl, and a reserve lets
// a few retries a second through regardless. When a retry finds the budget empty
// the caller gets a [*BudgetExhaustedError], which matches [ErrBudgetExhausted] and
// unwraps to the last attempt's error. One budget is meant to be shared by every
// retry stage in front of one backend. [Budget] is an interface, the one that
// stage/hedge takes too: a [TpsBudget] (from [NewBudget]) may bound retries and
// hedges together, and a hedge's PercentBudget may bound retries.
//
// # Context and cancellation
//
// Every attempt runs with the caller's ctx. Once ctx has ended the stage sends no
// more attempts and returns the last attempt's result; if ctx ends during a
// backoff wait, the call returns ctx.Err() at once (the error that caused the
// retry was reported in the EventRetried event). To bound each attempt, put a
// timeout stage inside the retry; to bound the whole call, outside it or in ctx.
//
// # Readiness, TryCall, events, panics
//
// Readiness is the inner service's, forwarded. TryCall makes the first attempt
// with the inner service's TryCall; a refusal (an error matching
// service.ErrOverloaded) is returned at once, with no retry and no backoff, so a
// load shedder in front of the retry sheds at once; an accepted call then goes on
// as Call does. With [WithEvents] the stage emits EventRetried before each retry
// and EventBudgetExhausted when the budget stopped one, with the attempt number
// and the time since the call started. Plain middleware does not recover panics: a panic in the inner service or
// the policy goes up to the caller.
//
// # Cost
//
// A call that needs no retry costs the inner call plus two calls to the policy
// (Clone and Retry), a few nanoseconds, and allocates nothing; with a budget, add a
// deposit: one monotonic clock read and one atomic add. A retry without backoff
// allocates nothing either; a backoff wait allocates one timer per call, reused
// across that call's waits and stopped when it returns.
package retry
