package limit

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/internal/permits"
)

// MaxLimit is the largest limit [NewShared] and [New] accept.
const MaxLimit = permits.Max

// errZeroShared is the error of a zero Shared, which has no permits.
var errZeroShared = errors.New("limit: zero Shared has no permits (make one with NewShared)")

// Shared is a counting semaphore of n permits: the limit that one or more
// concurrency-limit stages obey together. Create it with [NewShared] and pass it to
// [NewWithShared] or [SharedLayer] for every service that must share the limit; it
// can also guard work that is not a service, through Acquire and Release.
//
// The zero value is not usable: it has no permits. [NewWithShared] and
// [SharedLayer] reject it, and its Acquire and Ready fail at once with an error
// instead of waiting for a permit that cannot come. All methods are safe for
// concurrent use. A Shared must not be copied after first use.
//
// Taking a free permit is lock-free and allocation-free: one atomic load and one
// compare-and-swap; giving it back is one atomic add. When no permit is free,
// Acquire joins a first-in, first-out wait list (two small allocations, and a mutex
// held only to link and unlink), and Release hands the permit to the longest
// waiter. While anyone waits, TryAcquire and the fast path of Acquire do not barge
// ahead of the queue, so waiters cannot starve. The semaphore is the one package
// adaptive uses too.
type Shared struct {
	q permits.Queue
}

// NewShared returns a semaphore of n permits, 1 <= n <= [MaxLimit].
func NewShared(n int) (*Shared, error) {
	if n < 1 {
		return nil, fmt.Errorf("limit: n must be at least 1, got %d", n)
	}
	if n > MaxLimit {
		return nil, fmt.Errorf("limit: n must be at most %d, got %d", MaxLimit, n)
	}
	s := new(Shared)
	// Waiters are not reused: a Shared is often package-level and may serve
	// calls from several testing/synctest bubbles, whose channels must not mix.
	s.q.Init(n, false)
	return s, nil
}

// check reports a nil or zero Shared where one is passed in.
func (s *Shared) check() error {
	switch {
	case s == nil:
		return errors.New("limit: shared limit is nil")
	case s.q.Limit() < 1:
		return errZeroShared
	}
	return nil
}

// Limit returns n, the number of permits.
func (s *Shared) Limit() int { return s.q.Limit() }

// InFlight returns the number of permits held now: calls in flight through every
// stage sharing s, unused [Permit]s, and other holders. It is a snapshot.
func (s *Shared) InFlight() int { return s.q.Held() }

// Waiting returns the number of goroutines waiting for a permit now. It is a
// snapshot.
func (s *Shared) Waiting() int { return s.q.Waiting() }

// TryAcquire takes a permit if one is free and nobody is waiting, and reports
// whether it did. It never blocks and allocates nothing.
func (s *Shared) TryAcquire() bool { return s.q.TryAcquire() > 0 }

// Acquire takes a permit, waiting (first in, first out) until one is free or ctx
// ends; then it returns ctx.Err() and holds nothing. A free permit is taken without
// looking at ctx, so a caller whose ctx has already ended may still get one; a
// caller that has to wait and whose ctx has already ended fails at once.
func (s *Shared) Acquire(ctx context.Context) error {
	if s.q.TryAcquire() > 0 {
		return nil
	}
	return s.acquireSlow(ctx, 0)
}

func (s *Shared) acquireSlow(ctx context.Context, priority uint8) error {
	if s.q.Limit() < 1 {
		return errZeroShared
	}
	_, err := s.q.AcquireSlowPriority(ctx, priority)
	return err
}

// Release gives back a permit taken by Acquire or TryAcquire, handing it to the
// longest waiter if anyone waits. It never blocks for long: with nobody waiting it is
// one atomic add. Releasing more permits than are held is a bug and panics.
func (s *Shared) Release() {
	if !s.q.Release() {
		panic("limit: Release of a permit that is not held")
	}
}

// Ready waits until a permit is free, bounded by ctx, and takes nothing: it joins
// the wait list like Acquire and, once given a permit, gives it back at once (to
// the next waiter, if any). It returns nil or ctx.Err(). Like every readiness in
// this library it is advisory: a call made afterwards may still have to wait.
func (s *Shared) Ready(ctx context.Context) error {
	if s.q.Free() {
		return nil
	}
	if s.q.Limit() < 1 {
		return errZeroShared
	}
	return s.q.Ready(ctx)
}

// TryReady reports at once whether a permit is free and nobody is waiting: nil, or
// [ErrLimited].
func (s *Shared) TryReady() error {
	if s.q.Free() {
		return nil
	}
	return ErrLimited
}
