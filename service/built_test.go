package service_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
)

type built struct{}

func (*built) Call(context.Context, int) (int, error) { return 1, nil }

func TestBuiltNeverReturnsATypedNil(t *testing.T) {
	bad := errors.New("bad config")
	svc, err := service.Built[int, int]((*built)(nil), bad)
	require.ErrorIs(t, err, bad)
	assert.True(t, svc == nil, "a failed constructor gives a nil interface, not a nil pointer inside one")

	s := &built{}
	svc, err = service.Built[int, int](s, nil)
	require.NoError(t, err)
	assert.Same(t, s, svc)
}

func TestIsTransient(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{service.ErrOverloaded, true},
		{fmt.Errorf("next token too late: %w", service.ErrOverloaded), true},
		{service.NewError("breaker: open", service.ErrUnavailable), true},
		{context.Canceled, true},
		{context.DeadlineExceeded, true},
		{service.ErrClosed, false},
		{&service.FailedError{Err: errors.New("down")}, false},
		{errors.New("connection refused"), false},
	} {
		assert.Equal(t, c.want, service.IsTransient(c.err), "%v", c.err)
	}
}
