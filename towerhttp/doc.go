// Package towerhttp meets net/http where Go programs live: an [http.RoundTripper]
// built from a pipeline of tower stages over *http.Request → *http.Response (the
// client side), and [http.Handler] middleware built from a pipeline over the
// requests a server takes (the server side). It uses only the standard library and
// this module's own packages.
//
// # Client
//
// [NewTransport] turns a pipeline into a RoundTripper; [Client] starts such a
// pipeline with the type arguments already written:
//
//	p := towerhttp.Client().
//		Timeout(2 * time.Second).          // the whole call, retries included
//		Layer(towerhttp.Retry(3)).         // transport errors, 429/502/503/504, Retry-After
//		ConcurrencyLimit(64)
//	rt, err := towerhttp.NewTransport(http.DefaultTransport, p)
//	client := &http.Client{Transport: rt}
//
// The transport does for every stage what HTTP needs, so that no stage (and no
// user) writes glue:
//
//   - Statuses are classified. A response the classifier calls a failure (by
//     default every 5xx) travels through the stages as a [*StatusError] that carries
//     it, so a breaker, a retry policy, failure accrual and load metrics count it as a
//     failure; at the RoundTripper boundary the error is unwrapped again and the
//     caller gets the response, as from a plain http.Client.
//   - Every attempt after the first (a retry, a hedge) sends a fresh body from
//     [http.Request.GetBody]; no body is read into memory to be replayed. A request
//     that may not be sent twice — not idempotent (see [Idempotent]) or with a body
//     and no GetBody — gets one attempt only, whatever the stages ask: a second
//     attempt fails with [ErrNotReplayable] and the caller gets the first attempt's
//     outcome.
//   - An attempt's context ends when the stage that started it lets it go only up
//     to the response headers. After that the body is read under the caller's own
//     request context, and the attempt's resources are released when the caller
//     closes the body: a Timeout or Hedge stage returning does not truncate the body
//     the caller is reading (failsafe-go issue 123, resty's truncated bodies). A
//     Timeout stage therefore bounds each call up to its response headers, as
//     http.Transport's ResponseHeaderTimeout does; bound the body read with the
//     request's context or http.Client.Timeout.
//   - Responses that lose — a hedge's slower attempt, a response a retry replaced, a
//     response a stage dropped — are drained (when they are small and of known
//     length, so that the connection is reused) and closed, never leaked. A request
//     refused before any attempt (rate limited, shed, breaker open) has its body
//     closed, as the RoundTripper contract says.
//
// [Retry] is the HTTP retry stage: idempotent requests only, transport errors and
// the statuses 429, 502, 503 and 504 by default, Retry-After (seconds or an
// HTTP-date, capped) honoured by the backoff, no retry whose wait would outlast the
// call's deadline. [Hedge] is the hedge stage for idempotent requests. Any other
// stage of the module works as it is (tower.Pipeline's methods).
//
// # Balanced client
//
// [NewBalanced] is a RoundTripper that spreads requests over the hosts a discovery
// source finds (package balance/discover: a static list, DNS A/AAAA or SRV), by the
// power of two choices over each host's peak-EWMA load; a 5xx or 429 answer counts
// as slow for the host that gave it, and a call counts on its host until its body is
// closed. Use it as the base of [NewTransport] to put stages in front of it: each
// retry or hedge attempt then picks its own host.
//
// # Server
//
// [NewHandler] runs every request through a pipeline whose terminal service is the
// handler it wraps; [Server] starts such a pipeline. The handler answers as usual
// through its ResponseWriter; when the pipeline refuses or fails a request and the
// handler has written no status, the middleware writes one: 429 for a rate limit,
// 503 with Retry-After for overload, shedding, an open breaker or a stopped
// pipeline, 503 for a timeout (504 with [WithGateway]), 500 for a panic (with a
// service.EventPanicked event) or any other error. A handler's 5xx (by the
// classifier) is a failure for the stages too, so a server-side breaker or observer
// counts it.
//
// # Panics
//
// The client side does not recover: a panic in a stage or in the base
// RoundTripper unwinds to the caller, as with any RoundTripper. The server side
// recovers a panic of the handler, turns it into a *service.PanicError for the
// stages, reports it as an event and answers 500 when nothing was written yet; a
// handler that panicked after writing its status has its response aborted
// (http.ErrAbortHandler) so that the client does not take a truncated response for
// a complete one.
package towerhttp
