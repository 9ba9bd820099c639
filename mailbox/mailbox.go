package mailbox

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/tower-go/tower/service"
)

// Errors returned by a mailbox. ErrFull matches service.ErrOverloaded and ErrClosed
// matches service.ErrClosed under errors.Is.
var (
	ErrFull   = service.NewError("mailbox: full", service.ErrOverloaded)
	ErrClosed = service.NewError("mailbox: closed", service.ErrClosed)
)

// Overflow is what a send does when the mailbox is full.
type Overflow uint8

const (
	// Wait blocks the sender until there is room, its ctx ends, or the mailbox closes.
	Wait Overflow = iota
	// FailFast fails the send at once with ErrFull.
	FailFast
)

// String returns "wait" or "fail-fast".
func (o Overflow) String() string {
	switch o {
	case Wait:
		return "wait"
	case FailFast:
		return "fail-fast"
	}
	return fmt.Sprintf("Overflow(%d)", uint8(o))
}

// MaxCapacity is the largest capacity [New] accepts. A mailbox's buffer is
// allocated whole at construction, so a bound far beyond any useful queue (a
// million waiting calls is seconds of queueing delay even for fast services) is
// refused with an error rather than allocated, or left to panic inside make.
const MaxCapacity = 1 << 20

// MaxBufferBytes is the largest buffer [New] allocates: capacity times the size of
// T must not exceed it. It keeps a mailbox of large values from allocating
// gigabytes up front.
const MaxBufferBytes = 1 << 30

// Mailbox is a bounded queue of T. Create one with [New]; the zero value is not
// usable. All methods are safe for concurrent use.
type Mailbox[T any] struct {
	ch     chan T
	policy Overflow

	// Senders hold gate's read side from their check of closed to the end of their
	// send; Close sets closed, closes closing (waking senders that wait for room)
	// and then takes the write side, so it waits only for the senders already
	// inside a send, which leave at once. A sender that arrives after closed is set
	// fails without touching gate, and Go's RWMutex lets no new reader in once a
	// writer waits, so callers that keep sending cannot hold Close up.
	_       [64]byte // keep the senders' lock off the lines receivers read
	gate    sync.RWMutex
	closed  atomic.Bool
	_       [48]byte
	closing chan struct{} // closed by Close: wakes blocked senders and Ready waiters
	once    sync.Once

	// Ready waiters: a receive that frees room wakes them by closing space, which
	// the first waiter makes (so that a mailbox nobody waits on costs no channel).
	waiters atomic.Int32
	mu      sync.Mutex
	space   chan struct{}

	q *queue[T] // a managed mailbox's queue (see options.go); nil for a plain one
}

// New returns an empty mailbox that holds at most capacity messages and applies
// policy when full. capacity must be between 1 and [MaxCapacity], and capacity
// times the size of T at most [MaxBufferBytes]. With no option it is a plain
// bounded FIFO queue over a buffered channel; [WithQueueDelay] and [WithPriority]
// make it a managed mailbox that sheds (they need [WithDrop]). A nil option is an
// error.
func New[T any](capacity int, policy Overflow, opts ...Option[T]) (*Mailbox[T], error) {
	if capacity < 1 {
		return nil, fmt.Errorf("mailbox: capacity must be at least 1, got %d", capacity)
	}
	if capacity > MaxCapacity {
		return nil, fmt.Errorf("mailbox: capacity must be at most %d (mailbox.MaxCapacity), got %d", MaxCapacity, capacity)
	}
	var zero T
	if size := uint64(unsafe.Sizeof(zero)); size > 0 && uint64(capacity) > MaxBufferBytes/size {
		return nil, fmt.Errorf("mailbox: capacity %d of %d-byte messages exceeds %d bytes (mailbox.MaxBufferBytes)", capacity, size, MaxBufferBytes)
	}
	if policy != Wait && policy != FailFast {
		return nil, fmt.Errorf("mailbox: unknown overflow policy %d", uint8(policy))
	}
	var c config[T]
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("mailbox: option %d of %d is nil", i+1, len(opts))
		}
		o(&c)
	}
	managed, err := c.check()
	if err != nil {
		return nil, err
	}
	m := &Mailbox[T]{
		policy:  policy,
		closing: make(chan struct{}),
	}
	if managed {
		m.q = newQueue(capacity, &c)
	} else {
		m.ch = make(chan T, capacity)
	}
	return m, nil
}

// Send queues v. When the mailbox is full it follows the overflow policy: it waits
// for room (returning ctx.Err() if ctx ends first) or fails at once with ErrFull.
// It returns ErrClosed if the mailbox is closed, or closes while Send waits.
func (m *Mailbox[T]) Send(ctx context.Context, v T) error {
	if m.q != nil {
		return m.sendManaged(ctx, v, m.policy == Wait)
	}
	if !m.enter() {
		return ErrClosed
	}
	defer m.gate.RUnlock()
	select {
	case m.ch <- v:
		return nil
	default:
	}
	if m.policy == FailFast {
		return ErrFull
	}
	select {
	case m.ch <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-m.closing:
		return ErrClosed
	}
}

// TrySend queues v if there is room now and fails at once with ErrFull otherwise,
// whatever the overflow policy. It returns ErrClosed if the mailbox is closed.
func (m *Mailbox[T]) TrySend(v T) error {
	if m.q != nil {
		return m.sendManaged(context.Background(), v, false)
	}
	if !m.enter() {
		return ErrClosed
	}
	defer m.gate.RUnlock()
	select {
	case m.ch <- v:
		return nil
	default:
		return ErrFull
	}
}

