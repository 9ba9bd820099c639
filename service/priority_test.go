package service_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tower-go/tower/service"
)

func TestPriorityTravelsInTheContext(t *testing.T) {
	ctx := context.Background()
	assert.Equal(t, service.PriorityNormal, service.PriorityOf(ctx), "a context without a priority is normal")
	for p := service.PriorityLow; p <= service.PriorityCritical; p++ {
		assert.Equal(t, p, service.PriorityOf(service.WithPriority(ctx, p)))
	}
	inner := service.WithPriority(service.WithPriority(ctx, service.PriorityLow), service.PriorityHigh)
	assert.Equal(t, service.PriorityHigh, service.PriorityOf(inner), "the innermost priority wins")
	derived, cancel := context.WithCancel(inner)
	defer cancel()
	assert.Equal(t, service.PriorityHigh, service.PriorityOf(derived), "derived contexts keep it")
	assert.Equal(t, service.PriorityCritical, service.PriorityOf(service.WithPriority(ctx, 200)), "above critical is critical")
	assert.Equal(t, 4, service.NumPriorities)
}

func TestPriorityString(t *testing.T) {
	assert.Equal(t, "low", service.PriorityLow.String())
	assert.Equal(t, "normal", service.PriorityNormal.String())
	assert.Equal(t, "high", service.PriorityHigh.String())
	assert.Equal(t, "critical", service.PriorityCritical.String())
	assert.Equal(t, "Priority(9)", service.Priority(9).String())
}

func ExampleWithPriority() {
	ctx := service.WithPriority(context.Background(), service.PriorityHigh)
	fmt.Println(service.PriorityOf(ctx), service.PriorityOf(context.Background()))
	// Output: high normal
}
