package breaker_test

import (
	"context"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/breaker"
)

// panicHandler is a slog handler that panics on every record.
type panicHandler struct{ slog.Handler }

func (panicHandler) Enabled(context.Context, slog.Level) bool { return true }

func (panicHandler) Handle(context.Context, slog.Record) error { panic("handler") }

func TestWithLogger(t *testing.T) {
	t.Run("every transition is one record: open at Warn with its cause, then half-open and closed at Info", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var logs servicetest.Logs
			inner := &scripted{}
			b, err := breaker.New(inner, breaker.WithConsecutiveFailures(1),
				breaker.WithOpenTimeout(time.Second), breaker.WithLogger(logs.Logger()))
			require.NoError(t, err)

			inner.set(errBoom)
			_, err = b.Call(t.Context(), 1)
			require.ErrorIs(t, err, errBoom)
			time.Sleep(time.Second)
			inner.set(nil)
			_, err = b.Call(t.Context(), 2)
			require.NoError(t, err)
			require.Equal(t, breaker.Closed, b.State())

			require.Equal(t, []string{
				`level=WARN msg="breaker open" stage=breaker from=closed to=open err=boom`,
				`level=INFO msg="breaker half-open" stage=breaker from=open to=half-open`,
				`level=INFO msg="breaker closed" stage=breaker from=half-open to=closed`,
			}, logs.Lines())
		})
	})
	t.Run("a panicking handler is dropped and the breaker keeps working", func(t *testing.T) {
		inner := &scripted{}
		inner.set(errBoom)
		b, err := breaker.New(inner, breaker.WithConsecutiveFailures(1),
			breaker.WithLogger(slog.New(panicHandler{slog.DiscardHandler})))
		require.NoError(t, err)
		_, err = b.Call(t.Context(), 1)
		require.ErrorIs(t, err, errBoom)
		require.Equal(t, breaker.Open, b.State())
		_, err = b.Call(t.Context(), 2)
		require.ErrorIs(t, err, breaker.ErrOpen)
	})
	t.Run("a nil logger is an error at construction", func(t *testing.T) {
		_, err := breaker.New(&scripted{}, breaker.WithLogger(nil))
		require.ErrorContains(t, err, "breaker: nil logger")
	})
}
