package adaptive_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage/adaptive"
)

func TestLayersPassTheContract(t *testing.T) {
	t.Run("Layer", func(t *testing.T) { servicetest.CheckLayer(t, adaptive.Layer[int, int](), 1) })
	t.Run("Layer with AIMD and reject", func(t *testing.T) {
		servicetest.CheckLayer(t, adaptive.Layer[int, int](adaptive.WithAIMD(), adaptive.WithReject()), 1)
	})
}

func TestAPanickingHookBreaksNothing(t *testing.T) {
	alg := &scriptAlg{next: func(s adaptive.Sample) int { return s.Limit + 1 }}
	panicky := true
	l := mustNew(t, echoInt, alg.option(), adaptive.WithInitialLimit(1), adaptive.WithMaxLimit(10),
		adaptive.WithEvents(func(service.Event) {
			if panicky {
				panic("hook")
			}
		}))
	assert.PanicsWithValue(t, "hook", func() { _, _ = l.Call(context.Background(), 1) })
	assert.Equal(t, 0, l.InFlight(), "the permit was given back")
	panicky = false
	_, err := l.Call(context.Background(), 1) // the algorithm's lock was released
	require.NoError(t, err)
	assert.Equal(t, 3, l.Limit())
}
