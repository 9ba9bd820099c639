package fallback_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/fallback"
)

var errBoom = errors.New("boom")

func failing(err error) service.Func[int, int] {
	return func(_ context.Context, r int) (int, error) {
		if err != nil {
			return -1, err
		}
		return r, nil
	}
}

func answer(_ context.Context, r int, _ error) (int, error) { return r * 100, nil }

func TestNew(t *testing.T) {
	tests := []struct {
		name  string
		inner service.Service[int, int]
		fn    fallback.Func[int, int]
		opts  []fallback.Option
		want  string
	}{
		{"a nil service is refused", nil, answer, nil, "fallback: inner service is nil"},
		{"a nil function is refused", failing(nil), nil, nil, "fallback: function is nil"},
		{"a nil When is refused", failing(nil), answer, []fallback.Option{fallback.When(nil)}, "fallback: When function is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := fallback.New(tt.inner, tt.fn, tt.opts...)
			require.EqualError(t, err, tt.want)
			assert.Nil(t, f)
			svc, err := fallback.Layer(tt.fn, tt.opts...)(new(service.Scope), tt.inner)
			require.Error(t, err)
			assert.True(t, svc == nil, "the layer must return an untyped nil service")
		})
	}
}

func TestCall(t *testing.T) {
	onlyBoom := fallback.When(func(err error) bool { return errors.Is(err, errBoom) })
	tests := []struct {
		name     string
		innerErr error
		opts     []fallback.Option
		canceled bool
		wantRes  int
		wantErr  error
		fellBack bool
	}{
		{"a success is returned as it is", nil, nil, false, 1, nil, false},
		{"a failure is answered by the function", errBoom, nil, false, 100, nil, true},
		{"a deadline error is answered while the caller's ctx lives", context.DeadlineExceeded, nil, false, 100, nil, true},
		{"context.Canceled is not answered", context.Canceled, nil, false, -1, context.Canceled, false},
		{"the caller's ended ctx is not answered", errBoom, nil, true, -1, errBoom, false},
		{"When chooses the errors answered", errBoom, []fallback.Option{onlyBoom}, false, 100, nil, true},
		{"When refuses the others", service.ErrOverloaded, []fallback.Option{onlyBoom}, false, -1, service.ErrOverloaded, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events []service.Event
			opts := append([]fallback.Option{fallback.WithEvents(func(e service.Event) { events = append(events, e) })}, tt.opts...)
			f, err := fallback.New(failing(tt.innerErr), answer, opts...)
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.canceled {
				cancel()
			}
			defer cancel()
			res, err := f.Call(ctx, 1)
			assert.Equal(t, tt.wantRes, res)
			assert.Equal(t, tt.wantErr, err)
			if tt.fellBack {
				assert.Equal(t, []service.Event{{Stage: "fallback", Kind: service.EventFallback, Err: tt.innerErr}}, events)
			} else {
				assert.Empty(t, events)
			}
		})
	}
	t.Run("the function gets the request and the inner error and may fail", func(t *testing.T) {
		errFallback := errors.New("no fallback either")
		var gotReq int
		var gotErr error
		f, err := fallback.New(failing(errBoom), func(_ context.Context, r int, err error) (int, error) {
			gotReq, gotErr = r, err
			return 0, errFallback
		})
		require.NoError(t, err)
		_, err = f.Call(context.Background(), 7)
		assert.Same(t, errFallback, err)
		assert.Equal(t, 7, gotReq)
		assert.Same(t, errBoom, gotErr)
	})
}

// full is an inner service that is never ready and refuses TryCall.
type full struct{ service.Func[int, int] }

func (full) Ready(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
func (full) TryReady() error                 { return service.ErrOverloaded }

func TestReadiness(t *testing.T) {
	f, err := fallback.New[int, int](full{failing(nil)}, answer)
	require.NoError(t, err)
	assert.ErrorIs(t, f.TryReady(), service.ErrOverloaded, "readiness is forwarded")
	_, err = service.TryCall[int, int](context.Background(), f, 2)
	require.ErrorIs(t, err, service.ErrOverloaded, "a refusal is returned at once, not answered: the request was not accepted")
	res, err := f.Call(context.Background(), 2)
	require.NoError(t, err)
	assert.Equal(t, 2, res)
}

func TestNoAllocations(t *testing.T) {
	f, err := fallback.New(failing(nil), answer)
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(1000, func() { _, _ = f.Call(context.Background(), 1) }))
}

// broken is an inner service whose readiness failed for good.
type broken struct{}

var errDown = errors.New("backend down")

func (broken) Call(context.Context, int) (int, error) { return 0, &service.FailedError{Err: errDown} }
func (broken) Ready(context.Context) error            { return &service.FailedError{Err: errDown} }
func (broken) TryReady() error                        { return &service.FailedError{Err: errDown} }

func TestAFailedInnerServiceReadsAsReadyAndTheFunctionAnswers(t *testing.T) {
	f, err := fallback.New[int, int](broken{}, func(_ context.Context, x int, err error) (int, error) {
		return -x, nil
	})
	require.NoError(t, err)
	require.NoError(t, f.Ready(context.Background()), "the function answers, so the stage is ready")
	require.NoError(t, f.TryReady())
	v, err := f.Call(context.Background(), 3)
	require.NoError(t, err)
	assert.Equal(t, -3, v)
	v, err = f.TryCall(context.Background(), 4)
	require.NoError(t, err)
	assert.Equal(t, -4, v)
}
