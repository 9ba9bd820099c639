package towerhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/ratelimit"
)

// Served is what a server pipeline's terminal service answers: the status the
// handler wrote (200 if it wrote none) and how many body bytes it wrote.
type Served struct {
	Status  int
	Written int64
}

// Server returns an empty pipeline of server stages: tower.For[*http.Request,
// Served](). Add stages with its methods, then give it to [NewHandler].
func Server() tower.Pipeline[*http.Request, Served] {
	return tower.For[*http.Request, Served]()
}

// WithGateway makes a [Handler] answer a timeout with 504 Gateway Timeout instead
// of 503: for a server that answers with what it got from elsewhere.
func WithGateway() Option { return func(c *config) { c.gateway = true } }

// WithRetryAfter sets the Retry-After a [Handler] sends with its 429 and 503
// answers (default 1s), rounded up to whole seconds; 0 sends none. d must not be
// negative.
func WithRetryAfter(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.err = fmt.Errorf("towerhttp: Retry-After must not be negative, got %v", d)
		}
		c.retryAfter = int((d + time.Second - 1) / time.Second)
	}
}

// WithEvents sends a [Handler]'s own events to f: service.EventPanicked (Stage
// "towerhttp", Err the *service.PanicError) when the handler panicked. The stages
// report their own events through their own options. f runs on the request's
// goroutine.
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }

// Handler is http.Handler middleware: every request goes through a pipeline whose
// terminal service runs the wrapped handler. See the package documentation for the
// statuses it writes.
//
// Make one with [NewHandler]; the zero value is not usable. It is safe for
// concurrent use. ServeHTTP returns only once the wrapped handler has returned (or
// never ran), so the ResponseWriter is never used after it: when a stage answers a
// call before the handler ends (a timeout behind a Buffer, say), the middleware
// waits for the handler and writes its status only if the handler wrote none. A
// request costs one allocation beyond the stages (its state, which is also the
// handler's ResponseWriter) and one more when a stage narrowed the context (the
// request the handler gets carries it).
type Handler struct {
	stack      *tower.Stack[*http.Request, Served]
	gateway    bool
	retryAfter string
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns middleware that runs every request through the stages of p
// and then h. It returns an error if h is nil (a typed nil included), if an option
// is bad, or if p fails to build. The stages' goroutines, if any, run until
// [Handler.Stop].
func NewHandler(h http.Handler, p tower.Pipeline[*http.Request, Served], opts ...Option) (*Handler, error) {
	if h == nil || isNilValue(h) {
		return nil, errors.New("towerhttp: handler is nil")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.replayable != nil {
		return nil, errors.New("towerhttp: WithReplayable is a client option")
	}
	st, err := p.Service(&serve{h: h, classify: cfg.classify, events: cfg.events})
	if err != nil {
		return nil, errors.New("towerhttp: " + err.Error())
	}
	hd := &Handler{stack: st, gateway: cfg.gateway}
	if cfg.retryAfter > 0 {
		hd.retryAfter = strconv.Itoa(cfg.retryAfter)
	}
	return hd, nil
}

// ServeHTTP runs r through the pipeline and the handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{Context: r.Context(), w: w}
	x.cond.L = &x.mu
	_, err := h.stack.Call(x, r)
	x.mu.Lock()
	for x.state == running {
		x.cond.Wait()
	}
	x.state = closed
	wrote, panicked := x.status != 0, x.panicked
	x.mu.Unlock()
	if err == nil {
		return
	}
	if errors.Is(err, http.ErrAbortHandler) || panicked && wrote {
		panic(http.ErrAbortHandler) // net/http aborts the response, silently
	}
	if wrote {
		return
	}
	code, retry := h.statusOf(err, r)
	if code == 0 {
		return
	}
	if retry && h.retryAfter != "" {
		w.Header().Set("Retry-After", h.retryAfter)
	}
	http.Error(w, http.StatusText(code), code)
}

// statusOf maps a pipeline's error to the status written, and whether it comes
// with Retry-After. 0 means nothing is written: the client has gone.
func (h *Handler) statusOf(err error, r *http.Request) (int, bool) {
	switch {
	case r.Context().Err() != nil:
		return 0, false
	case errors.Is(err, ratelimit.ErrLimited):
		return http.StatusTooManyRequests, true
	case errors.Is(err, service.ErrOverloaded), errors.Is(err, service.ErrUnavailable), errors.Is(err, service.ErrClosed):
		return http.StatusServiceUnavailable, true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		if h.gateway {
			return http.StatusGatewayTimeout, false
		}
		return http.StatusServiceUnavailable, false
	case errors.Is(err, service.ErrRejected):
		return http.StatusForbidden, false
	}
	return http.StatusInternalServerError, false
}

// Stop stops the pipeline's goroutines (see tower.Stack.Stop); afterwards every
// request is answered 503.
func (h *Handler) Stop(ctx context.Context) error { return h.stack.Stop(ctx) }
