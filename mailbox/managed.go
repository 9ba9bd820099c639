package mailbox

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/service"
)

// The managed mailbox: what New builds when WithQueueDelay or WithPriority is
// given. Messages wait in one double-ended queue per priority under a mutex; two
// token channels carry the blocking: room holds a token for each message queued or
// being queued (its capacity is the mailbox's, so a full room channel is a full
// mailbox and a sender waits on it as on the plain mailbox's channel), avail a
// token for each message queued and not yet claimed by a receiver (so a receiver
// waits on it, and closing it after the last sender left ends the receivers once
// every token is taken). A receiver that claims a token takes exactly one message
// out, served or shed; a priority shed swaps a message for another and moves no
// token.

// slot is one queued message and when it was queued (nanoseconds since the
// mailbox's epoch).
type slot[T any] struct {
	v  T
	at int64
}

// deque is a ring of slots that grows, by doubling, up to the mailbox's capacity.
type deque[T any] struct {
	buf     []slot[T]
	head, n int
}

func (d *deque[T]) pushBack(s slot[T], capacity int) {
	if d.n == len(d.buf) {
		nb := make([]slot[T], min(max(8, 2*len(d.buf)), capacity))
		for i := range d.n {
			nb[i] = d.buf[(d.head+i)%len(d.buf)]
		}
		d.buf, d.head = nb, 0
	}
	d.buf[(d.head+d.n)%len(d.buf)] = s
	d.n++
}

func (d *deque[T]) front() *slot[T] { return &d.buf[d.head] }

func (d *deque[T]) popFront() slot[T] {
	s := d.buf[d.head]
	d.buf[d.head] = slot[T]{}
	d.head = (d.head + 1) % len(d.buf)
	d.n--
	return s
}

func (d *deque[T]) popBack() slot[T] {
	i := (d.head + d.n - 1) % len(d.buf)
	s := d.buf[i]
	d.buf[i] = slot[T]{}
	d.n--
	return s
}

// queue is the state of a managed mailbox.
type queue[T any] struct {
	room     chan struct{}
	avail    chan struct{}
	capacity int
	epoch    time.Time
	codel    bool
	target   int64 // ns
	interval int64 // ns
	priority func(T) service.Priority
	drop     DropFunc[T]

	mu     sync.Mutex
	levels []deque[T] // by priority, lowest first; one level without WithPriority
	n      atomic.Int64
	// belowAt is the last time a receive found the oldest message at or below
	// target; shedAt the last time one shed for delay (valid once shed is set).
	belowAt int64
	shedAt  int64
	shed    bool
	// The receives of the current target-long window and of the last whole one:
	// how many calls the receivers take in one target, the queue that drains
	// within it.
	winStart, winCount, perTarget int64
	// admit bounds the queue while overloaded: a send that finds admit or more
	// messages queued is refused at once with ErrQueueDelay (its sender never
	// waits to be shed). -1 while the mailbox is not overloaded.
	admit atomic.Int64

	shedDelay    atomic.Uint64
	shedPriority atomic.Uint64
}

func newQueue[T any](capacity int, c *config[T]) *queue[T] {
	q := &queue[T]{
		room:     make(chan struct{}, capacity),
		avail:    make(chan struct{}, capacity),
		capacity: capacity,
		epoch:    time.Now(),
		codel:    c.setDelay,
		target:   int64(c.target),
		interval: int64(c.interval),
		priority: c.priority,
		drop:     c.drop,
	}
	levels := 1
	if q.priority != nil {
		levels = service.NumPriorities
	}
	q.levels = make([]deque[T], levels)
	q.admit.Store(-1)
	return q
}

func (q *queue[T]) now() int64 { return int64(time.Since(q.epoch)) }

func (q *queue[T]) level(v T) int {
	if q.priority == nil {
		return 0
	}
	return int(min(q.priority(v), service.PriorityCritical))
}

// push queues v at level p; the caller holds a room token and sends an avail
// token after.
func (q *queue[T]) push(v T, p int, at int64) {
	q.mu.Lock()
	q.levels[p].pushBack(slot[T]{v: v, at: at}, q.capacity)
	q.n.Add(1)
	q.mu.Unlock()
}

// evict swaps v (level p) for the oldest queued message of the lowest level below
// p, if there is one, and returns that message and how long it waited.
func (q *queue[T]) evict(v T, p int, at int64) (victim T, waited time.Duration, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i := range p {
		d := &q.levels[i]
		if d.n == 0 {
			continue
		}
		s := d.popFront()
		q.levels[p].pushBack(slot[T]{v: v, at: at}, q.capacity)
		return s.v, time.Duration(at - s.at), true
	}
	return victim, 0, false
}

