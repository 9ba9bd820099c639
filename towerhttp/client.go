package towerhttp

import (
	"context"
	"errors"
	"net/http"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
)

// Client returns an empty pipeline of client stages over HTTP requests:
// tower.For[*http.Request, *http.Response](). Add stages with its methods, then
// give it to [NewTransport].
func Client() tower.Pipeline[*http.Request, *http.Response] {
	return tower.For[*http.Request, *http.Response]()
}

// Transport is an [http.RoundTripper] that sends every request through a pipeline
// of stages whose terminal service is a base RoundTripper. See the package
// documentation for what it guarantees about bodies, contexts and statuses.
//
// Make one with [NewTransport]; the zero value is not usable. A Transport is safe
// for concurrent use. RoundTrip blocks as the pipeline and the base RoundTripper
// do; beyond them, a call costs one allocation (its state), and an attempt under a
// context a stage narrowed (a timeout, a hedge) about five more (its own context,
// linked to the stage's up to the headers, and a body that releases it).
type Transport struct {
	stack       *tower.Stack[*http.Request, *http.Response]
	base        http.RoundTripper
	replayable  func(*http.Request) bool
	defaultPlay bool
}

var _ http.RoundTripper = (*Transport)(nil)

// Option configures a [Transport] or a [Handler]. A nil Option is ignored.
type Option func(*config)

type config struct {
	classify   func(status int) bool
	replayable func(*http.Request) bool
	// server side
	gateway    bool
	retryAfter int // seconds; 0: no header
	events     service.EventFunc
	err        error
}

// WithClassifier sets which statuses count as failures for the stages (a breaker,
// a retry policy, an observer, load metrics): f reports true for a failure. The
// default is [DefaultClassifier] (every 5xx). On the client side a failure travels
// as a [*StatusError] and the caller still gets the response; on the server side the
// handler's status is written as it is and the stages see the failure. f must not
// be nil.
func WithClassifier(f func(status int) bool) Option {
	return func(c *config) {
		if f == nil {
			c.err = errors.New("towerhttp: classifier is nil")
		}
		c.classify = f
	}
}

// WithReplayable sets which requests a [Transport] may send more than once (retry
// and hedge attempts). The default is [Replayable]: idempotent, and a body only
// with GetBody. f must not be nil; a request with a body and no GetBody is never
// sent twice, whatever f says.
func WithReplayable(f func(*http.Request) bool) Option {
	return func(c *config) {
		if f == nil {
			c.err = errors.New("towerhttp: replayable function is nil")
		}
		c.replayable = f
	}
}

func newConfig(opts []Option) (config, error) {
	c := config{classify: DefaultClassifier, retryAfter: 1}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c, c.err
}

// NewTransport returns a RoundTripper that sends every request through the stages
// of p and then through base (http.DefaultTransport, say). It returns an error if
// base is nil (a typed nil included), if an option is bad, or if p fails to build.
// The stages' goroutines, if any (a Buffer), run until [Transport.Stop].
func NewTransport(base http.RoundTripper, p tower.Pipeline[*http.Request, *http.Response], opts ...Option) (*Transport, error) {
	if base == nil || isNilValue(base) {
		return nil, errors.New("towerhttp: base RoundTripper is nil (use http.DefaultTransport)")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.gateway || cfg.events != nil || cfg.retryAfter != 1 {
		return nil, errors.New("towerhttp: WithGateway, WithRetryAfter and WithEvents are server options")
	}
	st, err := p.Service(&roundTrip{base: base, classify: cfg.classify})
	if err != nil {
		return nil, errors.New("towerhttp: " + err.Error())
	}
	t := &Transport{stack: st, base: base, replayable: cfg.replayable}
	return t, nil
}

// RoundTrip sends req through the pipeline. It returns the response of the attempt
// that answered — a failure status included, with a nil error — or the error of the
// call (a refusal, a timeout, a transport error). Every other response an attempt
// got is drained and closed; if no attempt was sent, req's body is closed.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := &call{Context: req.Context(), req: req}
	if t.replayable != nil {
		c.replayable = t.replayable(req) && (!hasBody(req) || req.GetBody != nil)
	} else {
		c.replayable = Replayable(req)
	}
	resp, err := t.stack.Call(c, req)
	if err != nil {
		resp = nil
		if errors.Is(err, ErrNotReplayable) {
			c.mu.Lock()
			if c.anyReply {
				resp, err = c.lastRes, c.lastErr
			}
			c.mu.Unlock()
		}
		var se *StatusError
		if err != nil && errors.As(err, &se) && se.Response != nil {
			resp, err = se.Response, nil
		}
	}
	c.finish(resp)
	if c.attempts.Load() == 0 && req.Body != nil {
		_ = req.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, errors.New("towerhttp: the pipeline returned neither a response nor an error")
	}
	return resp, nil
}

// Stop stops the pipeline's goroutines (see tower.Stack.Stop); afterwards every
// RoundTrip fails with an error matching service.ErrClosed. The base RoundTripper
// is not stopped.
func (t *Transport) Stop(ctx context.Context) error { return t.stack.Stop(ctx) }

// CloseIdleConnections closes the base RoundTripper's idle connections, if it has
// such a method (http.Client.CloseIdleConnections calls it).
func (t *Transport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}
