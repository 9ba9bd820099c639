package adaptive

import "context"

// Permits: the limiter's mutex guards the in-flight count and a FIFO list of
// waiting callers. A caller that finds no free permit queues a waiter and blocks
// on its channel; whoever frees a permit (a call ending, the limit growing) hands
// it to the oldest waiter under the lock. Each limiter keeps a free list of
// waiters (at most maxFree), so a call that waits allocates nothing in the steady
// state. The list is per limiter, not a sync.Pool, because a waiter's channel
// belongs to the testing/synctest bubble that made it.

type waiter struct {
	ch         chan struct{} // buffered: receives the permit
	prev, next *waiter
	granted    bool // set under the lock when the permit was handed over
	inFlight   int  // the in-flight count, this call included, when granted
}

// maxFree bounds a limiter's free list of waiters.
const maxFree = 256

func (l *Limiter[Req, Res]) getWaiterLocked() *waiter {
	w := l.free
	if w == nil {
		return &waiter{ch: make(chan struct{}, 1)}
	}
	l.free, w.next = w.next, nil
	l.nfree--
	return w
}

func (l *Limiter[Req, Res]) putWaiterLocked(w *waiter) {
	w.granted = false
	if l.nfree < maxFree {
		w.prev, w.next = nil, l.free
		l.free = w
		l.nfree++
	}
}

// acquire takes a permit, waiting for one (bounded by ctx) if wait is set. It
// returns the number of calls in flight with this one.
func (l *Limiter[Req, Res]) acquire(ctx context.Context, wait bool) (int, error) {
	l.mu.Lock()
	if l.inFlight < int(l.limit.Load()) && l.head == nil {
		l.inFlight++
		n := l.inFlight
		l.mu.Unlock()
		return n, nil
	}
	if !wait {
		l.mu.Unlock()
		l.cfg.events.Emit(shedEvent)
		return 0, ErrLimitReached
	}
	if err := ctx.Err(); err != nil {
		l.mu.Unlock()
		return 0, err
	}
	w := l.getWaiterLocked()
	l.pushLocked(w)
	l.mu.Unlock()

	select {
	case <-w.ch:
		l.mu.Lock()
		n := w.inFlight
		l.putWaiterLocked(w)
		l.mu.Unlock()
		return n, nil
	case <-ctx.Done():
	}
	l.mu.Lock()
	if !w.granted {
		l.unlinkLocked(w)
		l.putWaiterLocked(w)
		l.mu.Unlock()
		return 0, ctx.Err()
	}
	// The permit arrived as ctx ended: give it back.
	<-w.ch
	l.putWaiterLocked(w)
	l.inFlight--
	l.grantLocked()
	l.mu.Unlock()
	return 0, ctx.Err()
}

// release gives a permit back without a sample.
func (l *Limiter[Req, Res]) release() {
	l.mu.Lock()
	l.inFlight--
	l.grantLocked()
	l.mu.Unlock()
}

// grantLocked hands free permits to the oldest waiters.
func (l *Limiter[Req, Res]) grantLocked() {
	for l.head != nil && l.inFlight < int(l.limit.Load()) {
		w := l.head
		l.unlinkLocked(w)
		l.inFlight++
		w.granted = true
		w.inFlight = l.inFlight
		w.ch <- struct{}{}
	}
}

func (l *Limiter[Req, Res]) pushLocked(w *waiter) {
	w.prev, w.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
}

func (l *Limiter[Req, Res]) unlinkLocked(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.prev, w.next = nil, nil
}
