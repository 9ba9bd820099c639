package supervisor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/supervisor"
)

func TestPanicRestartsTheChildBehindTheSameRef(t *testing.T) {
	rec := &recorder{}
	s := newSup(t, supervisor.Config{Name: "root", Events: rec.emit})
	f := &flaky{}
	c := addFlaky(t, s, "echo", f, nil)
	ref := c.Ref()
	ctx := context.Background()

	got, err := ref.Call(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, "a@1", got)

	_, err = ref.Call(ctx, "panic")
	require.ErrorIs(t, err, service.ErrFailed, "the call in flight gets a failure")
	require.ErrorIs(t, err, service.ErrPanicked, "that wraps the panic")
	var pe *service.PanicError
	require.ErrorAs(t, err, &pe)
	assert.NotEmpty(t, pe.Stack())

	got, err = ref.Call(ctx, "b")
	require.NoError(t, err, "the next call waits for the new instance")
	assert.Equal(t, "b@2", got)
	assert.Equal(t, 1, c.Restarts())
	eventually(t, func() bool { return rec.count("root/echo", service.EventStateChanged, supervisor.StateRestarted) == 1 })
	assert.Equal(t, 1, rec.count("root/echo", service.EventFailed, ""))
	assert.Equal(t, 1, rec.count("root/echo", service.EventStateChanged, supervisor.StateStarted))
}
