package breaker

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
)

// unlocked fails the test if the breaker's mutex is held, instead of letting a
// later call block forever on it.
func unlocked[Req, Res any](t *testing.T, b *Breaker[Req, Res]) {
	t.Helper()
	require.True(t, b.mu.TryLock(), "the breaker's mutex was left locked: every later call and readiness check would block")
	b.mu.Unlock()
}

// A panic in a user hook must not leave the breaker locked: the panic reaches the
// caller whose call or readiness check made the transition, and the breaker goes on
// working.
func TestHookPanicLeavesBreakerUnlocked(t *testing.T) {
	errBoom := errors.New("boom")
	hooks := map[string]func(panicky *bool) Option{
		"WithOnStateChange": func(p *bool) Option {
			return WithOnStateChange(func(from, to State) {
				if *p {
					panic("hook")
				}
			})
		},
		"WithEvents": func(p *bool) Option {
			return WithEvents(func(service.Event) {
				if *p {
					panic("hook")
				}
			})
		},
	}
	for name, hook := range hooks {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				panicky := true
				fail := true
				inner := service.Func[int, int](func(context.Context, int) (int, error) {
					if fail {
						return 0, errBoom
					}
					return 1, nil
				})
				b, err := New[int, int](inner, WithConsecutiveFailures(1), WithOpenTimeout(time.Second), hook(&panicky))
				require.NoError(t, err)

				// Tripping on a closed call.
				assert.Panics(t, func() { _, _ = b.Call(t.Context(), 1) })
				unlocked(t, b)
				require.Equal(t, Open, b.State())
				_, err = b.Call(t.Context(), 1)
				require.ErrorIs(t, err, ErrOpen)

				// Turning half-open in TryReady.
				time.Sleep(time.Second)
				assert.Panics(t, func() { _ = b.TryReady() })
				unlocked(t, b)
				panicky = false
				require.NoError(t, b.TryReady())
				_, err = b.Call(t.Context(), 1) // the probe fails: open again
				require.ErrorIs(t, err, errBoom)
				require.Equal(t, Open, b.State())

				// Turning half-open in Ready.
				time.Sleep(time.Second)
				panicky = true
				assert.Panics(t, func() { _ = b.Ready(t.Context()) })
				unlocked(t, b)
				panicky = false
				require.NoError(t, b.Ready(t.Context()))

				// Closing on a probe's success.
				fail, panicky = false, true
				assert.Panics(t, func() { _, _ = b.Call(t.Context(), 1) })
				unlocked(t, b)
				panicky = false
				require.Equal(t, Closed, b.State())
				_, err = b.Call(t.Context(), 1)
				require.NoError(t, err)
			})
		})
	}
}
