package towerhttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/towerhttp"
)

// newServer starts a real server on 127.0.0.1 and closes it after the test.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// base returns a fresh http.Transport whose idle connections are closed after
// the test (goleak), wrapped so that every response body's Close is recorded.
func base(t *testing.T) *recorder {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &recorder{base: tr}
}

// recorder is a RoundTripper that records the bodies of the responses it returns.
type recorder struct {
	base   http.RoundTripper
	mu     sync.Mutex
	bodies []*trackedBody
	sent   atomic.Int32
}

type trackedBody struct {
	io.ReadCloser
	status int
	read   atomic.Int64
	closed atomic.Bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read.Add(int64(n))
	return n, err
}

func (b *trackedBody) Close() error {
	b.closed.Store(true)
	return b.ReadCloser.Close()
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.sent.Add(1)
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	tb := &trackedBody{ReadCloser: resp.Body, status: resp.StatusCode}
	resp.Body = tb
	r.mu.Lock()
	r.bodies = append(r.bodies, tb)
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) all() []*trackedBody {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*trackedBody(nil), r.bodies...)
}

// transport builds a Transport over rt and stops it after the test.
func transport(t *testing.T, rt http.RoundTripper, p tower.Pipeline[*http.Request, *http.Response], opts ...towerhttp.Option) *towerhttp.Transport {
	t.Helper()
	tr, err := towerhttp.NewTransport(rt, p, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Stop(context.Background()) })
	return tr
}

// closeTracker is a request body that records whether it was closed.
type closeTracker struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeTracker) Close() error { c.closed.Store(true); return nil }
