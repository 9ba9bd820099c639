package filter_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/filter"
)

func TestLayersPassTheContract(t *testing.T) {
	for name, l := range filters() {
		t.Run(name, func(t *testing.T) { servicetest.CheckLayer(t, l, 2) })
	}
}

func TestBadInput(t *testing.T) {
	ok := func(int) error { return nil }
	for _, inner := range []struct {
		name string
		svc  service.Service[int, int]
	}{
		{"nil", nil},
		{"a typed nil", (*servicetest.Mock[int, int])(nil)},
		{"a nil service.Func", service.Func[int, int](nil)},
	} {
		t.Run("an inner service that is "+inner.name, func(t *testing.T) {
			for _, make := range []func() (*filter.Filter[int, int], error){
				func() (*filter.Filter[int, int], error) { return filter.New(inner.svc, ok) },
				func() (*filter.Filter[int, int], error) {
					return filter.NewAsync(inner.svc, func(context.Context, int) error { return nil })
				},
				func() (*filter.Filter[int, int], error) {
					return filter.NewTransform(inner.svc, func(n int) (int, error) { return n, nil })
				},
				func() (*filter.Filter[int, int], error) {
					return filter.NewAsyncTransform(inner.svc, func(_ context.Context, n int) (int, error) { return n, nil })
				},
			} {
				f, err := make()
				require.EqualError(t, err, "filter: inner service is nil")
				assert.Nil(t, f)
			}
		})
	}
	t.Run("every layer reports a nil predicate or option when applied, as a nil interface", func(t *testing.T) {
		for _, l := range []service.Layer[int, int]{
			filter.Layer[int, int](nil), filter.AsyncLayer[int, int](nil),
			filter.TransformLayer[int, int](nil), filter.AsyncTransformLayer[int, int](nil),
			filter.Layer[int, int](ok, nil),
		} {
			svc, err := l(new(service.Scope), &counter{})
			require.ErrorContains(t, err, "filter: ")
			assert.True(t, svc == nil)
		}
	})
}

func TestAPanickingPredicateBreaksNothing(t *testing.T) {
	c := &counter{}
	f, err := filter.New[int, int](c, func(n int) error {
		if n < 0 {
			panic("predicate bug")
		}
		return nil
	})
	require.NoError(t, err)
	assert.PanicsWithValue(t, "predicate bug", func() { _, _ = f.Call(context.Background(), -1) })
	res, err := f.Call(context.Background(), 2)
	require.NoError(t, err)
	assert.Equal(t, 20, res)
}
