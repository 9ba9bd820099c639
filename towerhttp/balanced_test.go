package towerhttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/balance"
	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/towerhttp"
)

// backend is a real server on 127.0.0.1 that counts the requests it served and
// records the Host header they carried.
type backend struct {
	srv   *httptest.Server
	mu    sync.Mutex
	n     int
	hosts map[string]int
}

func newBackend(t *testing.T, status int) *backend {
	t.Helper()
	b := &backend{hosts: map[string]int{}}
	b.srv = newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.n++
		b.hosts[r.Host]++
		b.mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(status)
		_, _ = w.Write(append([]byte("echo:"), body...))
	}))
	return b
}

func (b *backend) served() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

func (b *backend) entry() discover.Entry[string, discover.Addr] {
	ap := netip.MustParseAddrPort(b.srv.Listener.Addr().String())
	return discover.Entry[string, discover.Addr]{Key: ap.String(), Value: discover.Addr{AddrPort: ap, Weight: 1}}
}

// newBalanced builds a balanced RoundTripper over the backends, stopped at cleanup.
func newBalanced(t *testing.T, bs []*backend, opts ...balance.Option) *towerhttp.Balanced[string] {
	t.Helper()
	var es []discover.Entry[string, discover.Addr]
	for _, b := range bs {
		es = append(es, b.entry())
	}
	src, err := discover.NewStatic(es...)
	require.NoError(t, err)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	bt, err := towerhttp.NewBalanced(tr, src, opts...)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, bt.Stop(ctx))
	})
	keys := make([]string, len(es))
	for i, e := range es {
		keys[i] = e.Key
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.ElementsMatch(c, keys, bt.Keys()) }, 5*time.Second, time.Millisecond)
	return bt
}

func TestBalanced(t *testing.T) {
	t.Run("requests spread over every host, keep their Host header and body", func(t *testing.T) {
		bs := []*backend{newBackend(t, 200), newBackend(t, 200), newBackend(t, 200)}
		client := &http.Client{Transport: newBalanced(t, bs, balance.WithPolicy(balance.RoundRobin))}
		for i := range 30 {
			res, err := client.Post("http://api.example/echo", "text/plain", strings.NewReader("hi"))
			require.NoError(t, err, i)
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			require.NoError(t, res.Body.Close())
			assert.Equal(t, "echo:hi", string(body))
		}
		for _, b := range bs {
			assert.Equal(t, 10, b.served(), "round robin gives each host its turn")
			assert.Equal(t, map[string]int{"api.example": 10}, b.hosts)
		}
	})
	t.Run("a host that answers 503 gets little traffic, and its caller still gets the response", func(t *testing.T) {
		bad := newBackend(t, http.StatusServiceUnavailable)
		bs := []*backend{newBackend(t, 200), newBackend(t, 200), bad}
		client := &http.Client{Transport: newBalanced(t, bs)}
		statuses := map[int]int{}
		const n = 300
		for range n {
			res, err := client.Get("http://api.example/")
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, res.Body)
			require.NoError(t, res.Body.Close())
			statuses[res.StatusCode]++
		}
		assert.Equal(t, bad.served(), statuses[http.StatusServiceUnavailable])
		// Once measured, the failing host's estimate is the one-second penalty, so it
		// loses every comparison with a host measured in microseconds; it is picked
		// only before its first answer.
		assert.LessOrEqual(t, bad.served(), n/20, "the failing host's share")
	})
	t.Run("with no endpoint in fail-fast mode a request fails at once and its body is closed", func(t *testing.T) {
		src, err := discover.NewStatic[string, discover.Addr]()
		require.NoError(t, err)
		bt, err := towerhttp.NewBalanced(http.DefaultTransport, src, balance.WithFailFast())
		require.NoError(t, err)
		defer func() { require.NoError(t, bt.Stop(context.Background())) }()
		body := &closeCounter{Reader: strings.NewReader("x")}
		req, err := http.NewRequest(http.MethodPost, "http://api.example/", body)
		require.NoError(t, err)
		_, err = bt.RoundTrip(req)
		require.ErrorIs(t, err, balance.ErrNoEndpoints)
		assert.Equal(t, 1, body.closed)
	})
	t.Run("bad input is an error at construction", func(t *testing.T) {
		src, err := discover.NewStatic[string, discover.Addr]()
		require.NoError(t, err)
		var typedNil *http.Transport
		var nilSrc *discover.Static[string, discover.Addr]
		_, err = towerhttp.NewBalanced(nil, src)
		require.EqualError(t, err, "towerhttp: base RoundTripper is nil")
		_, err = towerhttp.NewBalanced(typedNil, src)
		require.EqualError(t, err, "towerhttp: base RoundTripper is nil")
		_, err = towerhttp.NewBalanced[string](http.DefaultTransport, nil)
		require.EqualError(t, err, "towerhttp: discovery source is nil")
		_, err = towerhttp.NewBalanced(http.DefaultTransport, nilSrc)
		require.EqualError(t, err, "towerhttp: discovery source is nil")
		_, err = towerhttp.NewBalanced(http.DefaultTransport, src, nil)
		require.Error(t, err)
	})
}

// closeCounter is a request body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }
