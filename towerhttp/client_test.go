package towerhttp_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/breaker"
	"github.com/tower-go/tower/stage/hedge"
	"github.com/tower-go/tower/stage/timeout"
	"github.com/tower-go/tower/towerhttp"
)

// flaky answers the first fail requests with status, then 200 with the request
// body echoed; it records every body it received.
type flaky struct {
	fail   int32
	status int
	n      atomic.Int32
	mu     sync.Mutex
	bodies [][]byte
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, b)
	f.mu.Unlock()
	if f.n.Add(1) <= f.fail {
		http.Error(w, "try again", f.status)
		return
	}
	_, _ = w.Write(b)
}

func (f *flaky) received() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.bodies...)
}

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}

func TestRetryResendsWholeBodies(t *testing.T) {
	body := payload(256 << 10)
	tests := []struct {
		name   string
		method string
		header string
	}{
		{"a POST with Idempotency-Key", http.MethodPost, "Idempotency-Key"},
		{"a PUT", http.MethodPut, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is retried with its whole body each time", func(t *testing.T) {
			f := &flaky{fail: 2, status: http.StatusServiceUnavailable}
			srv := newServer(t, f)
			rec := base(t)
			tr := transport(t, rec, towerhttp.Client().Layer(towerhttp.Retry(3)))
			req, err := http.NewRequest(tt.method, srv.URL, bytes.NewReader(body))
			require.NoError(t, err)
			if tt.header != "" {
				req.Header.Set(tt.header, "k-1")
			}
			resp, err := (&http.Client{Transport: tr}).Do(req)
			require.NoError(t, err)
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, body, got)
			bodies := f.received()
			require.Len(t, bodies, 3)
			for i, b := range bodies {
				assert.Equal(t, len(body), len(b), "attempt %d", i+1)
				assert.True(t, bytes.Equal(body, b), "attempt %d", i+1)
			}
			for i, b := range rec.all() {
				assert.True(t, b.closed.Load(), "response %d closed", i+1)
			}
		})
	}
}

func TestNoRetryForRequestsThatMayNotBeSentTwice(t *testing.T) {
	tests := []struct {
		name     string
		pipeline tower.Pipeline[*http.Request, *http.Response]
		req      func(url string) *http.Request
	}{
		{"a POST without Idempotency-Key", towerhttp.Client().Layer(towerhttp.Retry(3)), func(url string) *http.Request {
			r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader("x"))
			return r
		}},
		{"a PUT whose body has no GetBody", towerhttp.Client().Layer(towerhttp.Retry(3)), func(url string) *http.Request {
			r, _ := http.NewRequest(http.MethodPut, url, io.NopCloser(strings.NewReader("x")))
			return r
		}},
		{"a POST under the generic retry stage", towerhttp.Client().Retry(3), func(url string) *http.Request {
			r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader("x"))
			return r
		}},
		{"a body without GetBody under the generic retry stage", towerhttp.Client().Retry(3), func(url string) *http.Request {
			r, _ := http.NewRequest(http.MethodPut, url, io.NopCloser(strings.NewReader("x")))
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is sent once and the caller gets its response", func(t *testing.T) {
			f := &flaky{fail: 5, status: http.StatusServiceUnavailable}
			srv := newServer(t, f)
			tr := transport(t, base(t), tt.pipeline)
			resp, err := tr.RoundTrip(tt.req(srv.URL))
			require.NoError(t, err)
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			assert.Equal(t, "try again\n", string(b))
			assert.Equal(t, int32(1), f.n.Load())
		})
	}
}

func TestLargeBodyReadInFullAfterARetry(t *testing.T) {
	big := payload(1 << 20)
	var n atomic.Int32
	headersSeen := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Length", "1048576")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-headersSeen // the client's stages have all returned: the body comes now
		_, _ = w.Write(big)
	}))
	rec := base(t)
	tr := transport(t, rec, towerhttp.Client().
		Timeout(10*time.Second).
		Layer(towerhttp.Retry(3)).
		Timeout(5*time.Second))
	resp, err := tr.RoundTrip(mustGet(t, srv.URL))
	require.NoError(t, err)
	close(headersSeen)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err, "the body must outlive the stages' contexts")
	require.NoError(t, resp.Body.Close())
	assert.Len(t, got, len(big))
	assert.True(t, bytes.Equal(big, got))
	bodies := rec.all()
	require.Len(t, bodies, 2)
	assert.True(t, bodies[0].closed.Load(), "the retried 503's body is closed")
	assert.Equal(t, int64(len("busy\n")), bodies[0].read.Load(), "and drained")
}

