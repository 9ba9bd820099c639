package fallback_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/fallback"
)

var _ service.TryCaller[int, int] = (*fallback.Fallback[int, int])(nil)

// CheckLayer expects a permanent failure of the inner service to show in the
// stage's readiness. A fallback whose test accepts that failure reads as ready
// instead, by design (its function answers), so the check runs with a test that
// answers only errBoom; TestAFailedInnerServiceReadsAsReadyAndTheFunctionAnswers
// covers the default.
func TestCheckLayer(t *testing.T) {
	onlyBoom := fallback.When(func(err error) bool { return errors.Is(err, errBoom) })
	servicetest.CheckLayer(t, fallback.Layer[int, int](answer, onlyBoom), 1)
}

func TestReadinessFollowsTheTest(t *testing.T) {
	onlyBoom := fallback.When(func(err error) bool { return errors.Is(err, errBoom) })
	f, err := fallback.New[int, int](broken{}, answer, onlyBoom)
	require.NoError(t, err)
	require.ErrorIs(t, f.TryReady(), errDown, "a failure the function would not answer shows")
	require.ErrorIs(t, f.Ready(context.Background()), errDown)
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		inner service.Service[int, int]
		fn    fallback.Func[int, int]
		opts  []fallback.Option
		want  string
	}{
		{"nil inner", nil, answer, nil, "fallback: inner service is nil"},
		{"typed-nil inner", (*servicetest.Mock[int, int])(nil), answer, nil, "fallback: inner service is nil"},
		{"nil Func inner", service.Func[int, int](nil), answer, nil, "fallback: inner service is nil"},
		{"nil function", failing(nil), nil, nil, "fallback: function is nil"},
		{"nil When", failing(nil), answer, []fallback.Option{fallback.When(nil)}, "fallback: When function is nil"},
		{"nil option", failing(errBoom), answer, []fallback.Option{nil}, ""},
		{"nil events hook", failing(errBoom), answer, []fallback.Option{fallback.WithEvents(nil)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := fallback.New(tc.inner, tc.fn, tc.opts...)
			svc, lerr := fallback.Layer(tc.fn, tc.opts...)(new(service.Scope), tc.inner)
			if tc.want == "" {
				require.NoError(t, err)
				require.NoError(t, lerr)
				res, err := f.Call(context.Background(), 1)
				require.NoError(t, err)
				assert.Equal(t, 100, res)
				return
			}
			require.EqualError(t, err, tc.want)
			assert.Nil(t, f)
			require.EqualError(t, lerr, tc.want)
			assert.True(t, svc == nil)
		})
	}
}
