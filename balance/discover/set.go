package discover

import (
	"context"
	"sync"
)

// setState turns a series of whole sets (each resolution's answer) into changes.
// It remembers what the consumer has been told (delivered) and queues the diff
// between that and the latest set; a newer set replaces the queue, so a consumer
// that falls behind sees the net change, and memory is bounded by the sets' size.
type setState[K comparable, V comparable] struct {
	mu        sync.Mutex
	delivered map[K]V
	queue     []Change[K, V] // delivered -> latest set, not yet taken
	wake      chan struct{}  // closed and replaced when queue or closed changes
	closed    bool
}

func newSetState[K comparable, V comparable]() *setState[K, V] {
	return &setState[K, V]{delivered: make(map[K]V), wake: make(chan struct{})}
}

// set makes entries the latest set. Inserts come first, in the order of entries,
// then removes, so that a consumer applying them never empties its set needlessly.
func (s *setState[K, V]) set(entries []Entry[K, V]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = s.queue[:0]
	seen := make(map[K]struct{}, len(entries))
	for _, e := range entries {
		if _, dup := seen[e.Key]; dup {
			continue
		}
		seen[e.Key] = struct{}{}
		if v, ok := s.delivered[e.Key]; !ok || v != e.Value {
			s.queue = append(s.queue, Insert(e.Key, e.Value))
		}
	}
	for k := range s.delivered {
		if _, ok := seen[k]; !ok {
			s.queue = append(s.queue, Remove[K, V](k))
		}
	}
	if len(s.queue) > 0 {
		s.broadcastLocked()
	}
}

func (s *setState[K, V]) broadcastLocked() {
	close(s.wake)
	s.wake = make(chan struct{})
}

func (s *setState[K, V]) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.broadcastLocked()
	}
}

// next takes the first queued change, waiting for one bounded by ctx. A change
// already queued is returned even if ctx has ended.
func (s *setState[K, V]) next(ctx context.Context) (Change[K, V], error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Change[K, V]{}, ErrClosed
		}
		if len(s.queue) > 0 {
			c := s.queue[0]
			s.queue = s.queue[1:]
			if c.Op == OpInsert {
				s.delivered[c.Key] = c.Value
			} else {
				delete(s.delivered, c.Key)
			}
			s.mu.Unlock()
			return c, nil
		}
		wake := s.wake
		s.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return Change[K, V]{}, err
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return Change[K, V]{}, ctx.Err()
		}
	}
}
