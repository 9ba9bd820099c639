// Package fallback answers for a failing service: when the inner service fails
// with an error a test accepts, a function computes the caller's answer instead (a
// cached value, a default, a call to a secondary service).
//
//	svc, err := fallback.New(inner, func(ctx context.Context, req Req, err error) (Res, error) {
//		return cached(req), nil
//	}, fallback.When(func(err error) bool { return errors.Is(err, timeout.ErrElapsed) }))
//
// # Which failures
//
// The function answers when the inner service returned a non-nil error, the test
// accepts it ([Default]: every error except context.Canceled; set another with
// [When]), and the caller's ctx has not ended: a caller that stopped waiting gets
// the inner error, normally ctx.Err(), as every stage returns it. An inner timeout
// stage's error (timeout.ErrElapsed) while the caller's ctx is live is therefore
// answered by default, which is the usual pairing. The function gets the inner
// error and may return an error of its own; it is returned as it is.
//
// # Readiness, events, panics, cost
//
// Readiness is the inner service's, forwarded, except that an inner service whose
// readiness failed for good (any error but an overload or a context error, if the
// test accepts it) reads as ready: the function answers for it, so a buffer in front of the fallback does
// not fail with the inner service; so does one unavailable for a while (an open
// circuit breaker), whose calls fail at once for the function to answer. TryCall
// goes through the inner service's non-blocking call; a refusal (an error matching
// service.ErrOverloaded) is returned at once, not answered, since the request was
// not accepted, so a load shedder in front sheds. An accepted call's failure is
// answered as in Call. With [WithEvents] the stage emits
// EventFallback, with the inner error, whenever the function answers. Plain
// middleware does not recover panics: a panic in the inner service or the function
// goes up to the caller. A successful call costs a comparison and allocates
// nothing.
package fallback
