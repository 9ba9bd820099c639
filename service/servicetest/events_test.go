package servicetest_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
)

func TestEventsRecordsInOrderAndCounts(t *testing.T) {
	var r servicetest.Events
	var emit service.EventFunc = r.Emit
	emit.Emit(service.Event{Stage: "a", Kind: service.EventShed})
	emit.Emit(service.Event{Stage: "b", Kind: service.EventRetried, Attempt: 2})
	emit.Emit(service.Event{Stage: "c", Kind: service.EventShed})
	assert.Equal(t, 3, r.Len())
	assert.Equal(t, 2, r.Count(service.EventShed))
	assert.Equal(t, 1, r.Count(service.EventRetried))
	assert.Equal(t, 0, r.Count(service.EventHedged))
	all := r.All()
	assert.Equal(t, []string{"a", "b", "c"}, []string{all[0].Stage, all[1].Stage, all[2].Stage})
	all[0].Stage = "changed"
	assert.Equal(t, "a", r.All()[0].Stage, "All returns a copy")
}

func TestEventsIsSafeForConcurrentUse(t *testing.T) {
	var r servicetest.Events
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				r.Emit(service.Event{Kind: service.EventTimedOut})
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 800, r.Count(service.EventTimedOut))
}
