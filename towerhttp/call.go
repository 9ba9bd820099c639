package towerhttp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// drainLimit is the largest body a discarded response is read to the end for, so
// that its connection goes back to the pool; a longer one, or one of unknown
// length, is closed unread (reading it could take as long as the server likes).
const drainLimit = 4 << 10

// callKey is the context key under which a call's state is found.
type callKey struct{}

// call is the state of one RoundTrip, shared by every attempt it makes: it is the
// context the pipeline runs under (the caller's, with this state as a value), so
// that a stage's derived contexts still lead to it. mu guards the fields below it;
// attempts are counted atomically.
type call struct {
	context.Context // the caller's request context
	req             *http.Request
	replayable      bool
	attempts        atomic.Int32

	mu       sync.Mutex
	sealed   bool             // the RoundTrip has returned: close what comes late
	resps    []*http.Response // responses of attempts, not yet closed by us
	discard  []*http.Response // responses a retry policy replaced
	buf      [2]*http.Response
	lastRes  *http.Response // the last attempt's outcome, for a refused replay
	lastErr  error
	anyReply bool
}

// Value returns the call itself for callKey, and the caller's values otherwise.
func (c *call) Value(key any) any {
	if key == (callKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// callFrom returns the call state ctx leads to, or nil outside a [Transport].
func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// record keeps resp as one this call must close unless it is the answer.
func (c *call) record(resp *http.Response, err error) (late bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sealed {
		return true
	}
	c.lastRes, c.lastErr, c.anyReply = resp, err, true
	if resp != nil {
		if c.resps == nil {
			c.resps = c.buf[:0]
		}
		c.resps = append(c.resps, resp)
	}
	return false
}

// markDiscarded notes that a retry policy replaces resp with a new attempt: the
// next attempt closes it before it is sent.
func (c *call) markDiscarded(resp *http.Response) {
	c.mu.Lock()
	c.discard = append(c.discard, resp)
	c.mu.Unlock()
}

// closeDiscarded closes the responses retry policies replaced.
func (c *call) closeDiscarded() {
	c.mu.Lock()
	d := c.discard
	c.discard = nil
	for _, r := range d {
		c.forget(r)
	}
	c.mu.Unlock()
	for _, r := range d {
		discard(r)
	}
}

// forget removes resp from the responses to close; c.mu is held.
func (c *call) forget(resp *http.Response) {
	for i, r := range c.resps {
		if r == resp {
			c.resps = append(c.resps[:i], c.resps[i+1:]...)
			return
		}
	}
}

// finish seals the call and closes every response it recorded except answer.
func (c *call) finish(answer *http.Response) {
	c.mu.Lock()
	c.sealed = true
	rs := c.resps
	c.resps, c.discard = nil, nil
	c.mu.Unlock()
	for _, r := range rs {
		if r != answer {
			discard(r)
		}
	}
}

// discard drains a small body of known length and closes it.
func discard(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	if resp.ContentLength >= 0 && resp.ContentLength <= drainLimit {
		_, _ = io.CopyN(io.Discard, resp.Body, drainLimit)
	}
	_ = resp.Body.Close()
}

// roundTrip is the terminal service of a Transport's pipeline: one attempt
// through the base RoundTripper.
type roundTrip struct {
	base     http.RoundTripper
	classify func(status int) bool
}

// Call sends one attempt. See the package documentation for its body and context
// rules.
func (t *roundTrip) Call(ctx context.Context, req *http.Request) (*http.Response, error) {
	c := callFrom(ctx)
	if c == nil { // not under a Transport (a stage replaced the context): one plain attempt
		return t.send(ctx, req.Context(), req, req.Body, nil)
	}
	body := req.Body
	if n := c.attempts.Add(1); n > 1 {
		if !c.replayable {
			return nil, ErrNotReplayable
		}
		if hasBody(req) {
			var err error
			if body, err = req.GetBody(); err != nil {
				return nil, fmt.Errorf("towerhttp: GetBody: %w", err)
			}
		}
		c.closeDiscarded()
	}
	return t.send(ctx, c.Context, req, body, c)
}

// send makes the attempt under ctx (the stages' context) up to the response
// headers, and under caller (the request's own context) after them.
func (t *roundTrip) send(ctx, caller context.Context, req *http.Request, body io.ReadCloser, c *call) (*http.Response, error) {
	actx := caller
	var cancel context.CancelFunc
	var stop func() bool
	if ctx.Done() != caller.Done() { // a stage narrowed the context: link it up to the headers
		actx, cancel = context.WithCancel(caller)
		stop = context.AfterFunc(ctx, cancel)
	}
	r := req
	if actx != req.Context() || body != req.Body {
		r = req.WithContext(actx)
		r.Body = body
	}
	resp, err := t.base.RoundTrip(r)
	if stop != nil && !stop() && err == nil {
		// The stage's context ended as the headers came: the body is cancelled.
		_ = resp.Body.Close()
		resp, err = nil, context.Cause(ctx)
	}
	if err != nil {
		if cancel != nil {
			cancel()
		}
		if c != nil {
			c.record(nil, err)
		}
		return nil, err
	}
	if cancel != nil {
		resp.Body = wrapBody(resp.Body, cancel)
	}
	if c != nil && c.record(resp, nil) {
		discard(resp) // the RoundTrip already returned: no one will read it
		return nil, context.Canceled
	}
	if t.classify(resp.StatusCode) {
		return nil, &StatusError{StatusCode: resp.StatusCode, Response: resp}
	}
	return resp, nil
}

// body is a response body whose Close also releases its attempt's context.
type body struct {
	io.ReadCloser
	cancel context.CancelFunc
}

// Close closes the body and ends the attempt's context.
func (b *body) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// rwBody is a body that is also writable: a 101 Switching Protocols response's
// connection.
type rwBody struct {
	body
	w io.Writer
}

// Write writes to the upgraded connection.
func (b *rwBody) Write(p []byte) (int, error) { return b.w.Write(p) }

func wrapBody(rc io.ReadCloser, cancel context.CancelFunc) io.ReadCloser {
	if rwc, ok := rc.(io.ReadWriteCloser); ok {
		return &rwBody{body: body{rc, cancel}, w: rwc}
	}
	return &body{rc, cancel}
}
