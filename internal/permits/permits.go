// Package permits is the counting semaphore with a first-in, first-out wait list
// that the concurrency limits of the module share: package limit's fixed limit
// (limit.Shared) and package adaptive's moving one. It is one implementation so
// that the lock-free fast path, the no-lost-wakeup argument and the hand-over to
// waiters are written, and tested, once.
package permits

import (
	"context"
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
	// Max is the largest limit a Queue takes.
	Max = math.MaxInt32
)

// Queue is a counting semaphore of Limit permits with a FIFO wait list.
//
// Taking a free permit is lock-free and allocation-free: one atomic load and one
// compare-and-swap; giving it back is one atomic add. When no permit is free,
// Acquire joins the wait list (a mutex held only to link and unlink), and Release
// hands the permit to the longest waiter. While anyone waits, TryAcquire does not
// barge ahead of the queue, so waiters cannot starve.
//
// The limit may move ([Queue.SetLimit]): growing it lets waiters in at once;
// shrinking it cuts no holder short, and new callers wait until fewer than the new
// limit hold permits. A TryAcquire racing with a shrink may still take a permit
// under the old limit.
//
// The zero value is a queue with a limit of 0: every Acquire waits for its ctx.
// Callers that expose a Queue reject a zero limit where it is passed in. A Queue
// must not be copied after first use. It is safe for concurrent use.
type Queue struct {
	_     [64]byte     // keep the hot state off the cache line of whatever precedes it
	state atomic.Int64 // held permits (low 32 bits) and registered waiters (high bits)
	_     [56]byte
	n     atomic.Int64 // the limit: read on every acquire, written rarely

	// reuse keeps the waiters of calls that waited for later waits, so that a
	// wait allocates nothing in the steady state. A waiter's channel belongs to
	// the testing/synctest bubble that made it, so a queue that is shared across
	// bubbles (a package-level limit) must not reuse them.
	reuse bool

	mu         sync.Mutex // guards the wait list and the free list
	head, tail *waiter
	free       *waiter
	nfree      int
}

// waiter is one goroutine waiting for a permit. ch (buffered) receives the permit
// taken on its behalf; held is the number of permits held just after that.
type waiter struct {
	ch         chan struct{}
	prev, next *waiter
	queued     bool
	prio       uint8 // higher first; equal priorities first in, first out
	held       int64
}

// maxFree bounds the free list of waiters.
const maxFree = 256

// Init sets the limit of a queue not yet in use, 0 <= n <= [Max], and whether it
// reuses waiters (see the reuse field). It must be called before any other method.
func (q *Queue) Init(n int, reuse bool) {
	q.n.Store(int64(n))
	q.reuse = reuse
}

// Limit returns the limit.
func (q *Queue) Limit() int { return int(q.n.Load()) }

// Held returns the number of permits held now. It is a snapshot.
func (q *Queue) Held() int { return int(q.state.Load() & heldMask) }

// Waiting returns the number of goroutines waiting for a permit now. It is a
// snapshot.
func (q *Queue) Waiting() int { return int(q.state.Load() >> 32) }

// Free reports whether a permit is free and nobody waits.
func (q *Queue) Free() bool { return q.state.Load() < q.n.Load() }

// TryAcquire takes a permit if one is free and nobody is waiting. It returns the
// number of permits held with this one, or 0 if it took none. It never blocks and
// allocates nothing.
func (q *Queue) TryAcquire() int {
	for {
		st := q.state.Load()
		if st >= q.n.Load() { // all permits held, or waiters queued ahead
			return 0
		}
		if q.state.CompareAndSwap(st, st+1) {
			return int(st + 1)
		}
	}
}

// TryAcquireReserve is TryAcquire that leaves reserve permits free: it takes a
// permit only if, with it, at most Limit-reserve are held and nobody is waiting.
// A reserve of 0 is TryAcquire; a reserve at or above the limit takes nothing.
// It never blocks and allocates nothing.
func (q *Queue) TryAcquireReserve(reserve int) int {
	for {
		st := q.state.Load()
		if st >= q.n.Load()-int64(reserve) { // the reserve would be touched, or waiters queued ahead
			return 0
		}
		if q.state.CompareAndSwap(st, st+1) {
			return int(st + 1)
		}
	}
}

// Acquire takes a permit, waiting (first in, first out) until one is free or ctx
// ends; then it returns ctx.Err() and holds nothing. It returns the number of
// permits held with this one. A free permit is taken without looking at ctx; a
// caller that has to wait and whose ctx has already ended fails at once.
func (q *Queue) Acquire(ctx context.Context) (int, error) {
	if n := q.TryAcquire(); n > 0 {
		return n, nil
	}
	return q.AcquireSlow(ctx)
}

// Release gives back a permit, handing it to the longest waiter if anyone waits.
// With nobody waiting it is one atomic add. It reports false, and changes nothing,
// if no permit was held: the caller's bug, which it reports in its own words.
func (q *Queue) Release() bool {
	st := q.state.Add(-1)
	if st&heldMask == heldMask { // the held count was 0
		q.state.Add(1)
		return false
	}
	if st >= waiterOne {
		q.mu.Lock()
		q.grantLocked()
		q.mu.Unlock()
	}
	return true
}