// enter takes gate's read side for a send, or reports false (holding nothing) if
// the mailbox is closed. The first look at closed keeps senders that arrive after
// Close off gate; the second, under gate, catches a Close that came in between
// (Close has then finished: it held the write side before this RLock returned).
func (m *Mailbox[T]) enter() bool {
	if m.closed.Load() {
		return false
	}
	m.gate.RLock()
	if m.closed.Load() {
		m.gate.RUnlock()
		return false
	}
	return true
}

// Receive takes the oldest message, waiting until there is one. It returns false
// once the mailbox is closed and empty.
func (m *Mailbox[T]) Receive() (T, bool) {
	if m.q != nil {
		return m.receiveManaged()
	}
	v, ok := <-m.ch
	m.freed()
	return v, ok
}

// ReceiveContext is Receive bounded by ctx: it returns ctx.Err() if ctx ends before
// a message arrives, and ErrClosed once the mailbox is closed and empty.
func (m *Mailbox[T]) ReceiveContext(ctx context.Context) (T, error) {
	if m.q != nil {
		return m.receiveContextManaged(ctx)
	}
	select {
	case v, ok := <-m.ch:
		if !ok {
			return v, ErrClosed
		}
		m.freed()
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// TryReceive takes the oldest message if there is one, without waiting.
func (m *Mailbox[T]) TryReceive() (T, bool) {
	if m.q != nil {
		return m.tryReceiveManaged()
	}
	select {
	case v, ok := <-m.ch:
		if ok {
			m.freed()
		}
		return v, ok
	default:
		var zero T
		return zero, false
	}
}

// freed wakes Ready waiters after a receive made room. It costs one atomic load
// when nobody waits.
func (m *Mailbox[T]) freed() {
	if m.waiters.Load() == 0 {
		return
	}
	m.wakeWaiters()
}

// wakeWaiters is freed's slow path, apart so that freed and Receive inline.
func (m *Mailbox[T]) wakeWaiters() {
	m.mu.Lock()
	if m.space != nil {
		close(m.space)
		m.space = nil // the next waiter makes a new one
	}
	m.mu.Unlock()
}

// Ready waits until the mailbox has room for a message. It returns nil when there
// is room, ctx.Err() if ctx ends first, and ErrClosed if the mailbox is closed.
// Readiness reserves nothing: a send after Ready may still find the mailbox full.
func (m *Mailbox[T]) Ready(ctx context.Context) error {
	for {
		if err := m.TryReady(); err != ErrFull {
			return err
		}
		m.mu.Lock()
		m.waiters.Add(1)
		if m.space == nil {
			m.space = make(chan struct{})
		}
		space := m.space
		m.mu.Unlock()
		// Look again after registering, so that a receive between the first look
		// and the registration is not missed.
		if err := m.TryReady(); err != ErrFull {
			m.waiters.Add(-1)
			return err
		}
		select {
		case <-space:
			m.waiters.Add(-1)
		case <-ctx.Done():
			m.waiters.Add(-1)
			return ctx.Err()
		case <-m.closing:
			m.waiters.Add(-1)
			return ErrClosed
		}
	}
}

// TryReady reports at once whether the mailbox has room: nil, ErrFull or ErrClosed.
func (m *Mailbox[T]) TryReady() error {
	if m.closed.Load() {
		return ErrClosed
	}
	if m.q != nil {
		if len(m.q.room) >= m.q.capacity {
			return ErrFull
		}
		return nil
	}
	if len(m.ch) >= cap(m.ch) {
		return ErrFull
	}
	return nil
}

// Close stops the mailbox taking messages. Senders waiting for room return
// ErrClosed, and so does every later send. Messages already queued stay receivable;
// once they are received (or drained), Receive reports the mailbox closed. Close
// waits only for senders that are inside a send to leave it, which they do at once;
// senders that keep arriving cannot hold it up, as they fail without entering.
// Calling Close more than once is safe.
func (m *Mailbox[T]) Close() {
	m.once.Do(func() {
		m.closed.Store(true)
		close(m.closing)
		m.gate.Lock() // the senders inside a send have left, and no other can enter
		if m.q != nil {
			close(m.q.avail)
		} else {
			close(m.ch)
		}
		m.gate.Unlock()
	})
}

// Drain takes every message still queued, without waiting, and hands each to fn in
// queue order. Call it after Close to answer the senders of messages that will never
// be served. It returns the number drained. Messages are shared with concurrent
// receivers: each goes to exactly one of them.
func (m *Mailbox[T]) Drain(fn func(T)) int {
	if m.q != nil {
		return m.drainManaged(fn)
	}
	n := 0
	for {
		v, ok := m.TryReceive()
		if !ok {
			return n
		}
		fn(v)
		n++
	}
}

// Closing returns a channel that is closed when Close is called: the way a
// goroutine that waits on something else learns that the mailbox closed.
func (m *Mailbox[T]) Closing() <-chan struct{} { return m.closing }

// Closed reports whether Close has been called.
func (m *Mailbox[T]) Closed() bool { return m.closed.Load() }

// Len returns the number of messages queued now. Cap returns the capacity. Load
// metrics read them at any time; the answer may be stale as soon as it is returned.
func (m *Mailbox[T]) Len() int {
	if m.q != nil {
		return int(m.q.n.Load())
	}
	return len(m.ch)
}

// Cap returns the mailbox's capacity.
func (m *Mailbox[T]) Cap() int {
	if m.q != nil {
		return m.q.capacity
	}
	return cap(m.ch)
}

// Policy returns the mailbox's overflow policy.
func (m *Mailbox[T]) Policy() Overflow { return m.policy }
