// Package loadshed provides Tower's load shedding: a stage that fails a call at
// once when the service behind it has no capacity, instead of letting the call
// wait.
//
// # Semantics
//
// A [Shedder] asks its inner service to take each call without waiting, through
// its embedded service.Next. If the inner service implements service.TryCaller,
// that is one atomic step: TryCall
// either accepts the call (and the stage then waits for its answer, as Call does)
// or refuses it at once with an error matching service.ErrOverloaded. Otherwise the
// stage checks the inner service's TryReady and then calls it; that check is
// advisory, and a call may still wait if other goroutines took the capacity in
// between. Put the stage directly over a stage that implements TryCall — a
// concurrency limit (package limit), an actor or a buffer — to shed exactly at the
// bound: over limit.New(svc, 32), a call is shed exactly when 32 calls are in flight.
// Every built-in stage, and every user stage written with service.Stage, passes
// the non-blocking call on, so a shedder over a filter, a timeout or a user's
// stage over a limit still sheds at once.
//
// A refused call fails with an error that matches [ErrShed] and
// service.ErrOverloaded and wraps the inner refusal (limit.ErrLimited,
// mailbox.ErrFull, ratelimit.ErrLimited, ...), and the stage emits
// service.EventShed. Any other error, including a permanent readiness error such
// as a closed or failed service, is returned unchanged.
//
// # Events
//
// One decision, one event. A refusal made on the TryCall path is a refusal on
// behalf of the stage that asked for the non-blocking call: the shedder reports it
// (EventShed, whose Err wraps the refusal, so errors.Is(ev.Err,
// ratelimit.ErrLimited) tells a metrics hook that it was a rate limit), and the
// refusing stage (ratelimit, limit, adaptive) emits nothing for it. A decision a
// stage makes in its own Call (a rate limit's wait, a filter's rejection) is that
// stage's to report, and the shedder adds nothing. For the same reason the
// shedder's own TryCall, used by a shedder further out, sheds without an event,
// and nested shedders wrap a refusal once.
//
// # Priorities
//
// With [WithPriority] the stage sheds only calls below a priority
// (service.PriorityOf): those of that priority and above are made with the inner
// service's Call and wait for capacity, bounded by their ctx. Over a concurrency
// limit with limit.WithPriority and limit.WithReserve, the lowest priorities are
// shed first: a low call is refused while a higher one waits for a permit, and
// while fewer than the reserve are free (then its error also matches
// limit.ErrReserved, the sentinel of a refusal for priority, and so does the Err
// of its service.EventShed; nothing waited, so Elapsed is zero). A high call that
// waited past its deadline is not shed by this stage: the limit reports it
// (service.EventTimedOut, with the time queued).
//
// # Readiness
//
// The stage is always ready: it never waits for capacity, because what it cannot
// place it sheds. Ready and TryReady return nil at once, except that Ready returns
// ctx.Err() for an ended ctx and both report an inner service's permanent readiness
// error (one not matching service.ErrOverloaded). A pipeline whose outer stage is a
// Shedder is thus ready whenever its service works, and overload shows up as shed
// calls rather than as waiting.
//
// # Cancellation
//
// The stage adds no waiting of its own; an accepted call is bounded by ctx in the
// inner service.
//
// # Panics
//
// Plain middleware does not recover panics (actors do, see package actor); a panic
// in the inner service propagates through Call.
//
// # Cost
//
// An accepted call costs one interface call more than calling the inner service's
// TryCall directly and allocates nothing; a shed call allocates its error (one
// small object wrapping the inner refusal). The stage starts no goroutine.
package loadshed
