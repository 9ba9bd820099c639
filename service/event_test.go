package service_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tower-go/tower/service"
)

func TestEventKindString(t *testing.T) {
	tests := []struct {
		kind service.EventKind
		want string
	}{
		{service.EventShed, "shed"},
		{service.EventRateLimited, "rate_limited"},
		{service.EventTimedOut, "timed_out"},
		{service.EventRejected, "rejected"},
		{service.EventRetried, "retried"},
		{service.EventBudgetExhausted, "budget_exhausted"},
		{service.EventHedged, "hedged"},
		{service.EventStateChanged, "state_changed"},
		{service.EventLimitChanged, "limit_changed"},
		{service.EventFallback, "fallback"},
		{service.EventPanicked, "panicked"},
		{service.EventFailed, "failed"},
		{0, "unknown"},
		{service.EventFailed + 1, "unknown"},
		{255, "unknown"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.kind.String())
		})
		if tt.want != "unknown" {
			assert.False(t, seen[tt.want], "%s named twice", tt.want)
			seen[tt.want] = true
		}
	}
}

func TestEventFuncEmit(t *testing.T) {
	t.Run("a nil EventFunc discards events", func(t *testing.T) {
		var f service.EventFunc
		assert.NotPanics(t, func() { f.Emit(service.Event{Stage: "x", Kind: service.EventShed}) })
	})
	t.Run("a non-nil EventFunc receives the event as emitted", func(t *testing.T) {
		var got []service.Event
		f := service.EventFunc(func(e service.Event) { got = append(got, e) })
		boom := errors.New("boom")
		e := service.Event{Stage: "retry", Kind: service.EventRetried, Err: boom, Attempt: 2}
		f.Emit(e)
		assert.Equal(t, []service.Event{e}, got)
	})
}
