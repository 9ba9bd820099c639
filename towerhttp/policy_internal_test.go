package towerhttp

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/stage/retry"
)

func TestRetryPolicyDecisions(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	resp := func(code int, ra string) *http.Response {
		h := http.Header{}
		if ra != "" {
			h.Set("Retry-After", ra)
		}
		return &http.Response{StatusCode: code, Header: h, Body: http.NoBody}
	}
	get, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	post, _ := http.NewRequest(http.MethodPost, "http://x/", nil)
	b := retry.Backoff{Min: 10 * time.Millisecond, Max: 10 * time.Millisecond}
	p, err := NewRetryPolicy(3, WithBackoff(b), withClock(clock), WithMaxRetryAfter(time.Minute))
	require.NoError(t, err)
	tests := []struct {
		name    string
		req     *http.Request
		res     *http.Response
		err     error
		attempt int
		ctx     context.Context
		wait    time.Duration
		again   bool
	}{
		{"a 200 is not retried", get, resp(200, ""), nil, 1, context.Background(), 0, false},
		{"a 503 is retried after the backoff", get, resp(503, ""), nil, 1, context.Background(), 10 * time.Millisecond, true},
		{"a 503 as a StatusError is retried", get, nil, &StatusError{503, resp(503, "")}, 1, context.Background(), 10 * time.Millisecond, true},
		{"a 500 is not retried", get, nil, &StatusError{500, resp(500, "")}, 1, context.Background(), 0, false},
		{"Retry-After in seconds is waited", get, resp(429, "7"), nil, 1, context.Background(), 7 * time.Second, true},
		{"Retry-After as an HTTP-date is waited", get, resp(503, now.Add(42*time.Second).Format(http.TimeFormat)), nil, 1, context.Background(), 42 * time.Second, true},
		{"a Retry-After date in the past waits the backoff", get, resp(503, now.Add(-time.Hour).Format(http.TimeFormat)), nil, 1, context.Background(), 10 * time.Millisecond, true},
		{"Retry-After is capped", get, resp(503, "3600"), nil, 1, context.Background(), time.Minute, true},
		{"a garbled Retry-After waits the backoff", get, resp(503, "soon"), nil, 1, context.Background(), 10 * time.Millisecond, true},
		{"the last attempt is not retried", get, resp(503, ""), nil, 3, context.Background(), 0, false},
		{"a POST is not retried", post, resp(503, ""), nil, 1, context.Background(), 0, false},
		{"a transport error is retried", get, nil, errors.New("connection reset"), 1, context.Background(), 10 * time.Millisecond, true},
		{"a cancellation is not retried", get, nil, context.Canceled, 1, context.Background(), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, again := p.Retry(tt.ctx, tt.req, tt.res, tt.err, tt.attempt)
			assert.Equal(t, tt.again, again)
			assert.Equal(t, tt.wait, wait)
		})
	}
	t.Run("a wait past the deadline is not made", func(t *testing.T) {
		ctx, cancel := context.WithDeadline(context.Background(), now.Add(5*time.Second))
		defer cancel()
		_, again := p.Retry(ctx, get, resp(503, "6"), nil, 1)
		assert.False(t, again)
		wait, again := p.Retry(ctx, get, resp(503, "4"), nil, 1)
		assert.True(t, again)
		assert.Equal(t, 4*time.Second, wait)
	})
	t.Run("WithMaxRetryAfter(0) ignores Retry-After", func(t *testing.T) {
		q, err := NewRetryPolicy(2, WithMaxRetryAfter(0))
		require.NoError(t, err)
		wait, again := q.Retry(context.Background(), get, resp(503, "9"), nil, 1)
		assert.True(t, again)
		assert.Zero(t, wait)
	})
	t.Run("WithStatuses replaces the statuses", func(t *testing.T) {
		q, err := NewRetryPolicy(2, WithStatuses(500))
		require.NoError(t, err)
		_, again := q.Retry(context.Background(), get, resp(503, ""), nil, 1)
		assert.False(t, again)
		_, again = q.Retry(context.Background(), get, nil, &StatusError{500, resp(500, "")}, 1)
		assert.True(t, again)
	})
}

func TestIdempotent(t *testing.T) {
	for _, m := range []string{"", "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"} {
		r := &http.Request{Method: m, Header: http.Header{}}
		assert.True(t, Idempotent(r), m)
	}
	for _, m := range []string{"POST", "PATCH", "CONNECT"} {
		r := &http.Request{Method: m, Header: http.Header{}}
		assert.False(t, Idempotent(r), m)
		r.Header.Set("Idempotency-Key", "k")
		assert.True(t, Idempotent(r), m+" with Idempotency-Key")
		r = &http.Request{Method: m, Header: http.Header{"X-Idempotency-Key": {"k"}}}
		assert.True(t, Idempotent(r), m+" with X-Idempotency-Key")
	}
}
