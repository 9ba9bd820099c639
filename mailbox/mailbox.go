package mailbox

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

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

// closedBit marks state as closed; the bits below it count senders inside Send.
const closedBit = int64(1) << 62

// Mailbox is a bounded queue of T. Create one with [New]; the zero value is not
// usable. All methods are safe for concurrent use.
type Mailbox[T any] struct {
	ch     chan T
	policy Overflow

	// state holds closedBit and the number of senders between their check of the
	// closed bit and the end of their send. Close waits for that number to reach
	// zero before it closes ch, so no send can race the close.
	_       [64]byte // keep the senders' counter off the lines receivers read
	state   atomic.Int64
	_       [56]byte
	closing chan struct{} // closed by Close: wakes blocked senders and Ready waiters
	idle    chan struct{} // signalled by the last sender to leave after Close
	once    sync.Once

	// Ready waiters: a receive that frees room wakes them by closing space.
	waiters atomic.Int32
	mu      sync.Mutex
	space   chan struct{}
}

// New returns an empty mailbox that holds at most capacity messages and applies
// policy when full. capacity must be at least 1.
func New[T any](capacity int, policy Overflow) (*Mailbox[T], error) {
	if capacity < 1 {
		return nil, fmt.Errorf("mailbox: capacity must be at least 1, got %d", capacity)
	}
	if policy != Wait && policy != FailFast {
		return nil, fmt.Errorf("mailbox: unknown overflow policy %d", uint8(policy))
	}
	return &Mailbox[T]{
		ch:      make(chan T, capacity),
		policy:  policy,
		closing: make(chan struct{}),
		idle:    make(chan struct{}, 1),
		space:   make(chan struct{}),
	}, nil
}

// Send queues v. When the mailbox is full it follows the overflow policy: it waits
// for room (returning ctx.Err() if ctx ends first) or fails at once with ErrFull.
// It returns ErrClosed if the mailbox is closed, or closes while Send waits.
func (m *Mailbox[T]) Send(ctx context.Context, v T) error {
	if !m.enter() {
		return ErrClosed
	}
	defer m.leave()
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
	if !m.enter() {
		return ErrClosed
	}
	defer m.leave()
	select {
	case m.ch <- v:
		return nil
	default:
		return ErrFull
	}
}

func (m *Mailbox[T]) enter() bool {
	if m.state.Add(1)&closedBit != 0 {
		m.leave()
		return false
	}
	return true
}

func (m *Mailbox[T]) leave() {
	if m.state.Add(-1) == closedBit {
		// Last sender out after Close: let Close go on. Later senders that only
		// looked at the closed bit may signal again; the buffer of one absorbs it.
		select {
		case m.idle <- struct{}{}:
		default:
		}
	}
}

// Receive takes the oldest message, waiting until there is one. It returns false
// once the mailbox is closed and empty.
func (m *Mailbox[T]) Receive() (T, bool) {
	v, ok := <-m.ch
	m.freed()
	return v, ok
}

// ReceiveContext is Receive bounded by ctx: it returns ctx.Err() if ctx ends before
// a message arrives, and ErrClosed once the mailbox is closed and empty.
func (m *Mailbox[T]) ReceiveContext(ctx context.Context) (T, error) {
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
	m.mu.Lock()
	close(m.space)
	m.space = make(chan struct{})
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
	if m.state.Load()&closedBit != 0 {
		return ErrClosed
	}
	if len(m.ch) >= cap(m.ch) {
		return ErrFull
	}
	return nil
}

// Close stops the mailbox taking messages. Senders waiting for room return
// ErrClosed, and so does every later send. Messages already queued stay receivable;
// once they are received (or drained), Receive reports the mailbox closed. Close
// waits only for senders that are inside a send to leave it, which they do at once.
// Calling Close more than once is safe.
func (m *Mailbox[T]) Close() {
	m.once.Do(func() {
		old := m.state.Or(closedBit)
		close(m.closing)
		if old != 0 {
			<-m.idle
		}
		close(m.ch)
	})
}

// Drain takes every message still queued, without waiting, and hands each to fn in
// queue order. Call it after Close to answer the senders of messages that will never
// be served. It returns the number drained. Messages are shared with concurrent
// receivers: each goes to exactly one of them.
func (m *Mailbox[T]) Drain(fn func(T)) int {
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

// Closed reports whether Close has been called.
func (m *Mailbox[T]) Closed() bool { return m.state.Load()&closedBit != 0 }

// Len returns the number of messages queued now. Cap returns the capacity. Load
// metrics read them at any time; the answer may be stale as soon as it is returned.
func (m *Mailbox[T]) Len() int { return len(m.ch) }

// Cap returns the mailbox's capacity.
func (m *Mailbox[T]) Cap() int { return cap(m.ch) }

// Policy returns the mailbox's overflow policy.
func (m *Mailbox[T]) Policy() Overflow { return m.policy }
