package load_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/load"
	"github.com/tower-go/tower/service"
)

func TestConstant(t *testing.T) {
	t.Run("reports its cost and passes calls through", func(t *testing.T) {
		c, err := load.NewConstant[int, int](echo, 2.5)
		require.NoError(t, err)
		assert.Equal(t, 2.5, c.Load())
		got, err := c.Call(t.Context(), 7)
		require.NoError(t, err)
		assert.Equal(t, 7, got)
		got, err = c.TryCall(t.Context(), 8)
		require.NoError(t, err)
		assert.Equal(t, 8, got)
		assert.Equal(t, 2.5, c.Load(), "calls do not change the cost")
	})
	t.Run("rejects a bad cost or a nil inner service", func(t *testing.T) {
		for _, cost := range []float64{-1, math.NaN(), math.Inf(1), math.Inf(-1)} {
			_, err := load.NewConstant[int, int](echo, cost)
			require.Error(t, err, "cost %v", cost)
			assert.Contains(t, err.Error(), "load: constant:")
		}
		_, err := load.NewConstant[int, int](nil, 1)
		assert.ErrorIs(t, err, service.ErrNilService)
		var nilFunc service.Func[int, int]
		_, err = load.NewConstant[int, int](nilFunc, 1)
		assert.ErrorIs(t, err, service.ErrNilService)
		_, err = load.NewConstant[int, int](echo, math.MaxFloat64)
		assert.NoError(t, err, "a huge finite cost is valid")
	})
	t.Run("layer", func(t *testing.T) {
		svc, err := service.Apply(load.ConstantLayer[int, int](3), new(service.Scope), service.Service[int, int](echo))
		require.NoError(t, err)
		assert.Equal(t, 3.0, service.Load(svc))
		_, err = service.Apply(load.ConstantLayer[int, int](-3), new(service.Scope), service.Service[int, int](echo))
		assert.Error(t, err)
	})
	checkForwards(t, func(inner service.Service[int, int]) (service.Service[int, int], error) {
		return service.Built[int, int](load.NewConstant(inner, 1))
	})
}