// pick takes one message out for a receiver that claimed a token: either the one
// to serve or, while overloaded, one to shed for queue delay (shed is then true).
func (q *queue[T]) pick() (v T, shed bool, waited time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	lifo := false
	if q.codel {
		now := q.now()
		if d := now - q.winStart; d >= q.target {
			q.perTarget = q.winCount * q.target / d
			q.winStart, q.winCount = now, 0
		}
		oldest := int64(-1)
		for i := range q.levels {
			if d := &q.levels[i]; d.n > 0 && (oldest < 0 || d.front().at < oldest) {
				oldest = d.front().at
			}
		}
		if oldest >= 0 && now-oldest > q.target {
			// Above target since the oldest crossed it, or since a receive last saw
			// the mailbox below, whichever is later.
			lifo = true
			since := max(oldest+q.target, q.belowAt)
			if now-since >= q.interval || (q.shed && now-q.shedAt < q.interval) {
				q.admit.Store(max(q.perTarget, 1))
				for i := range q.levels { // lowest priority first
					d := &q.levels[i]
					if d.n > 0 && now-d.front().at > q.target {
						s := d.popFront()
						q.n.Add(-1)
						q.shed, q.shedAt = true, now
						return s.v, true, time.Duration(now - s.at)
					}
				}
			}
		} else {
			q.belowAt = now
			q.admit.Store(-1)
		}
		q.winCount++
	}
	for i := len(q.levels) - 1; i >= 0; i-- { // highest priority first
		d := &q.levels[i]
		if d.n == 0 {
			continue
		}
		var s slot[T]
		if lifo {
			s = d.popBack()
		} else {
			s = d.popFront()
		}
		q.n.Add(-1)
		return s.v, false, 0
	}
	panic("mailbox: a receive token without a message") // the token invariant broke
}

// popOldest takes the oldest message of the lowest level, for Drain.
func (q *queue[T]) popOldest() T {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i := range q.levels {
		if d := &q.levels[i]; d.n > 0 {
			q.n.Add(-1)
			return d.popFront().v
		}
	}
	panic("mailbox: a receive token without a message")
}

// sendManaged is Send (wait true, for the Wait policy) or TrySend on a managed
// mailbox. A message shed to make room is handed to the drop function after the
// send has left the gate.
func (m *Mailbox[T]) sendManaged(ctx context.Context, v T, wait bool) error {
	if !m.enter() {
		return ErrClosed
	}
	q := m.q
	p := q.level(v)
	at := q.now()
	if lim := q.admit.Load(); lim >= 0 && q.n.Load() >= lim {
		// Overloaded, and the queue already holds what the receivers take in one
		// target: refuse now rather than queue a message only to shed it later,
		// unless a message of a lower priority can make room.
		if p > 0 && q.priority != nil {
			if victim, waited, ok := q.evict(v, p, at); ok {
				m.gate.RUnlock()
				q.shedPriority.Add(1)
				q.drop(victim, ErrPriority, waited)
				return nil
			}
		}
		m.gate.RUnlock()
		q.shedDelay.Add(1)
		return ErrQueueDelay
	}
	select {
	case q.room <- struct{}{}:
		q.push(v, p, at)
		q.avail <- struct{}{}
		m.gate.RUnlock()
		return nil
	default:
	}
	if p > 0 && q.priority != nil {
		if victim, waited, ok := q.evict(v, p, at); ok {
			m.gate.RUnlock()
			q.shedPriority.Add(1)
			q.drop(victim, ErrPriority, waited)
			return nil
		}
	}
	if !wait {
		m.gate.RUnlock()
		return ErrFull
	}
	defer m.gate.RUnlock()
	select {
	case q.room <- struct{}{}:
		q.push(v, p, q.now())
		q.avail <- struct{}{}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-m.closing:
		return ErrClosed
	}
}

// took finishes a claimed token: it picks the message, frees its room, and either
// returns it (served) or hands it to the drop function and reports false.
func (m *Mailbox[T]) took() (T, bool) {
	q := m.q
	v, shed, waited := q.pick()
	<-q.room
	m.freed()
	if shed {
		q.shedDelay.Add(1)
		q.drop(v, ErrQueueDelay, waited)
		var zero T
		return zero, false
	}
	return v, true
}

func (m *Mailbox[T]) receiveManaged() (T, bool) {
	for {
		if _, ok := <-m.q.avail; !ok {
			var zero T
			return zero, false
		}
		if v, ok := m.took(); ok {
			return v, true
		}
	}
}

func (m *Mailbox[T]) receiveContextManaged(ctx context.Context) (T, error) {
	var zero T
	for {
		select {
		case _, ok := <-m.q.avail:
			if !ok {
				return zero, ErrClosed
			}
			if v, ok := m.took(); ok {
				return v, nil
			}
		case <-ctx.Done():
			return zero, ctx.Err()
		}
	}
}

func (m *Mailbox[T]) tryReceiveManaged() (T, bool) {
	var zero T
	for {
		select {
		case _, ok := <-m.q.avail:
			if !ok {
				return zero, false
			}
			if v, ok := m.took(); ok {
				return v, true
			}
		default:
			return zero, false
		}
	}
}

func (m *Mailbox[T]) drainManaged(fn func(T)) int {
	q := m.q
	n := 0
	for {
		select {
		case _, ok := <-q.avail:
			if !ok {
				return n
			}
			v := q.popOldest()
			<-q.room
			m.freed()
			fn(v)
			n++
		default:
			return n
		}
	}
}

// Stats counts what a mailbox shed. A mailbox that is not managed sheds nothing.
type Stats struct {
	ShedDelay    uint64 // messages shed for queue delay (ErrQueueDelay)
	ShedPriority uint64 // messages shed for a higher priority (ErrPriority)
}

// Stats returns the mailbox's counts so far. It is safe to call at any time.
func (m *Mailbox[T]) Stats() Stats {
	if m.q == nil {
		return Stats{}
	}
	return Stats{ShedDelay: m.q.shedDelay.Load(), ShedPriority: m.q.shedPriority.Load()}
}

// Managed reports whether the mailbox sheds by queue delay or priority.
func (m *Mailbox[T]) Managed() bool { return m.q != nil }
