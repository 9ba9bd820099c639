package limit

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// state layout: the low 32 bits count the permits held, the bits above count the
// goroutines registered as waiting. Because a limit is below 1<<31, "state < n"
// means at once "nobody waits" and "a permit is free", so the fast path is one load
// and one compare-and-swap.
const (
	heldMask  = int64(1)<<32 - 1
	waiterOne = int64(1) << 32
	// MaxLimit is the largest limit [NewShared] and [New] accept.
	MaxLimit = math.MaxInt32
)

// Shared is a counting semaphore of n permits: the limit that one or more
// concurrency-limit stages obey together. Create it with [NewShared] and pass it to
// [NewWithShared] or [SharedLayer] for every service that must share the limit; it
// can also guard work that is not a service, through Acquire and Release.
//
// The zero value is not usable. All methods are safe for concurrent use.
//
// Taking a free permit is lock-free and allocation-free: one atomic load and one
// compare-and-swap; giving it back is one atomic add. When no permit is free,
// Acquire joins a first-in, first-out wait list (two small allocations, and a mutex
// held only to link and unlink), and Release hands the permit to the longest
// waiter. While anyone waits, TryAcquire and the fast path of Acquire do not barge
// ahead of the queue, so waiters cannot starve.
type Shared struct {
	_     [64]byte     // keep the hot state off the cache line of whatever precedes it
	state atomic.Int64 // held permits (low 32 bits) and registered waiters (high bits)
	_     [56]byte
	n     int64

	mu         sync.Mutex // guards the wait list
	head, tail *waiter
}

// waiter is one goroutine waiting for a permit. ready is closed when a permit has
// been taken on its behalf.
type waiter struct {
	ready      chan struct{}
	prev, next *waiter
	queued     bool
}

// NewShared returns a semaphore of n permits, 1 <= n <= [MaxLimit].
func NewShared(n int) (*Shared, error) {
	if n < 1 {
		return nil, fmt.Errorf("limit: n must be at least 1, got %d", n)
	}
	if n > MaxLimit {
		return nil, fmt.Errorf("limit: n must be at most %d, got %d", MaxLimit, n)
	}
	return &Shared{n: int64(n)}, nil
}

// Limit returns n, the number of permits.
func (s *Shared) Limit() int { return int(s.n) }

// InFlight returns the number of permits held now: calls in flight through every
// stage sharing s, unused [Permit]s, and other holders. It is a snapshot.
func (s *Shared) InFlight() int { return int(s.state.Load() & heldMask) }

// Waiting returns the number of goroutines waiting for a permit now. It is a
// snapshot.
func (s *Shared) Waiting() int { return int(s.state.Load() >> 32) }

// TryAcquire takes a permit if one is free and nobody is waiting, and reports
// whether it did. It never blocks and allocates nothing.
func (s *Shared) TryAcquire() bool {
	for {
		st := s.state.Load()
		if st >= s.n { // all permits held, or waiters queued ahead
			return false
		}
		if s.state.CompareAndSwap(st, st+1) {
			return true
		}
	}
}

// Acquire takes a permit, waiting (first in, first out) until one is free or ctx
// ends; then it returns ctx.Err() and holds nothing. A free permit is taken without
// looking at ctx, so a caller whose ctx has already ended may still get one; a
// caller that has to wait and whose ctx has already ended fails at once.
func (s *Shared) Acquire(ctx context.Context) error {
	if s.TryAcquire() {
		return nil
	}
	return s.acquireSlow(ctx)
}

// Release gives back a permit taken by Acquire or TryAcquire, handing it to the
// longest waiter if anyone waits. It never blocks for long: with nobody waiting it is
// one atomic add. Releasing more permits than are held is a bug and panics.
func (s *Shared) Release() {
	st := s.state.Add(-1)
	if st&heldMask == heldMask { // the held count was 0
		s.state.Add(1)
		panic("limit: Release of a permit that is not held")
	}
	if st >= waiterOne {
		s.mu.Lock()
		s.grantLocked()
		s.mu.Unlock()
	}
}

// Ready waits until a permit is free, bounded by ctx, and takes nothing: it joins
// the wait list like Acquire and, once given a permit, gives it back at once (to
// the next waiter, if any). It returns nil or ctx.Err(). Like every readiness in
// this library it is advisory: a call made afterwards may still have to wait.
func (s *Shared) Ready(ctx context.Context) error {
	if s.state.Load() < s.n {
		return nil
	}
	if err := s.acquireSlow(ctx); err != nil {
		return err
	}
	s.Release()
	return nil
}

// TryReady reports at once whether a permit is free and nobody is waiting: nil, or
// [ErrLimited].
func (s *Shared) TryReady() error {
	if s.state.Load() < s.n {
		return nil
	}
	return ErrLimited
}

// acquireSlow queues the caller and waits for a permit or the end of ctx.
//
// No wakeup is lost: a waiter registers (adds waiterOne) and links itself under mu,
// and then grants what is free. A releaser decrements the held count first and
// then looks at the waiter count in the value that same atomic add returned. If the
// releaser's add came first, the waiter's grant sees the free permit; if the
// waiter's registration came first, the releaser sees a waiter and grants under mu,
// after the waiter has linked itself. While anyone is registered, only holders of
// mu raise the held count (TryAcquire refuses), so a grant's check and add cannot
// overshoot n.
func (s *Shared) acquireSlow(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &waiter{ready: make(chan struct{})}
	s.mu.Lock()
	s.state.Add(waiterOne)
	s.link(w)
	s.grantLocked()
	s.mu.Unlock()

	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	if w.queued {
		s.unlink(w)
		s.state.Add(-waiterOne)
		s.grantLocked() // the waiters behind may now be first with a permit free
		s.mu.Unlock()
		return ctx.Err()
	}
	s.mu.Unlock()
	// A permit was granted as ctx ended: the caller gives up, so pass it on.
	s.Release()
	return ctx.Err()
}

// grantLocked gives free permits to waiters, oldest first. s.mu must be held.
func (s *Shared) grantLocked() {
	for w := s.head; w != nil; w = s.head {
		if s.state.Load()&heldMask >= s.n {
			return
		}
		s.state.Add(1 - waiterOne) // take a permit for w and unregister it
		s.unlink(w)
		close(w.ready)
	}
}

func (s *Shared) link(w *waiter) {
	w.queued = true
	w.prev = s.tail
	if s.tail != nil {
		s.tail.next = w
	} else {
		s.head = w
	}
	s.tail = w
}

func (s *Shared) unlink(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		s.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		s.tail = w.prev
	}
	w.prev, w.next, w.queued = nil, nil, false
}
