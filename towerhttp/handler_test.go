package towerhttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tower "github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/breaker"
	"github.com/tower-go/tower/stage/ratelimit"
	"github.com/tower-go/tower/towerhttp"
)

// handler builds a Handler over h, serves it on loopback and stops it after the test.
func handler(t *testing.T, h http.Handler, p tower.Pipeline[*http.Request, towerhttp.Served], opts ...towerhttp.Option) (string, *towerhttp.Handler) {
	t.Helper()
	hd, err := towerhttp.NewHandler(h, p, opts...)
	require.NoError(t, err)
	srv := newServer(t, hd)
	t.Cleanup(func() { _ = hd.Stop(context.Background()) })
	return srv.URL, hd
}

// get returns the status, Retry-After and body of a GET of url.
func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(mustGet(t, url))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })

func TestHandlerServes(t *testing.T) {
	var served towerhttp.Served
	url, _ := handler(t, ok, towerhttp.Server().MapResponse(func(s towerhttp.Served) towerhttp.Served { served = s; return s }))
	code, _, body := get(t, url)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok", body)
	assert.Equal(t, towerhttp.Served{Status: 200, Written: 2}, served)
}

func TestHandlerRateLimitedIs429(t *testing.T) {
	url, _ := handler(t, ok, towerhttp.Server().RateLimit(0.001, 1, ratelimit.WithFailFast()))
	code, _, _ := get(t, url)
	assert.Equal(t, http.StatusOK, code)
	code, ra, _ := get(t, url)
	assert.Equal(t, http.StatusTooManyRequests, code)
	assert.Equal(t, "1", ra)
}

func TestHandlerOverloadedIs503WithRetryAfter(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	})
	url, _ := handler(t, slow, towerhttp.Server().LoadShed().ConcurrencyLimit(1), towerhttp.WithRetryAfter(2500*time.Millisecond))
	done := make(chan int)
	go func() { c, _, _ := get(t, url); done <- c }()
	<-entered
	code, ra, _ := get(t, url)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "3", ra, "rounded up to whole seconds")
	close(release)
	assert.Equal(t, http.StatusOK, <-done)
}

func TestHandlerFailureStatusesOpenTheBreaker(t *testing.T) {
	var n atomic.Int32
	failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "broken", http.StatusInternalServerError)
	})
	url, _ := handler(t, failing, towerhttp.Server().Breaker(breaker.WithConsecutiveFailures(1), breaker.WithOpenTimeout(time.Hour)))
	code, _, body := get(t, url)
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.Equal(t, "broken\n", body, "the handler's own answer, written once")
	code, ra, _ := get(t, url)
	assert.Equal(t, http.StatusServiceUnavailable, code, "the 500 counted: the breaker is open")
	assert.Equal(t, "1", ra)
	assert.Equal(t, int32(1), n.Load())
}

func TestHandlerTimeout(t *testing.T) {
	waits := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	tests := []struct {
		name string
		opts []towerhttp.Option
		want int
	}{
		{"is 503", nil, http.StatusServiceUnavailable},
		{"is 504 in gateway mode", []towerhttp.Option{towerhttp.WithGateway()}, http.StatusGatewayTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, _ := handler(t, waits, towerhttp.Server().Timeout(20*time.Millisecond), tt.opts...)
			code, _, _ := get(t, url)
			assert.Equal(t, tt.want, code)
		})
	}
}

func TestHandlerWaitsForAHandlerBehindABuffer(t *testing.T) {
	var mu sync.Mutex
	var finished bool
	ignores := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		time.Sleep(20 * time.Millisecond) // still busy after its deadline
		mu.Lock()
		finished = true
		mu.Unlock()
		w.Header().Set("X-Late", "1") // must not race with the middleware
	})
	url, _ := handler(t, ignores, towerhttp.Server().Timeout(10*time.Millisecond).Buffer(4))
	code, _, _ := get(t, url)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	mu.Lock()
	assert.True(t, finished, "the answer came after the handler returned")
	mu.Unlock()
}

func TestHandlerPanics(t *testing.T) {
	t.Run("before writing: 500 and an event", func(t *testing.T) {
		var events []service.Event
		var mu sync.Mutex
		boom := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("boom") })
		url, _ := handler(t, boom, towerhttp.Server(), towerhttp.WithEvents(func(e service.Event) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		}))
		code, _, _ := get(t, url)
		assert.Equal(t, http.StatusInternalServerError, code)
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, events, 1)
		assert.Equal(t, service.EventPanicked, events[0].Kind)
		assert.ErrorIs(t, events[0].Err, service.ErrPanicked)
	})
	t.Run("after writing: the response is aborted", func(t *testing.T) {
		half := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, "half")
			w.(http.Flusher).Flush()
			panic("boom")
		})
		url, _ := handler(t, half, towerhttp.Server())
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		resp, err := tr.RoundTrip(mustGet(t, url))
		require.NoError(t, err)
		_, err = io.ReadAll(resp.Body)
		require.Error(t, err, "a truncated response must not look complete")
		_ = resp.Body.Close()
	})
}

func TestHandlerRunsOnceUnderARetry(t *testing.T) {
	var n atomic.Int32
	busy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	url, _ := handler(t, busy, towerhttp.Server().Retry(3))
	code, _, body := get(t, url)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "busy\n", body)
	assert.Equal(t, int32(1), n.Load())
}

func TestHandlerRejectedAndStopped(t *testing.T) {
	url, hd := handler(t, ok, towerhttp.Server().Filter(func(r *http.Request) error {
		if r.URL.Path == "/no" {
			return errors.New("no")
		}
		return nil
	}))
	code, _, _ := get(t, url+"/no")
	assert.Equal(t, http.StatusForbidden, code)
	require.NoError(t, hd.Stop(context.Background()))
	code, ra, _ := get(t, url)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "1", ra)
}

func TestNewHandlerRejectsBadInput(t *testing.T) {
	var nilFunc http.HandlerFunc
	tests := []struct {
		name string
		h    http.Handler
		p    tower.Pipeline[*http.Request, towerhttp.Served]
		opts []towerhttp.Option
		want string
	}{
		{"a nil handler", nil, towerhttp.Server(), nil, "towerhttp: handler is nil"},
		{"a typed nil handler", nilFunc, towerhttp.Server(), nil, "towerhttp: handler is nil"},
		{"a negative Retry-After", ok, towerhttp.Server(), []towerhttp.Option{towerhttp.WithRetryAfter(-time.Second)}, "must not be negative"},
		{"a client option", ok, towerhttp.Server(), []towerhttp.Option{towerhttp.WithReplayable(towerhttp.Replayable)}, "client option"},
		{"a bad stage", ok, towerhttp.Server().Timeout(0), nil, "towerhttp: tower: pipeline layer 1 of 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is rejected", func(t *testing.T) {
			hd, err := towerhttp.NewHandler(tt.h, tt.p, tt.opts...)
			assert.Nil(t, hd)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
