package spawnready_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/spawnready"
)

// Defect: New over a typed nil service that implements service.Readier panicked
// (a nil pointer dereference in its TryReady); it is an error now.
func TestNewOverATypedNilReadierIsAnError(t *testing.T) {
	var s *spawnready.SpawnReady[int, int]
	var err error
	require.NotPanics(t, func() { s, err = spawnready.New[int, int]((*scripted)(nil)) })
	require.Error(t, err)
	assert.ErrorIs(t, err, service.ErrNilService)
	assert.Nil(t, s)
}

// Defect: an events hook that panics, called on the stage's own goroutine (from the
// deferred recover of a panicking inner Ready, or for the failure that follows),
// crashed the process. A panicking hook now loses its event, never the stage or the
// process: the stage fails as it would without the hook.
func TestAPanickingEventsHookCrashesNothing(t *testing.T) {
	for _, kind := range []service.EventKind{service.EventPanicked, service.EventFailed} {
		t.Run("a hook that panics on "+kind.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				inner := newScripted()
				inner.panicWith = "dial exploded"
				hook := func(e service.Event) {
					if e.Kind == kind {
						panic("hook exploded")
					}
				}
				s, err := spawnready.New(inner, spawnready.WithEvents(hook))
				require.NoError(t, err)
				defer s.Stop(context.Background())
				err = s.Ready(t.Context())
				assert.ErrorIs(t, err, service.ErrFailed)
				assert.ErrorIs(t, err, service.ErrPanicked)
				assert.ErrorIs(t, s.TryReady(), service.ErrFailed, "the stage failed, and stays usable")
			})
		})
	}
	t.Run("a hook that panics on a failure found by a caller's TryReady", func(t *testing.T) {
		inner := newScripted()
		boom := errors.New("connection refused")
		inner.tryErr = boom
		s, err := spawnready.New(inner, spawnready.WithEvents(func(service.Event) { panic("hook exploded") }))
		require.NoError(t, err)
		defer s.Stop(context.Background())
		var tryErr error
		require.NotPanics(t, func() { tryErr = s.TryReady() })
		assert.ErrorIs(t, tryErr, boom)
		assert.ErrorIs(t, s.TryReady(), service.ErrFailed)
	})
}
