package service

import "time"

// EventKind names a decision a stage made.
type EventKind uint8

// The decisions stages report. Each stage documents which it emits.
const (
	EventShed            EventKind = iota + 1 // a call was refused for lack of capacity
	EventRateLimited                          // a call was refused or delayed by a rate limit
	EventTimedOut                             // a call's time ran out
	EventRejected                             // a filter rejected a request
	EventRetried                              // a failed call was sent again
	EventBudgetExhausted                      // a retry or hedge was not sent: no budget left
	EventHedged                               // a second copy of a call was sent
	EventStateChanged                         // a circuit breaker changed state (see Event.State)
	EventLimitChanged                         // an adaptive limit moved (see Event.Limit)
	EventFallback                             // a fallback answered instead of the service
	EventPanicked                             // user code panicked (see Event.Err)
	EventFailed                               // a service failed and takes no more calls
)

var eventNames = [...]string{
	EventShed: "shed", EventRateLimited: "rate_limited", EventTimedOut: "timed_out",
	EventRejected: "rejected", EventRetried: "retried", EventBudgetExhausted: "budget_exhausted",
	EventHedged: "hedged", EventStateChanged: "state_changed", EventLimitChanged: "limit_changed",
	EventFallback: "fallback", EventPanicked: "panicked", EventFailed: "failed",
}

// String returns the kind's snake_case name, such as "shed".
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "unknown"
}

// Event is one decision a stage made. Only the fields that apply to its Kind are set.
type Event struct {
	Stage   string        // the stage that decided, such as "loadshed" or "retry"
	Kind    EventKind     // what it decided
	Err     error         // the error behind the decision, if any
	Attempt int           // for retries and hedges: the attempt number (the first call is 1)
	Elapsed time.Duration // time from the call's start (or its wait's start) to the decision, when the stage measured it
	Limit   int           // for EventLimitChanged: the new limit
	State   string        // for EventStateChanged: the new state ("closed", "open", "half-open")
}

// EventFunc receives the events of the stages it is given to. One EventFunc may be
// shared by every stage of a pipeline, so it must be safe for concurrent use, and it
// runs on the caller's goroutine, so it must be quick (count, log, hand off). A nil
// EventFunc is valid and discards events.
type EventFunc func(Event)

// Emit calls f with e if f is not nil.
func (f EventFunc) Emit(e Event) {
	if f != nil {
		f(e)
	}
}
