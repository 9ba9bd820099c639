package discover

import (
	"context"
	"fmt"
	"sync"
)

// Static is a source of a fixed list of endpoints: it delivers one insert per
// entry, in the order given, and then ends (Next returns [ErrEnded]).
//
// The zero value is not usable; build one with [NewStatic]. It is safe for
// concurrent use, never blocks, starts no goroutine and allocates nothing per
// change.
type Static[K comparable, V any] struct {
	mu      sync.Mutex
	entries []Entry[K, V]
	next    int
}

var _ Source[string, int] = (*Static[string, int])(nil)

// NewStatic returns a source of entries. It returns an error if two entries have
// the same key. An empty list is valid: the source ends at once.
func NewStatic[K comparable, V any](entries ...Entry[K, V]) (*Static[K, V], error) {
	seen := make(map[K]struct{}, len(entries))
	for _, e := range entries {
		if _, dup := seen[e.Key]; dup {
			return nil, fmt.Errorf("discover: static: key %v given twice", e.Key)
		}
		seen[e.Key] = struct{}{}
	}
	return &Static[K, V]{entries: append([]Entry[K, V](nil), entries...)}, nil
}

// Next returns the next entry as an insert, ctx.Err() if ctx has ended, or
// [ErrEnded] once every entry has been delivered. It never blocks.
func (s *Static[K, V]) Next(ctx context.Context) (Change[K, V], error) {
	if err := ctx.Err(); err != nil {
		return Change[K, V]{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next >= len(s.entries) {
		return Change[K, V]{}, ErrEnded
	}
	e := s.entries[s.next]
	s.next++
	return Insert(e.Key, e.Value), nil
}
