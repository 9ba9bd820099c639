package timeout

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// deadlineCtx is the context an inner service sees: its parent with an earlier
// deadline. It does what context.WithDeadline does, for one allocation (the struct)
// instead of about four and a timer:
//
//   - Deadline answers from two words (a base reading and an offset).
//   - Done is made on first use. Only then is a timer armed (time.AfterFunc) and the
//     parent's cancellation propagated (context.AfterFunc); a call whose inner
//     service never asks for Done pays for neither.
//   - Err is consistent with Done. Once Done exists, Err is nil until Done is
//     closed. Before that, Err reads the clock and the parent, and what it reports
//     is final (Done, if asked for later, is then closed at once).
//   - AfterFunc lets context.WithCancel and context.AfterFunc children register
//     without a goroutine (see the stdlib's propagateCancel).
//   - release, when the call returns, cancels it with context.Canceled (unless it
//     already ended), as the cancel function of context.WithDeadline would.
//
// Value delegates to the parent, except for the key context.Cause looks up: the
// parent's cause is this context's cause only if the parent's end is what ended it
// (see Value).
//
// Two differences from context.WithDeadline remain, both because the context
// package offers no synchronous hook to a type outside it:
//
//   - If the parent ends and the deadline passes before anything asks this context
//     (Err, Done, AfterFunc), which came first is unknown; Err reports the parent's
//     error (unless it is a deadline of its own, which is later than this one).
//   - A parent's cancellation reaches Done, and this context's end reaches its
//     children, through a goroutine (context.AfterFunc), not by the time the
//     cancel function returns. Err does look at the parent, so it reports a
//     parent's cancellation as soon as the parent does.
type deadlineCtx struct {
	parent context.Context
	base   *time.Time
	at     time.Duration // the deadline, as an offset from *base
	err    atomic.Pointer[errBox]
	slow   atomic.Pointer[slowState]
}

// errBox holds an error so that it can be swapped atomically. fromParent is set
// when the parent's end ended the context (and its cause is then the parent's).
type errBox struct {
	err        error
	fromParent bool
}

var (
	boxCanceled       = &errBox{err: context.Canceled}
	boxDeadline       = &errBox{err: context.DeadlineExceeded}
	boxParentCanceled = &errBox{err: context.Canceled, fromParent: true}
	boxParentDeadline = &errBox{err: context.DeadlineExceeded, fromParent: true}
)

// parentBox is the box for an end that the parent's error pe caused.
func parentBox(pe error) *errBox {
	switch pe {
	case nil, context.Canceled:
		return boxParentCanceled
	case context.DeadlineExceeded:
		return boxParentDeadline
	}
	return &errBox{err: pe, fromParent: true}
}

// endedBy returns the box for an end that the parent's error pe (non-nil) shows,
// when nothing looked at the context earlier. A parent that ended by a deadline of
// its own while this one has passed too ended later (the stage passes a parent
// with an earlier or equal deadline through): the deadline came first.
func (c *deadlineCtx) endedBy(pe error) *errBox {
	if pe == context.DeadlineExceeded && c.expired() {
		return boxDeadline
	}
	return parentBox(pe)
}

// cancelCtxKey is the key context.Cause passes to Value to find the nearest
// context the context package can cancel (its own unexported &cancelCtxKey),
// found by asking Cause once. nil if Cause ever stops asking.
var cancelCtxKey = func() any {
	var p keyProbe
	_ = context.Cause(&p)
	return p.key
}()

// keyProbe is an ended context that records the key Value is asked for.
type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Err() error { return context.Canceled }

func (p *keyProbe) Value(key any) any {
	p.key = key
	return nil
}

// slowState exists once Done or AfterFunc was asked for. done, timer and
// stopParent are set before it is published and never change; the rest is
// guarded by mu.
type slowState struct {
	done       chan struct{}
	timer      *time.Timer
	stopParent func() bool

	mu     sync.Mutex
	closed bool
	funcs  map[*afterFunc]struct{}
}

type afterFunc struct{ f func() }

func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.base.Add(c.at), true }

// Value delegates to the parent. For the key context.Cause asks, it answers nil
// (so that Cause reports Err) unless the parent ended this context: a parent's
// cause is this context's only if the parent ended first, as with
// context.WithDeadline.
func (c *deadlineCtx) Value(key any) any {
	if cancelCtxKey != nil && key == cancelCtxKey {
		if b := c.err.Load(); b == nil || !b.fromParent {
			return nil
		}
	}
	return c.parent.Value(key)
}

func (c *deadlineCtx) Done() <-chan struct{} {
	if s := c.slow.Load(); s != nil {
		return s.done
	}
	return c.arm().done
}

