package adaptive

import "time"

// Sample is what one call told the limiter, handed to [Algorithm.Update].
type Sample struct {
	// RTT is the inner service's latency for the call: from the moment it got its
	// permit to its answer (time spent waiting for a permit is not included).
	RTT time.Duration
	// InFlight is the number of calls in flight when this call got its permit,
	// itself included.
	InFlight int
	// Limit is the limit in force now, as the limiter last set it (within its
	// bounds).
	Limit int
	// Dropped reports that the call ended in a way that signals overload: by
	// default an error matching service.ErrOverloaded or context.DeadlineExceeded
	// (see [WithIsDrop]).
	Dropped bool
}

// Algorithm computes a concurrency limit from samples. The limiter calls Update for
// every call that ended with a success or a drop, and sets its limit to the result,
// clamped to its bounds ([WithMinLimit], [WithMaxLimit]); the next sample carries
// the clamped limit in Sample.Limit.
//
// The limiter serialises calls to Update (it holds its lock), so an Algorithm need
// not be safe for concurrent use; but it keeps per-limiter state, so one Algorithm
// value must serve one limiter only ([WithAlgorithm] takes a constructor for this
// reason). Update runs on the caller's goroutine once per call: keep it cheap.
type Algorithm interface {
	Update(s Sample) (limit int)
}
