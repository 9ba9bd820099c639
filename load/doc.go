// Package load provides load metrics for endpoints: stages that wrap an endpoint
// service and report its load (service.Loader) for a balancer to compare, lower
// meaning less loaded. They are Tower's load module, with two changes argued
// below.
//
// # Metrics
//
//   - [Constant]: a fixed cost.
//   - [Pending]: the calls in flight (one atomic counter).
//   - [PeakEWMA]: Finagle's and Tower's peak-EWMA: an estimate of the endpoint's
//     round-trip time times its calls in flight plus one.
//   - [Depth]: the depth of an actor endpoint's mailbox (anything with Len).
//
// Loads are comparable only between endpoints that use the same metric. Each
// metric embeds service.Next, so it forwards its inner service's readiness, and
// defines its own Call and TryCall; every stage above it forwards its load.
//
// # Peak-EWMA
//
// An endpoint not yet measured has the default RTT ([WithDefaultRTT]). Each
// call's RTT is a sample. A sample above the current estimate replaces it at once
// (the peak: a slow endpoint is avoided at once); otherwise the estimate moves
// toward the sample with weight 1-exp(-elapsed/decay), elapsed being the time
// since the last sample ([WithDecay]). Between samples the estimate decays toward
// zero the same way, so an endpoint that went quiet is tried again.
//
// Two things differ from Tower's. Reading the load never changes it: the decay
// since the last sample is computed on each read and not stored, so the estimate
// does not depend on how often a balancer looks (Tower's decays on read, which
// linkerd had to rewrite). And a failed call, or a fast overload answer, counts as
// slow: its sample is at least the penalty ([WithPenalty]) and the Retry-After
// hint its error carries ([RetryAfterHint]), so that an endpoint that fails fast
// does not attract traffic, as it would under plain peak-EWMA. Which results are
// failures is the classifier's call ([WithClassifier]; by default
// [ClassifyError]: any error but the caller's own cancellation, including errors
// matching service.ErrOverloaded and service.ErrUnavailable); a classifier sees
// the response too, for an HTTP 503 or 429.
//
// # Completion
//
// A call may go on after its response returned: a streamed body is read later.
// With [WithCompletion], a successful call counts as pending, and its RTT runs,
// until the caller completes its [Completion] (Tower's TrackCompletion); the
// completion function usually wraps the response so that closing it completes.
// Without it, a call completes when its response returns (CompleteOnResponse).
//
// # Discovery
//
// [PendingDiscover] and [PeakEWMADiscover] put every endpoint a discovery source
// delivers (package balance/discover) behind a metric.
//
// # Panics
//
// The metrics do not recover panics; a panicking call stops being counted and
// takes no sample, and the panic goes on to the caller (an actor recovers it).
//
// # Cost
//
// No metric starts a goroutine or allocates per call (a tracked call allocates
// its Completion). Constant and Depth add one indirect call; Pending two atomic
// adds and no clock read; PeakEWMA two clock reads and a short lock per call.
// Reading a load takes no lock; PeakEWMA's reads the clock once.
package load