func (c *deadlineCtx) Err() error {
	if b := c.err.Load(); b != nil {
		if s := c.slow.Load(); s != nil {
			<-s.done // closed right after err is set; never report an error before Done closes
		}
		return b.err
	}
	if c.slow.Load() != nil {
		// Done exists: the timer and the parent decide. The parent's end reaches
		// Done in a goroutine; the children of a standard parent have ended by the
		// time its cancel returns, so look at the parent as they would.
		if pe := c.parent.Err(); pe != nil {
			c.end(parentBox(pe))
			return c.Err()
		}
		return nil
	}
	if pe := c.parent.Err(); pe != nil {
		c.end(c.endedBy(pe))
	} else if c.expired() {
		c.end(boxDeadline)
	} else {
		return nil
	}
	return c.Err()
}

// AfterFunc arranges to call f in its own goroutine once the context ends, as
// context.AfterFunc does; the returned stop unregisters f.
func (c *deadlineCtx) AfterFunc(f func()) (stop func() bool) {
	s := c.slow.Load()
	if s == nil {
		s = c.arm()
	}
	a := &afterFunc{f: f}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	if s.funcs == nil {
		s.funcs = make(map[*afterFunc]struct{})
	}
	s.funcs[a] = struct{}{}
	s.mu.Unlock()
	return func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ok := s.funcs[a]
		delete(s.funcs, a)
		return ok
	}
}

func (c *deadlineCtx) String() string {
	dl, _ := c.Deadline()
	var parent string
	if s, ok := c.parent.(fmt.Stringer); ok {
		parent = s.String()
	} else {
		parent = fmt.Sprintf("%T", c.parent)
	}
	return parent + ".WithDeadline(" + dl.String() + " [" + time.Until(dl).String() + "])"
}

// expired reports whether the deadline has passed, by the clock.
func (c *deadlineCtx) expired() bool { return time.Since(*c.base) >= c.at }

// end ends the context with b unless it has already ended. Whoever sets err first
// closes Done if it exists; arm closes it if it is published afterwards. Both
// sides write one atomic and then read the other (sequentially consistent), so at
// least one of them sees both and closes.
func (c *deadlineCtx) end(b *errBox) {
	if c.err.CompareAndSwap(nil, b) {
		if s := c.slow.Load(); s != nil {
			s.close()
		}
	}
}

// release ends the context when the call returns, with context.Canceled unless it
// has ended already. If nothing watches it (no Done), the parent and the clock are
// looked at first: the deadline, or the parent's end, may have come before the
// return unseen, and then it is what Err reports later, as with
// context.WithDeadline.
func (c *deadlineCtx) release() {
	if c.err.Load() == nil && c.slow.Load() == nil {
		if pe := c.parent.Err(); pe != nil {
			c.end(c.endedBy(pe))
		} else if c.expired() {
			c.end(boxDeadline)
		}
	}
	c.end(boxCanceled)
}

func (c *deadlineCtx) onDeadline() { c.end(boxDeadline) }

func (c *deadlineCtx) onParentDone() { c.end(parentBox(c.parent.Err())) }

// arm builds the slow state (Done channel, timer, propagation of the parent's
// cancellation) and publishes it, or returns the one another goroutine published.
func (c *deadlineCtx) arm() *slowState {
	s := &slowState{done: make(chan struct{})}
	if c.err.Load() == nil {
		if pd := c.parent.Done(); pd != nil {
			select {
			case <-pd:
				c.err.CompareAndSwap(nil, c.endedBy(c.parent.Err()))
			default:
				s.stopParent = context.AfterFunc(c.parent, c.onParentDone)
			}
		}
		if c.err.Load() == nil {
			if d := c.at - time.Since(*c.base); d <= 0 {
				c.err.CompareAndSwap(nil, boxDeadline)
			} else {
				s.timer = time.AfterFunc(d, c.onDeadline)
			}
		}
	}
	if !c.slow.CompareAndSwap(nil, s) {
		s.stop() // another goroutine armed first; its state serves
		w := c.slow.Load()
		// This goroutine may have set err above after the winner looked at it, and
		// the winner's timer or parent callback then finds err set and closes
		// nothing: whoever sets err must close Done (as end does).
		if c.err.Load() != nil {
			w.close()
		}
		return w
	}
	if c.err.Load() != nil {
		s.close()
	}
	return s
}

// close closes Done, releases the timer and the parent registration, and runs the
// registered AfterFunc functions, once.
func (s *slowState) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	funcs := s.funcs
	s.funcs = nil
	s.mu.Unlock()
	s.stop()
	for a := range funcs {
		go a.f()
	}
}

func (s *slowState) stop() {
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.stopParent != nil {
		s.stopParent()
	}
}
