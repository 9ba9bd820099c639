package servicetest

import (
	"sync"

	"github.com/tower-go/tower/service"
)

// Events records the events a stage emits, for tests of stages and of event hooks:
// pass its Emit method where a stage takes a service.EventFunc (WithEvents), then
// read what was emitted. The zero value is ready to use; it is safe for concurrent
// use, and Emit costs one mutex acquisition and an append.
type Events struct {
	mu  sync.Mutex
	got []service.Event
}

// Emit records e. It has the type service.EventFunc.
func (r *Events) Emit(e service.Event) {
	r.mu.Lock()
	r.got = append(r.got, e)
	r.mu.Unlock()
}

// All returns a copy of every event recorded so far, in the order they were emitted.
func (r *Events) All() []service.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]service.Event(nil), r.got...)
}

// Len returns the number of events recorded so far.
func (r *Events) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// Count returns the number of events of kind k recorded so far.
func (r *Events) Count(k service.EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.got {
		if e.Kind == k {
			n++
		}
	}
	return n
}
