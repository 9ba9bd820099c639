package towerhttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"sync"

	"github.com/tower-go/tower/service"
)

// States of an exchange's handler run.
const (
	idle     = iota // the handler has not run
	running         // the handler is running
	finished        // the handler has returned
	closed          // ServeHTTP is returning: the handler must not start
)

// exchangeKey is the context key under which a request's exchange is found.
type exchangeKey struct{}

// exchange is the state of one request on the server side. It is the context the
// pipeline runs under (the request's, with the exchange as a value) and the
// ResponseWriter the handler writes to. mu guards state and, once the handler is
// done, the fields it wrote; the handler's own writes need no lock (only its
// goroutine makes them, and ServeHTTP reads them after it finished).
type exchange struct {
	context.Context
	w        http.ResponseWriter
	status   int
	written  int64
	panicked bool

	mu    sync.Mutex
	cond  sync.Cond
	state int
}

// Value returns the exchange for exchangeKey, and the request's values otherwise.
func (x *exchange) Value(key any) any {
	if key == (exchangeKey{}) {
		return x
	}
	return x.Context.Value(key)
}

// Header returns the response's header map.
func (x *exchange) Header() http.Header { return x.w.Header() }

// WriteHeader writes the status (once; informational statuses pass through).
func (x *exchange) WriteHeader(code int) {
	if x.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		x.status = code
	}
	x.w.WriteHeader(code)
}

// Write writes body bytes, with status 200 if none was written.
func (x *exchange) Write(p []byte) (int, error) {
	if x.status == 0 {
		x.status = http.StatusOK
	}
	n, err := x.w.Write(p)
	x.written += int64(n)
	return n, err
}

// ReadFrom copies r into the body through the underlying writer's ReadFrom when
// it has one (net/http's uses sendfile).
func (x *exchange) ReadFrom(r io.Reader) (int64, error) {
	if x.status == 0 {
		x.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := x.w.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(x.w, r)
	}
	x.written += n
	return n, err
}

// Flush flushes the underlying writer, if it can.
func (x *exchange) Flush() {
	if x.status == 0 {
		x.status = http.StatusOK
	}
	if f, ok := x.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack hands the connection over, if the underlying writer can.
func (x *exchange) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if x.status == 0 {
		x.status = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(x.w).Hijack()
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (x *exchange) Unwrap() http.ResponseWriter { return x.w }

// serve is the terminal service of a Handler's pipeline: it runs the handler once.
type serve struct {
	h        http.Handler
	classify func(status int) bool
	events   service.EventFunc
}

// Call runs the handler for r with ctx as its context.
func (s *serve) Call(ctx context.Context, r *http.Request) (res Served, err error) {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	if x == nil {
		return Served{}, ErrHandlerRan // not under a Handler: no writer to answer with
	}
	x.mu.Lock()
	if x.state != idle {
		x.mu.Unlock()
		return Served{}, ErrHandlerRan
	}
	x.state = running
	x.mu.Unlock()
	defer func() {
		if v := recover(); v != nil {
			perr := service.NewPanicError(v)
			x.panicked = true
			if v != http.ErrAbortHandler {
				s.events.Emit(service.Event{Stage: "towerhttp", Kind: service.EventPanicked, Err: perr})
			}
			res, err = Served{Status: x.status, Written: x.written}, perr
		}
		x.mu.Lock()
		x.state = finished
		x.cond.Broadcast()
		x.mu.Unlock()
	}()
	if ctx != x {
		r = r.WithContext(ctx)
	}
	s.h.ServeHTTP(x, r)
	status := x.status
	if status == 0 {
		if err := ctx.Err(); err != nil {
			// The handler gave up on its context and wrote nothing: the
			// middleware answers for the stage that ended it (a timeout).
			return Served{}, context.Cause(ctx)
		}
		status = http.StatusOK
	}
	if s.classify(status) {
		return Served{Status: status, Written: x.written}, &StatusError{StatusCode: status}
	}
	return Served{Status: status, Written: x.written}, nil
}
