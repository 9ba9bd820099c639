package towerhttp

import (
	"net/http"
	"strconv"

	"github.com/tower-go/tower/service"
)

// Errors of the package.
var (
	// ErrStatus matches every [*StatusError]: a response the classifier counts as a
	// failure (by default a 5xx).
	ErrStatus = service.NewError("towerhttp: failure status")
	// ErrNotReplayable is the error of an attempt the transport refused to send
	// because the request may be sent only once: it is not idempotent (see
	// [Idempotent]), or it has a body and no GetBody. It matches service.ErrRejected,
	// so retry's default policy does not retry it; the caller of the RoundTripper
	// gets the outcome of the attempt that was sent instead.
	ErrNotReplayable = service.NewError("towerhttp: request cannot be sent again (not idempotent, or a body without GetBody)", service.ErrRejected)
	// ErrHandlerRan is the error of a second call of the handler for one request (a
	// retry or hedge stage in a server pipeline): a handler answers a request once.
	// It matches service.ErrRejected.
	ErrHandlerRan = service.NewError("towerhttp: the handler already ran for this request", service.ErrRejected)
)

// StatusError is the error a response travels as through the stages when the
// classifier counts its status as a failure (see [WithClassifier]). On the client
// side it carries the response, whose body is unread and still open; the
// [Transport] unwraps it at the RoundTripper boundary and returns the response to
// the caller with a nil error. On the server side Response is nil: the handler has
// already written the status.
//
// It matches [ErrStatus] under errors.Is.
type StatusError struct {
	StatusCode int
	Response   *http.Response
}

// Error returns the error message, such as "towerhttp: status 503 Service Unavailable".
func (e *StatusError) Error() string {
	return "towerhttp: status " + strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
}

// Is reports whether target is [ErrStatus].
func (e *StatusError) Is(target error) bool { return target == ErrStatus }

// DefaultClassifier is the classifier of [NewTransport] and [NewHandler] unless
// [WithClassifier] says otherwise: every 5xx status is a failure.
func DefaultClassifier(status int) bool { return status >= 500 && status <= 599 }

// Idempotent reports whether req may be sent more than once with the same effect
// as once: its method is GET (or empty), HEAD, OPTIONS, TRACE, PUT or DELETE, or it
// carries an Idempotency-Key (or X-Idempotency-Key) header, as net/http's own
// transport decides when it retries on a dead connection.
func Idempotent(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	if _, ok := req.Header["Idempotency-Key"]; ok {
		return true
	}
	_, ok := req.Header["X-Idempotency-Key"]
	return ok
}

// Replayable reports whether the transport may send req more than once by
// default: it is [Idempotent] and its body, if it has one, can be made afresh with
// GetBody (http.NewRequest sets GetBody for bytes.Buffer, bytes.Reader and
// strings.Reader bodies).
func Replayable(req *http.Request) bool {
	return Idempotent(req) && (!hasBody(req) || req.GetBody != nil)
}

// hasBody reports whether req has a body to send.
func hasBody(req *http.Request) bool { return req.Body != nil && req.Body != http.NoBody }