func mustGet(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	return req
}

func TestHedgedGetClosesTheLosingBody(t *testing.T) {
	var hedged atomic.Int32
	events := service.EventFunc(func(e service.Event) {
		if e.Kind == service.EventHedged {
			hedged.Add(1)
		}
	})
	// A request with X-Slow waits (bounded) for a second request; if one comes (the
	// hedge), the slow one answers 503 first and the hedge 200 after it.
	var mu sync.Mutex
	var waiting chan struct{} // closed when the hedge arrives
	var slowDone chan struct{}
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if w8 := waiting; w8 != nil && r.Header.Get("X-Slow") != "" && slowDone == nil {
			// the first attempt of a slow call
			slowDone = make(chan struct{})
			sd := slowDone
			mu.Unlock()
			select {
			case <-w8:
				http.Error(w, "lost", http.StatusServiceUnavailable)
			case <-time.After(200 * time.Millisecond): // no hedge this time
				w.WriteHeader(http.StatusOK)
			}
			close(sd)
			return
		}
		if w8 := waiting; w8 != nil && slowDone != nil {
			// the hedge
			sd := slowDone
			waiting = nil
			mu.Unlock()
			close(w8)
			<-sd
			_, _ = io.WriteString(w, "winner")
			return
		}
		mu.Unlock()
		_, _ = io.WriteString(w, "fast")
	}))
	rec := base(t)
	tr := transport(t, rec, towerhttp.Client().Layer(towerhttp.Hedge(
		hedge.WithPercentile(0.5), hedge.WithMinDataPoints(5), hedge.WithPeriod(20*time.Millisecond),
		hedge.WithBudgetPercent(100), hedge.WithEvents(events))))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for range 20 { // fill the latency window
			resp, err := tr.RoundTrip(mustGet(t, srv.URL))
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		mu.Lock()
		waiting, slowDone = make(chan struct{}), nil
		mu.Unlock()
		before := len(rec.all())
		req := mustGet(t, srv.URL)
		req.Header.Set("X-Slow", "1")
		resp, err := tr.RoundTrip(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		mu.Lock()
		waiting = nil
		mu.Unlock()
		if string(b) != "winner" {
			continue // not hedged this round
		}
		bodies := rec.all()[before:]
		if len(bodies) < 2 {
			continue // the hedge's win cancelled the slow attempt before its headers
		}
		require.Len(t, bodies, 2, "the slow attempt and the hedge both answered")
		var loser *trackedBody
		for _, tb := range bodies {
			if tb.status == http.StatusServiceUnavailable {
				loser = tb
			}
		}
		require.NotNil(t, loser)
		// Closed either drained at the boundary, or unread when the hedge's win
		// cancelled the slow attempt as its headers came.
		assert.True(t, loser.closed.Load(), "the losing attempt's body is closed")
		return
	}
	t.Fatal("no call was hedged")
}

func TestRefusedRequestBodyIsClosed(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tr := transport(t, base(t), towerhttp.Client().Filter(func(r *http.Request) error {
		return errors.New("no")
	}))
	body := &closeTracker{Reader: strings.NewReader("payload")}
	req, err := http.NewRequest(http.MethodPost, srv.URL, body)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	assert.Nil(t, resp)
	require.ErrorIs(t, err, service.ErrRejected)
	assert.True(t, body.closed.Load())
}

func TestFailureStatusesCountForTheBreakerAndReachTheCaller(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	tr := transport(t, base(t), towerhttp.Client().Breaker(breaker.WithConsecutiveFailures(2), breaker.WithOpenTimeout(time.Hour)))
	for range 2 {
		resp, err := tr.RoundTrip(mustGet(t, srv.URL))
		require.NoError(t, err, "the caller gets the 500 as a response")
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
		assert.Equal(t, "boom\n", string(b))
	}
	_, err := tr.RoundTrip(mustGet(t, srv.URL))
	require.ErrorIs(t, err, breaker.ErrOpen, "two 500s opened the breaker")
	assert.Equal(t, int32(2), n.Load())
}

