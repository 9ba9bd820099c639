package loadshed_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/mailbox"
	"github.com/tower-go/tower/stage/loadshed"
)

// TestOverAnActor sheds at an actor's full mailbox, through its TryCall, even
// though the actor's own policy is to wait.
func TestOverAnActor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGated()
		a, err := actor.Spawn[int, int](g, 1, actor.WithWorkers(1), actor.WithOverflow(mailbox.Wait))
		require.NoError(t, err)
		defer a.Stop(context.Background())
		svc, _ := loadshed.New[int, int](a)
		errs := make(chan error, 2)
		for i := range 2 { // one served, one queued
			go func() { _, err := svc.Call(context.Background(), i); errs <- err }()
			synctest.Wait()
		}
		_, err = svc.Call(context.Background(), 3)
		require.ErrorIs(t, err, loadshed.ErrShed)
		require.ErrorIs(t, err, mailbox.ErrFull)
		close(g.release)
		require.NoError(t, <-errs)
		require.NoError(t, <-errs)
	})
}
