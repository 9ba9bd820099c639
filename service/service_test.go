package service_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
)

type ctxKey struct{}

func TestFuncCallsTheFunction(t *testing.T) {
	boom := errors.New("boom")
	f := service.Func[int, string](func(ctx context.Context, n int) (string, error) {
		if n < 0 {
			return "", boom
		}
		return ctx.Value(ctxKey{}).(string) + ":" + string(rune('0'+n)), nil
	})
	var s service.Service[int, string] = f
	ctx := context.WithValue(t.Context(), ctxKey{}, "v")

	res, err := s.Call(ctx, 7)
	require.NoError(t, err)
	assert.Equal(t, "v:7", res, "the request and the caller's ctx reach the function")

	_, err = s.Call(ctx, -1)
	assert.ErrorIs(t, err, boom)

	_, isReadier := s.(service.Readier)
	assert.False(t, isReadier, "a Func has no bound, so no readiness of its own")
}
