package loadshed_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/filter"
	"github.com/tower-go/tower/stage/limit"
	"github.com/tower-go/tower/stage/loadshed"
	"github.com/tower-go/tower/stage/ratelimit"
)

func TestLayersPassTheContract(t *testing.T) {
	servicetest.CheckLayer(t, loadshed.Layer[int, int](), 1, servicetest.WithReadiness(servicetest.Sheds))
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		inner service.Service[int, int]
		opts  []loadshed.Option
		want  string
	}{
		{"a nil inner service", nil, nil, "loadshed: inner service is nil"},
		{"a typed-nil inner service", (*servicetest.Mock[int, int])(nil), nil, "loadshed: inner service is nil"},
		{"a nil service.Func", service.Func[int, int](nil), nil, "loadshed: inner service is nil"},
		{"a nil option", echo, []loadshed.Option{nil}, "loadshed: option is nil"},
		{"a priority of low", echo, []loadshed.Option{loadshed.WithPriority(service.PriorityLow)}, "loadshed: priority must be above low and at most critical, got low"},
		{"a priority above critical", echo, []loadshed.Option{loadshed.WithPriority(service.PriorityCritical + 1)}, "loadshed: priority must be above low and at most critical, got Priority(4)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := loadshed.New(tc.inner, tc.opts...)
			require.EqualError(t, err, tc.want)
			assert.Nil(t, s)
			svc, err := loadshed.Layer[int, int](tc.opts...)(new(service.Scope), tc.inner)
			require.EqualError(t, err, tc.want)
			assert.True(t, svc == nil, "a layer returns a nil interface, not a typed nil")
		})
	}
	s, err := loadshed.New(echo, loadshed.WithEvents(nil))
	require.NoError(t, err, "a nil events hook discards events")
	_, err = s.Call(context.Background(), 1)
	require.NoError(t, err)
}

// TestShedsAtOnceThroughAUserStage is the reproduced bug behind "one stage
// contract": a load shedder over a user-written stage over limit(1) waited for the
// deadline instead of shedding, because the user's stage hid the limit's TryCall.
// Written with service.Stage, the user's stage forwards it, and the call is shed
// at once.
func TestShedsAtOnceThroughAUserStage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sc := new(service.Scope)
		defer sc.Stop(context.Background())
		lim, err := limit.New(echo, 1)
		require.NoError(t, err)
		passthrough := service.Stage(func(ctx context.Context, req int, next service.Service[int, int]) (int, error) {
			return next.Call(ctx, req)
		})
		user, err := service.Apply(passthrough, sc, service.Service[int, int](lim))
		require.NoError(t, err)
		svc, err := service.Apply(loadshed.Layer[int, int](), sc, user)
		require.NoError(t, err)

		p, err := lim.TryAcquire() // the one permit, held
		require.NoError(t, err)
		defer p.Release()

		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start := time.Now()
		_, err = svc.Call(ctx, 1)
		require.ErrorIs(t, err, service.ErrOverloaded)
		require.ErrorIs(t, err, loadshed.ErrShed)
		require.ErrorIs(t, err, limit.ErrLimited)
		assert.Zero(t, time.Since(start), "the call must be shed at once, not at the deadline")
	})
}

// TestOneDecisionOneEvent: a refusal made on the TryCall path is reported once, by
// the shedder that asked for the non-blocking call, with an Err that tells which
// stage refused; the refusing stage reports nothing.
func TestOneDecisionOneEvent(t *testing.T) {
	t.Run("loadshed over ratelimit", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var ev servicetest.Events
			rl, err := ratelimit.LayerRate[int, int](1, 1, ratelimit.WithEvents(ev.Emit))(new(service.Scope), echo)
			require.NoError(t, err)
			svc, err := loadshed.New(rl, loadshed.WithEvents(ev.Emit))
			require.NoError(t, err)
			_, err = svc.Call(t.Context(), 1) // takes the one token
			require.NoError(t, err)
			for i := range 3 {
				_, err = svc.Call(t.Context(), 1)
				require.ErrorIs(t, err, ratelimit.ErrLimited)
				require.Equal(t, i+1, ev.Len(), "exactly one event per refused call")
			}
			for _, e := range ev.All() {
				assert.Equal(t, "loadshed", e.Stage)
				assert.Equal(t, service.EventShed, e.Kind)
				assert.True(t, errors.Is(e.Err, ratelimit.ErrLimited), "the event tells it was a rate limit")
			}
		})
	})
	t.Run("loadshed over fail-fast ratelimit over limit", func(t *testing.T) {
		var ev servicetest.Events
		lim, err := limit.New(echo, 1, limit.WithReject(), limit.WithEvents(ev.Emit))
		require.NoError(t, err)
		rl, err := ratelimit.LayerRate[int, int](1e6, 1e6, ratelimit.WithFailFast(), ratelimit.WithEvents(ev.Emit))(new(service.Scope), lim)
		require.NoError(t, err)
		svc, err := loadshed.New(rl, loadshed.WithEvents(ev.Emit))
		require.NoError(t, err)
		p, err := lim.TryAcquire()
		require.NoError(t, err)
		defer p.Release()
		_, err = svc.Call(context.Background(), 1)
		require.ErrorIs(t, err, limit.ErrLimited)
		require.Equal(t, 1, ev.Len())
		assert.Equal(t, "loadshed", ev.All()[0].Stage)
		assert.True(t, errors.Is(ev.All()[0].Err, limit.ErrLimited))
	})
	t.Run("nested shedders report once and wrap once", func(t *testing.T) {
		var ev servicetest.Events
		lim, err := limit.New(echo, 1)
		require.NoError(t, err)
		in, err := loadshed.New[int, int](lim, loadshed.WithEvents(ev.Emit))
		require.NoError(t, err)
		out, err := loadshed.New[int, int](in, loadshed.WithEvents(ev.Emit))
		require.NoError(t, err)
		p, err := lim.TryAcquire()
		require.NoError(t, err)
		defer p.Release()
		_, err = out.Call(context.Background(), 1)
		require.ErrorIs(t, err, loadshed.ErrShed)
		assert.Equal(t, "loadshed: overloaded: limit: concurrency limit reached", err.Error())
		assert.Equal(t, 1, ev.Len())
	})
	t.Run("a filter's rejection is the filter's event only", func(t *testing.T) {
		var ev servicetest.Events
		f, err := filter.New[int, int](echo, func(n int) error {
			if n < 0 {
				return errors.New("negative")
			}
			return nil
		}, filter.WithEvents(ev.Emit))
		require.NoError(t, err)
		svc, err := loadshed.New[int, int](f, loadshed.WithEvents(ev.Emit))
		require.NoError(t, err)
		_, err = svc.Call(context.Background(), -1)
		require.ErrorIs(t, err, service.ErrRejected)
		require.Equal(t, 1, ev.Len())
		assert.Equal(t, service.EventRejected, ev.All()[0].Kind)
	})
	t.Run("ratelimit's own wait in Call is ratelimit's event", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var ev servicetest.Events
			rl, err := ratelimit.LayerRate[int, int](1, 1, ratelimit.WithEvents(ev.Emit))(new(service.Scope), echo)
			require.NoError(t, err)
			_, _ = rl.Call(t.Context(), 1)
			_, err = rl.Call(t.Context(), 1)
			require.NoError(t, err)
			require.Equal(t, 1, ev.Len())
			assert.Equal(t, "ratelimit", ev.All()[0].Stage)
			assert.Equal(t, time.Second, ev.All()[0].Elapsed)
		})
	})
}
