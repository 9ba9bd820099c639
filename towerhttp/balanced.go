package towerhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/tower-go/tower/balance"
	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

// Balanced is an http.RoundTripper that spreads requests over the hosts a
// discovery source finds (a static list, DNS A/AAAA or SRV records), picking one
// per request with package balance (the power of two choices by default) over
// each host's peak-EWMA load (package load).
//
// A request keeps its URL's scheme, path and query; its URL's host becomes the
// picked endpoint's address, and its Host header stays what the caller asked
// for (req.Host, or else the URL's host), so that virtual hosting works. A
// response with a 5xx or 429 status counts as a slow answer for the host's load,
// as a failed call does, so that a host that fails fast does not attract
// traffic; the caller still gets the response. A call counts as pending on its
// host until the caller closes the response body.
//
// Make one with [NewBalanced]; the zero value is not usable. Put a pipeline in
// front of it by using it as the base of [NewTransport] (retries, timeouts and
// hedges then pick a host per attempt). It is safe for concurrent use. Stop it
// with [Balanced.Stop]; it does not stop the source.
type Balanced[K comparable] struct {
	base http.RoundTripper
	b    *balance.Balancer[K, *http.Request, *http.Response]
}

// NewBalanced returns a RoundTripper that sends each request through base
// (http.DefaultTransport, say) to one of the endpoints of src. opts configure
// the balancer (balance.WithPolicy, balance.WithFailFast, balance.WithLogger,
// ...). It returns an error if base or src is nil (a typed nil included) or if an
// option is bad. With no endpoint ready, a request waits for one, bounded by its
// context, or fails at once with balance.WithFailFast; the error matches
// balance.ErrNoEndpoints or balance.ErrNotReady.
func NewBalanced[K comparable](base http.RoundTripper, src discover.Source[K, discover.Addr], opts ...balance.Option) (*Balanced[K], error) {
	if base == nil || isNilValue(base) {
		return nil, errors.New("towerhttp: base RoundTripper is nil")
	}
	if src == nil || isNilValue(src) {
		return nil, errors.New("towerhttp: discovery source is nil")
	}
	factory := func(_ context.Context, _ K, a discover.Addr, _ *service.Scope) (service.Service[*http.Request, *http.Response], error) {
		host := a.AddrPort.String()
		send := service.Func[*http.Request, *http.Response](func(ctx context.Context, req *http.Request) (*http.Response, error) {
			out := req.WithContext(ctx) // a shallow copy: the caller's request is not changed
			u := *req.URL
			u.Host = host
			out.URL = &u
			if out.Host == "" {
				out.Host = req.URL.Host
			}
			return base.RoundTrip(out)
		})
		return load.NewPeakEWMA(send, load.WithClassifier(classifyResponse), load.WithCompletion(completeOnClose))
	}
	mapped, err := discover.Map(src, factory, discover.MapConfig{})
	if err != nil {
		return nil, err
	}
	b, err := balance.New(mapped, opts...)
	if err != nil {
		return nil, err
	}
	return &Balanced[K]{base: base, b: b}, nil
}

// RoundTrip sends req to one endpoint. As the RoundTripper contract says, it
// closes req's body, also when it fails before any endpoint was tried.
func (t *Balanced[K]) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.b.Call(req.Context(), req)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close() // a second Close after base's is harmless for request bodies
		}
		return nil, err
	}
	return res, nil
}

// Keys returns the keys of the endpoints in the set now.
func (t *Balanced[K]) Keys() []K { return t.b.Keys() }

// CloseIdleConnections closes base's idle connections, if base can.
func (t *Balanced[K]) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Stop stops the balancer's goroutines, waiting for them bounded by ctx. Requests
// after Stop fail. It does not stop the source; stop a DNS source after it.
func (t *Balanced[K]) Stop(ctx context.Context) error { return t.b.Stop(ctx) }

// classifyResponse counts 5xx and 429 answers as failures for the load, with
// the response's Retry-After (capped at a minute) as a hint.
func classifyResponse(res *http.Response, err error) (load.Outcome, time.Duration) {
	if err != nil {
		return load.ClassifyError(err)
	}
	if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests {
		d, _ := retryAfter(res.Header.Get("Retry-After"), time.Now)
		return load.Failure, min(d, time.Minute)
	}
	return load.Success, 0
}

// completeOnClose makes the call pending until the caller closes the body.
func completeOnClose(res *http.Response, c *load.Completion) *http.Response {
	if res.Body == nil || res.Body == http.NoBody {
		c.Complete()
		return res
	}
	res.Body = &completingBody{ReadCloser: res.Body, c: c}
	return res
}

// completingBody completes its call's load when closed.
type completingBody struct {
	io.ReadCloser
	c *load.Completion
}

func (b *completingBody) Close() error {
	err := b.ReadCloser.Close()
	b.c.Complete()
	return err
}