// SetLimit moves the limit to n, 0 <= n <= [Max]. If it grows, waiters are let in
// at once.
//
// No wakeup is lost: SetLimit stores n and then loads the state; a waiter adds
// itself to the state and then (under mu) loads n. Whichever comes second sees
// the other: either the waiter's grant sees the new limit, or SetLimit sees the
// waiter and grants under mu.
func (q *Queue) SetLimit(n int) {
	q.n.Store(int64(n))
	if q.state.Load() >= waiterOne {
		q.mu.Lock()
		q.grantLocked()
		q.mu.Unlock()
	}
}

// Ready waits until a permit is free, bounded by ctx, and takes nothing: it joins
// the wait list like Acquire and, once given a permit, gives it back at once (to
// the next waiter, if any). It returns nil or ctx.Err().
func (q *Queue) Ready(ctx context.Context) error {
	if q.Free() {
		return nil
	}
	if _, err := q.AcquireSlow(ctx); err != nil {
		return err
	}
	q.Release()
	return nil
}

// AcquireSlow queues the caller and waits for a permit or the end of ctx. It is
// Acquire after a failed TryAcquire.
//
// No wakeup is lost: a waiter registers (adds waiterOne) and links itself under mu,
// and then grants what is free. A releaser decrements the held count first and
// then looks at the waiter count in the value that same atomic add returned. If the
// releaser's add came first, the waiter's grant sees the free permit; if the
// waiter's registration came first, the releaser sees a waiter and grants under mu,
// after the waiter has linked itself. While anyone is registered, only holders of
// mu raise the held count (TryAcquire refuses), so a grant's check and add cannot
// overshoot the limit.
func (q *Queue) AcquireSlow(ctx context.Context) (int, error) {
	return q.AcquireSlowPriority(ctx, 0)
}

// AcquireSlowPriority is AcquireSlow for a waiter of priority p: the wait list
// is ordered by priority, highest first (first in, first out within one), so a
// released permit goes to the oldest waiter of the highest priority waiting.
// Joining the list costs a walk back over the waiters of lower priority.
func (q *Queue) AcquireSlowPriority(ctx context.Context, p uint8) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var w *waiter
	if !q.reuse { // allocate outside the lock, which the releasers are waiting for
		w = &waiter{ch: make(chan struct{}, 1)}
	}
	q.mu.Lock()
	if w == nil {
		w = q.getWaiterLocked()
	}
	w.prio = p
	q.state.Add(waiterOne)
	q.link(w)
	q.grantLocked()
	q.mu.Unlock()

	select {
	case <-w.ch:
		held := w.held // written before the send
		q.putWaiter(w)
		return int(held), nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	if w.queued {
		q.unlink(w)
		q.state.Add(-waiterOne)
		q.grantLocked() // the waiters behind may now be first with a permit free
		q.putWaiterLocked(w)
		q.mu.Unlock()
		return 0, ctx.Err()
	}
	q.mu.Unlock()
	// A permit was granted as ctx ended: the caller gives up, so pass it on.
	<-w.ch
	q.putWaiter(w)
	q.Release()
	return 0, ctx.Err()
}

// grantLocked gives free permits to waiters, oldest first. q.mu must be held.
func (q *Queue) grantLocked() {
	for w := q.head; w != nil; w = q.head {
		if q.state.Load()&heldMask >= q.n.Load() {
			return
		}
		st := q.state.Add(1 - waiterOne) // take a permit for w and unregister it
		q.unlink(w)
		w.held = st & heldMask
		w.ch <- struct{}{}
	}
}

func (q *Queue) getWaiterLocked() *waiter {
	w := q.free
	if w == nil {
		return &waiter{ch: make(chan struct{}, 1)}
	}
	q.free, w.next = w.next, nil
	q.nfree--
	return w
}

func (q *Queue) putWaiter(w *waiter) {
	if !q.reuse {
		return
	}
	q.mu.Lock()
	q.putWaiterLocked(w)
	q.mu.Unlock()
}

func (q *Queue) putWaiterLocked(w *waiter) {
	if !q.reuse || q.nfree >= maxFree {
		return
	}
	w.prev, w.next, w.held, w.prio = nil, q.free, 0, 0
	q.free = w
	q.nfree++
}

// link puts w after the last waiter of its priority or higher.
func (q *Queue) link(w *waiter) {
	w.queued = true
	after := q.tail
	for after != nil && after.prio < w.prio {
		after = after.prev
	}
	w.prev = after
	if after == nil {
		w.next = q.head
		q.head = w
	} else {
		w.next = after.next
		after.next = w
	}
	if w.next != nil {
		w.next.prev = w
	} else {
		q.tail = w
	}
}

func (q *Queue) unlink(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		q.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		q.tail = w.prev
	}
	w.prev, w.next, w.queued = nil, nil, false
}
