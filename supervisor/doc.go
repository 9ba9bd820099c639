// Package supervisor restarts degraded services: Erlang/OTP supervisors for
// Tower-style services, with the address kept across restarts.
//
// A [Supervisor] owns children. A service child is added with [Add] from a [Spec]:
// a factory that makes the child's service (Tower's MakeService / reconnect: dial,
// open, build), a restart type, a drain deadline and a name. The child is one actor
// (from actor.Spawn) whose service is an indirection, owned by the supervisor, to
// the current instance the factory made: the actor, its mailbox and its [Ref]
// outlive instances. A supervisor is itself a child of its parent
// ([Supervisor.AddSupervisor]), so supervisors form trees.
//
// # What makes a child degraded
//
// Each of these ends the current instance and asks the supervisor for a restart
// (through the factory):
//
//   - a panic in the instance's Call (or runtime.Goexit);
//   - the factory returning an error when a restart calls it;
//   - the instance's readiness failing permanently: an error from its Ready that
//     service.IsTransient does not accept (an error matching service.ErrClosed
//     counts as the instance ending normally, which matters for [Transient]);
//   - failure accrual ([Accrual]): N consecutive failed calls, or a failure rate
//     over a window once a minimum number of calls was seen;
//   - a health check ([Spec.Health]) failing, run at an interval on a goroutine
//     of the supervisor's, never on one that serves calls.
//
// # Nothing accepted is lost across a restart
//
// The call in flight when its instance panicked gets a *service.FailedError (it
// matches service.ErrFailed) that wraps the *service.PanicError. Calls queued in
// the mailbox, and calls that arrive while the child restarts, wait for the new
// instance, bounded by their ctx. A call that found its instance's readiness failed
// was never handed to the instance: it waits for the next one too. While the child
// restarts, [Ref.Ready] and [Ref.TryReady] return [ErrRestarting] (matching
// service.ErrUnavailable), so a balancer routes around it, and [Ref.TryCall] fails
// at once with it. Once the root of a tree gives up (its restart intensity is
// exceeded), every queued call is answered with an [*EscalationError] (matching
// [ErrGaveUp] and service.ErrClosed) and later calls fail fast with it. A call after
// [Supervisor.Stop] or [Supervisor.Remove] fails with an error matching
// service.ErrClosed.
//
// # Semantics (Erlang/OTP)
//
//   - Restart types: [Permanent] (the zero value) is always restarted, [Transient]
//     only after a failure (not after its instance ended normally), [Temporary]
//     never: its failure removes it and its Ref fails every later call.
//   - Strategies: [OneForOne] (the zero value) restarts the failed child;
//     [OneForAll] stops every other child in reverse start order and restarts
//     them all in start order; [RestForOne] does so for the failed child and the
//     children started after it.
//   - Restart intensity: at most Config.Intensity restarts in Config.Period
//     (default 10 in 30 s). The next restart request makes the supervisor stop its
//     children's instances and escalate to its parent, which treats it as a failed
//     child (its own strategy, intensity and backoff). A restarted supervisor
//     starts every child again with a fresh history. The root gives up: every
//     child is terminated with the escalation error, [Supervisor.Done] closes and
//     [Supervisor.Err] returns it.
//   - Backoff (beyond OTP, after Akka's BackoffSupervisor): a restart waits a
//     per-child exponential delay with jitter ([Backoff]), on the supervisor's
//     goroutine, never on one that serves calls. The delay grows with consecutive
//     failures and resets once the child's instance has stayed up for
//     Backoff.Reset. Backoff.None restarts at once, as OTP does.
//   - Adding a child runs its factory once; if that fails, Add returns the error and
//     the child is not added (OTP's start_child). Children are added and removed at
//     run time; a [Template] makes many children of one spec (simple_one_for_one).
//   - Names are unique within a supervisor; [Lookup] finds a child by its path
//     ("db/conn-1").
//   - Stop stops children in reverse start order, each within its drain deadline
//     (Spec.Shutdown): its actor serves what is queued, then its instance is
//     stopped if it is a service.Stopper. Stop returns when every goroutine the
//     supervisor owns has ended, or when its ctx ends.
//
// # Events
//
// Events go through the project's one hook, service.EventFunc ([Config.Events]),
// and to a *slog.Logger when [Config.Logger] is set (silent by default). Stage is
// the child's path ("root/db/conn-1"). A failure is an EventFailed whose Err is the
// cause (a *service.PanicError, with the stack, for a panic; a [*ChildError]
// naming the reason otherwise). The other events are service.EventStateChanged
// with State one of [StateStarted], [StateRestarted] (Attempt: the child's restart
// count), [StateBackoff] (Elapsed: the delay before the restart),
// [StateEscalated] (Err: the [*EscalationError]) and [StateStopped]. Hooks run on
// the supervisor's goroutines; a panic in one is recovered and dropped.
//
// # Panics and cost
//
// The supervisor recovers panics in the instance's Call and readiness, and in the
// factory and the health check, and turns them into failures. A call through a Ref
// costs one atomic load over an actor call, plus one deferred recover; failure
// accrual by rate reads the clock once per call (only when it is configured).
// Every goroutine belongs to the supervisor: one loop per supervisor, one per
// restart in progress, one per health-checked child, and each child's actor.
package supervisor