func TestClassifierDecidesWhatFails(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	var seen error
	tr := transport(t, base(t), towerhttp.Client().MapErr(func(err error) error { seen = err; return err }),
		towerhttp.WithClassifier(func(s int) bool { return s == http.StatusTeapot }))
	resp, err := tr.RoundTrip(mustGet(t, srv.URL))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	var se *towerhttp.StatusError
	require.ErrorAs(t, seen, &se)
	assert.Equal(t, http.StatusTeapot, se.StatusCode)
	assert.ErrorIs(t, seen, towerhttp.ErrStatus)
}

func TestTimeoutEndsTheAttemptBeforeItsHeaders(t *testing.T) {
	gone := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the client went away
		close(gone)
	}))
	tr := transport(t, base(t), towerhttp.Client().Timeout(50*time.Millisecond))
	_, err := tr.RoundTrip(mustGet(t, srv.URL))
	require.ErrorIs(t, err, timeout.ErrElapsed)
	<-gone
}

func TestCallerContextStillBoundsTheBody(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	tr := transport(t, base(t), towerhttp.Client().Timeout(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	req := mustGet(t, srv.URL).WithContext(ctx)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	cancel()
	_, err = io.ReadAll(resp.Body)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, resp.Body.Close())
}

func TestRetryAfterIsWaited(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	tr := transport(t, base(t), towerhttp.Client().Layer(towerhttp.Retry(2)))
	start := time.Now()
	resp, err := tr.RoundTrip(mustGet(t, srv.URL))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
}

func TestRetryAfterBeyondTheDeadlineIsNotWaited(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	tr := transport(t, base(t), towerhttp.Client().Timeout(5*time.Second).Layer(towerhttp.Retry(3)))
	resp, err := tr.RoundTrip(mustGet(t, srv.URL))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, int32(1), n.Load())
}

func TestTransportAfterStop(t *testing.T) {
	tr, err := towerhttp.NewTransport(base(t), towerhttp.Client().Buffer(4))
	require.NoError(t, err)
	require.NoError(t, tr.Stop(context.Background()))
	body := &closeTracker{Reader: strings.NewReader("x")}
	req, err := http.NewRequest(http.MethodPut, "http://127.0.0.1:1/", body)
	require.NoError(t, err)
	_, err = tr.RoundTrip(req)
	require.ErrorIs(t, err, service.ErrClosed)
	assert.True(t, body.closed.Load())
}

func TestNewTransportRejectsBadInput(t *testing.T) {
	var nilTr *http.Transport
	tests := []struct {
		name string
		base http.RoundTripper
		p    tower.Pipeline[*http.Request, *http.Response]
		opts []towerhttp.Option
		want string
	}{
		{"a nil base", nil, towerhttp.Client(), nil, "towerhttp: base RoundTripper is nil"},
		{"a typed nil base", nilTr, towerhttp.Client(), nil, "towerhttp: base RoundTripper is nil"},
		{"a nil classifier", http.DefaultTransport, towerhttp.Client(), []towerhttp.Option{towerhttp.WithClassifier(nil)}, "towerhttp: classifier is nil"},
		{"a nil replayable", http.DefaultTransport, towerhttp.Client(), []towerhttp.Option{towerhttp.WithReplayable(nil)}, "towerhttp: replayable function is nil"},
		{"a server option", http.DefaultTransport, towerhttp.Client(), []towerhttp.Option{towerhttp.WithGateway()}, "server options"},
		{"a bad stage", http.DefaultTransport, towerhttp.Client().ConcurrencyLimit(0), nil, "towerhttp: tower: pipeline layer 1 of 1"},
		{"a bad retry", http.DefaultTransport, towerhttp.Client().Layer(towerhttp.Retry(0)), nil, "towerhttp: max attempts must be at least 1"},
		{"a bad retry status", http.DefaultTransport, towerhttp.Client().Layer(towerhttp.Retry(2, towerhttp.WithStatuses(700))), nil, "out of range"},
		{"a negative max Retry-After", http.DefaultTransport, towerhttp.Client().Layer(towerhttp.Retry(2, towerhttp.WithMaxRetryAfter(-1))), nil, "must not be negative"},
		{"a nil RetryIf", http.DefaultTransport, towerhttp.Client().Layer(towerhttp.Retry(2, towerhttp.WithRetryIf(nil))), nil, "RetryIf function is nil"},
		{"a nil budget", http.DefaultTransport, towerhttp.Client().Layer(towerhttp.Retry(2, towerhttp.WithRetryBudget(nil))), nil, "budget"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is rejected", func(t *testing.T) {
			tr, err := towerhttp.NewTransport(tt.base, tt.p, tt.opts...)
			assert.Nil(t, tr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
