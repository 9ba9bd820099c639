package timeout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzContextDifferential runs a schedule of operations, derived from the fuzz
// bytes, on the context the stage gives an inner service and on
// context.WithTimeout over the same parent, inside a testing/synctest bubble so
// that deadlines are exact, and compares the two after every step.
//
// data[0] picks the parent, data[1] the stage's duration; every later byte is one
// operation (low four bits) with an argument (high four bits); see step.
//
// One difference is inherent to a context that looks at its parent only when
// asked (see deadlineCtx): when the deadline passes and then the parent is
// canceled before anything asks, the stage's context reports the parent's end.
// The harness checks that it reports exactly that, and ends the schedule there.
func FuzzContextDifferential(f *testing.F) {
	for _, seed := range [][]byte{
		{pBackground, 3, opErr, opSleep | 2<<4, opErr, opCause, opDone, opCheck},
		{pBackground, 3, opDone, opSleep | 1<<4, opCheck, opSleep, opCheck, opRelease},
		{pCancel, 3, opDone, opCancel | 1<<4, opErr, opCause, opCheck},
		{pCancelCause, 3, opChild, opAfter, opReader, opCancelCause | 1<<4, opCause, opCheck},
		{pCancelCause, 3, opErr, opRelease, opCancelCause | 1<<4, opCause, opCheck},
		{pCanceledCause, 3, opCause, opDone, opChild, opCheck},
		{pCanceled, 3, opDone, opErr, opCheck},
		{pEarlier, 3, opDeadline, opDone, opSleep | 5<<4, opCheck},
		{pEqual, 3, opDeadline, opSleep | 5<<4, opErr, opCheck},
		{pLaterCause, 3, opSleep | 8<<4, opCause, opCheck},
		{pLaterCause, 3, opDone, opSleep | 8<<4, opCause, opCheck},
		{pCustom, 3, opDone, opCancelCause, opCheck, opCause},
		{pCustom, 3, opCancelCause, opErr, opCause, opDone},
		{pCustomAF, 3, opChild, opAfter, opCancel, opCheck, opAfterStop},
		{pWrapped, 3, opDone, opCancelCause | 1<<4, opCause, opCheck},
		{pValue, 3, opDeadline, opCancelCause, opCause, opRelease, opCheck},
		{pWithoutCancel, 3, opDone, opCancel, opSleep | 2<<4, opCheck},
		{pBackground, 3, opSleep | 2<<4, opRelease, opErr, opCause},
		{pCancelCause, 3, opCancelCause, opRelease, opCause, opCheck},
		{pCancel, 3, opAfter, opAfter, opAfterStop, opRelease, opAfterStop | 1<<4, opCheck},
		{pCancel, 3, opChild, opChildCancel, opSleep | 4<<4, opReader, opCheck},
		{pCancel, 3, opSleep | 5<<4, opCancel, opErr},  // the known difference
		{pCustom, 3, opSleep | 5<<4, opCancel, opDone}, // the known difference, through arm
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 || len(data) > 64 {
			return
		}
		synctest.Test(t, func(t *testing.T) { runSchedule(t, data) })
	})
}

// Parents.
const (
	pBackground    = iota
	pCancel        // context.WithCancel
	pCancelCause   // context.WithCancelCause
	pCanceled      // canceled before the call
	pCanceledCause // canceled with a cause before the call
	pEarlier       // a deadline earlier than the stage's: passed through
	pEqual         // the same deadline as the stage's: passed through
	pLaterCause    // context.WithDeadlineCause, later than the stage's, cancelable
	pCustom        // a non-standard Context with a channel of its own
	pCustomAF      // a non-standard Context with an AfterFunc method
	pWrapped       // a struct embedding a WithCancelCause context
	pValue         // context.WithValue over a WithCancelCause context
	pWithoutCancel // context.WithoutCancel: Done is nil
	nParents
)

// Operations.
const (
	opSleep        = iota // arg 0: 1ns; 1: to the deadline less 1ns; 2: to the deadline; n: (n-2) ms
	opErr                 // compare Err
	opDone                // ask both for Done, compare whether it is closed
	opCause               // compare context.Cause
	opDeadline            // compare Deadline and Value
	opCancel              // cancel the parent without a cause (arg&1: compare Err at once)
	opCancelCause         // cancel the parent with a cause (arg&1: compare Err at once)
	opRelease             // the call returns: the stage's release, the standard cancel
	opChild               // context.WithCancel on both
	opChildCancel         // cancel child arg
	opAfter               // context.AfterFunc on both
	opAfterStop           // stop AfterFunc arg, compare the results
	opReader              // a goroutine on each that waits for Done and records Err and Cause
	opCheck               // synctest.Wait, then compare everything
	opSleep2              // sleep (arg+1) ms
	opValueOfCause        // context.Cause of a WithValue child
)

type valKey struct{}

type customKey struct{}

var errCause = errors.New("the parent's cause")

// customParent is a Context the context package knows nothing of.
type customParent struct {
	mu   sync.Mutex
	done chan struct{}
	err  error
}

func newCustomParent() *customParent { return &customParent{done: make(chan struct{})} }

func (p *customParent) Deadline() (time.Time, bool) { return time.Time{}, false }
func (p *customParent) Done() <-chan struct{}       { return p.done }

func (p *customParent) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *customParent) Value(key any) any {
	if key == (customKey{}) {
		return "custom"
	}
	return nil
}

func (p *customParent) cancel(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
		close(p.done)
	}
}

// customAFParent is a customParent with an AfterFunc method (it runs f in a
// goroutine of its own, as context.AfterFunc does).
type customAFParent struct {
	*customParent
	amu   sync.Mutex
	funcs map[*func()]struct{}
}

func (p *customAFParent) AfterFunc(f func()) func() bool {
	p.amu.Lock()
	defer p.amu.Unlock()
	if p.Err() != nil {
		go f()
		return func() bool { return false }
	}
	k := &f
	p.funcs[k] = struct{}{}
	return func() bool {
		p.amu.Lock()
		defer p.amu.Unlock()
		_, ok := p.funcs[k]
		delete(p.funcs, k)
		return ok
	}
}

func (p *customAFParent) cancel(err error) {
	p.amu.Lock()
	defer p.amu.Unlock()
	if p.Err() != nil {
		return
	}
	p.customParent.cancel(err)
	for k := range p.funcs {
		go (*k)()
	}
	p.funcs = nil
}

type wrapped struct{ context.Context }

// parentFor builds parent kind k for a stage of duration d. cancel is nil for a
// parent that cannot be canceled; standard reports whether the context package
// propagates its cancellation to its children synchronously.
func parentFor(k byte, d time.Duration) (parent context.Context, cancel func(cause error), standard bool) {
	withCause := func(ctx context.Context, c context.CancelCauseFunc) (context.Context, func(error), bool) {
		return ctx, func(cause error) { c(cause) }, true
	}
	switch k % nParents {
	case pCancel:
		ctx, c := context.WithCancel(context.Background())
		return ctx, func(error) { c() }, true
	case pCancelCause:
		return withCause(context.WithCancelCause(context.Background()))
	case pCanceled:
		ctx, c := context.WithCancel(context.Background())
		c()
		return ctx, nil, true
	case pCanceledCause:
		ctx, c := context.WithCancelCause(context.Background())
		c(errCause)
		return ctx, nil, true
	case pEarlier:
		ctx, c := context.WithDeadline(context.Background(), time.Now().Add(d/2))
		return ctx, func(error) { c() }, true
	case pEqual:
		ctx, c := context.WithDeadline(context.Background(), time.Now().Add(d))
		return ctx, func(error) { c() }, true
	case pLaterCause:
		ctx, c := context.WithDeadlineCause(context.Background(), time.Now().Add(d+time.Millisecond), errCause)
		return ctx, func(error) { c() }, true
	case pCustom:
		p := newCustomParent()
		return p, func(cause error) {
			if cause == nil {
				cause = context.Canceled
			}
			p.cancel(cause)
		}, false
	case pCustomAF:
		p := &customAFParent{customParent: newCustomParent(), funcs: map[*func()]struct{}{}}
		return p, func(cause error) {
			if cause == nil {
				cause = context.Canceled
			}
			p.cancel(cause)
		}, false
	case pWrapped:
		ctx, c := context.WithCancelCause(context.Background())
		return wrapped{ctx}, func(cause error) { c(cause) }, true
	case pValue:
		ctx, c := context.WithCancelCause(context.Background())
		return context.WithValue(ctx, valKey{}, "v"), func(cause error) { c(cause) }, true
	case pWithoutCancel:
		ctx, c := context.WithCancel(context.Background())
		return context.WithoutCancel(ctx), func(error) { c() }, true // c does not reach it
	}
	return context.Background(), nil, true
}

type reader struct {
	mu         sync.Mutex
	done       bool
	err, cause error
}

func (r *reader) run(ctx context.Context) {
	<-ctx.Done()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done, r.err, r.cause = true, ctx.Err(), context.Cause(ctx)
}

func (r *reader) state() (bool, error, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done, r.err, r.cause
}

type flag struct {
	mu  sync.Mutex
	ran bool
}

func (f *flag) set() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ran = true
}

func (f *flag) get() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ran
}

// harness holds the two contexts and what was derived from them: index 0 is the
// stage's, 1 the standard one.
type harness struct {
	t            *testing.T
	log          []string
	parent       context.Context
	cancelParent func(error)
	standard     bool
	dl           time.Time
	ctx          [2]context.Context
	dc           *deadlineCtx // nil when the stage passes the parent through
	cancelStd    context.CancelFunc
	released     bool
	watching     bool // Done was asked of the stage's context, or its Err was non-nil
	done         [2]<-chan struct{}
	children     [][2]context.Context
	childCancels [][2]context.CancelFunc
	flags        [][2]*flag
	stops        [][2]func() bool
	readers      [][2]*reader
}

// runSchedule runs data inside a synctest bubble.
func runSchedule(t *testing.T, data []byte) {
	d := time.Duration(1+data[1]%8) * time.Millisecond
	parent, cancel, standard := parentFor(data[0], d)
	h := &harness{t: t, parent: parent, cancelParent: cancel, standard: standard}
	h.logf("parent %T %v, d %v", parent, parent, d)

	// As the stage's derive does: the parent itself if it ends no later.
	var clk clock
	base, off := clk.now()
	at := off + d
	h.dl = base.Add(at)
	if pd, ok := parent.Deadline(); ok && !pd.After(h.dl) {
		h.ctx[0] = parent
		h.dl = pd
	} else {
		h.dc = &deadlineCtx{parent: parent, base: base, at: at}
		h.ctx[0] = h.dc
	}
	h.ctx[1], h.cancelStd = context.WithTimeout(parent, d)

	for _, b := range data[2:] {
		if !h.step(b&15, b>>4) {
			break
		}
	}
	h.cleanup()
}

func (h *harness) logf(format string, args ...any) {
	h.log = append(h.log, fmt.Sprintf("%v: ", time.Since(h.start()))+fmt.Sprintf(format, args...))
}

var bubbleStart = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) // synctest's epoch

func (h *harness) start() time.Time { return bubbleStart }

func (h *harness) fail(format string, args ...any) {
	h.t.Helper()
	require.FailNow(h.t, fmt.Sprintf(format, args...), "schedule:\n%s", strings.Join(h.log, "\n"))
}

func (h *harness) same(what string, a, b any) {
	h.t.Helper()
	if a != b {
		h.fail("%s: stage %v, standard %v", what, a, b)
	}
}

// compareErr compares Err, and notes that the stage's context has ended.
func (h *harness) compareErr(what string) {
	h.t.Helper()
	e0, e1 := h.ctx[0].Err(), h.ctx[1].Err()
	h.logf("%s: Err %v / %v", what, e0, e1)
	if e0 != nil {
		h.watching = true
	}
	h.same(what+" Err", e0, e1)
}

// observe is called before an operation that asks the stage's context about its
// state. If the deadline passed and the parent ended, both unseen, the stage's
// context reports the parent's end (unless it is the parent's own, later deadline);
// where context.WithDeadline differs (the deadline came first), the schedule ends.
func (h *harness) observe() (goOn bool) {
	h.t.Helper()
	if h.watching || h.dc == nil || h.released {
		return true
	}
	pe := h.parent.Err()
	if pe == nil || time.Now().Before(h.dl) {
		return true
	}
	got := h.dc.Err()
	h.logf("first look after both the deadline and the parent's end: %v", got)
	h.same("Err after both ends unseen", got, pe)
	h.watching = true
	if std := h.ctx[1].Err(); got != std {
		h.logf("known divergence: standard %v", std)
		return false
	}
	return true
}

func (h *harness) sleep(arg byte) {
	var dur time.Duration
	switch arg {
	case 0:
		dur = time.Nanosecond
	case 1:
		dur = time.Until(h.dl) - time.Nanosecond
	case 2:
		dur = time.Until(h.dl)
	default:
		dur = time.Duration(arg-2) * time.Millisecond
	}
	if dur > 0 {
		time.Sleep(dur)
	}
	synctest.Wait()
	h.logf("slept %v", dur)
}

func (h *harness) step(op, arg byte) (goOn bool) {
	h.t.Helper()
	switch op {
	case opSleep:
		h.sleep(arg)
	case opSleep2:
		h.sleep(arg + 3)
	case opErr:
		if !h.observe() {
			return false
		}
		h.compareErr("Err")
	case opDone:
		if !h.observe() {
			return false
		}
		h.watching = true
		for i := range h.ctx {
			if h.done[i] == nil {
				h.done[i] = h.ctx[i].Done()
			}
			if c := h.ctx[i].Done(); c != h.done[i] {
				h.fail("Done of %d returned another channel", i)
			}
		}
		h.logf("Done")
		h.same("Done closed", isClosed(h.done[0]), isClosed(h.done[1]))
	case opCause, opValueOfCause:
		if !h.observe() {
			return false
		}
		var c [2]error
		for i := range h.ctx {
			ctx := h.ctx[i]
			if op == opValueOfCause {
				ctx = context.WithValue(ctx, valKey{}, "w")
			}
			c[i] = context.Cause(ctx)
		}
		h.logf("Cause %v / %v", c[0], c[1])
		if c[0] != nil {
			h.watching = true
		}
		h.same("Cause", c[0], c[1])
	case opDeadline:
		d0, ok0 := h.ctx[0].Deadline()
		d1, ok1 := h.ctx[1].Deadline()
		h.logf("Deadline %v %v / %v %v", d0, ok0, d1, ok1)
		h.same("Deadline ok", ok0, ok1)
		if !d0.Equal(d1) {
			h.fail("Deadline: stage %v, standard %v", d0, d1)
		}
		for _, k := range []any{valKey{}, customKey{}, "missing"} {
			h.same(fmt.Sprintf("Value(%v)", k), h.ctx[0].Value(k), h.ctx[1].Value(k))
		}
	case opCancel, opCancelCause:
		if h.cancelParent == nil {
			return true
		}
		var cause error
		if op == opCancelCause {
			cause = errCause
		}
		h.cancelParent(cause)
		h.logf("parent canceled, cause %v", cause)
		if arg&1 == 1 && h.standard {
			// The children of a standard parent have ended when cancel returns.
			if !h.observe() {
				return false
			}
			h.compareErr("at once after the parent's cancel")
		}
		synctest.Wait()
	case opRelease:
		if h.released {
			return true
		}
		if h.dc == nil {
			// The stage passed the parent through: nothing is released when the call
			// returns, where the standard cancel would end its child. Ending here.
			h.logf("release of a passed-through parent: not compared")
			return false
		}
		if !h.observe() {
			return false
		}
		h.dc.release()
		h.cancelStd()
		h.released = true
		h.logf("released")
		h.compareErr("at once after release")
		synctest.Wait()
	case opChild:
		if !h.observe() {
			return false
		}
		h.watching = true
		var c [2]context.Context
		var cc [2]context.CancelFunc
		for i := range h.ctx {
			c[i], cc[i] = context.WithCancel(h.ctx[i])
		}
		h.children = append(h.children, c)
		h.childCancels = append(h.childCancels, cc)
		h.logf("child %d", len(h.children)-1)
		h.same("new child's Err", c[0].Err(), c[1].Err())
	case opChildCancel:
		if len(h.children) == 0 {
			return true
		}
		n := int(arg) % len(h.children)
		for i := range h.ctx {
			h.childCancels[n][i]()
		}
		h.logf("child %d canceled", n)
		h.same("canceled child's Err", h.children[n][0].Err(), h.children[n][1].Err())
		h.same("Err after a child's cancel", h.ctx[0].Err() == nil, h.ctx[1].Err() == nil)
	case opAfter:
		if !h.observe() {
			return false
		}
		h.watching = true
		var f [2]*flag
		var s [2]func() bool
		for i := range h.ctx {
			f[i] = new(flag)
			s[i] = context.AfterFunc(h.ctx[i], f[i].set)
		}
		h.flags = append(h.flags, f)
		h.stops = append(h.stops, s)
		h.logf("AfterFunc %d", len(h.flags)-1)
	case opAfterStop:
		if len(h.stops) == 0 {
			return true
		}
		synctest.Wait()
		n := int(arg) % len(h.stops)
		r0, r1 := h.stops[n][0](), h.stops[n][1]()
		h.logf("AfterFunc %d stopped: %v / %v", n, r0, r1)
		h.same("AfterFunc stop", r0, r1)
	case opReader:
		if !h.observe() {
			return false
		}
		h.watching = true
		var r [2]*reader
		for i := range h.ctx {
			r[i] = new(reader)
			go r[i].run(h.ctx[i])
		}
		synctest.Wait() // the readers wait on Done
		h.readers = append(h.readers, r)
		h.logf("reader %d", len(h.readers)-1)
	case opCheck:
		synctest.Wait()
		if !h.observe() {
			return false
		}
		h.check()
	}
	return true
}

// check compares everything, after synctest.Wait.
func (h *harness) check() {
	h.t.Helper()
	h.compareErr("check")
	h.same("check Cause", context.Cause(h.ctx[0]), context.Cause(h.ctx[1]))
	if h.done[0] != nil {
		h.same("check Done closed", isClosed(h.done[0]), isClosed(h.done[1]))
	}
	for n, c := range h.children {
		h.same(fmt.Sprintf("child %d Err", n), c[0].Err(), c[1].Err())
		h.same(fmt.Sprintf("child %d Cause", n), context.Cause(c[0]), context.Cause(c[1]))
	}
	for n, f := range h.flags {
		h.same(fmt.Sprintf("AfterFunc %d ran", n), f[0].get(), f[1].get())
	}
	for n, r := range h.readers {
		d0, e0, c0 := r[0].state()
		d1, e1, c1 := r[1].state()
		h.same(fmt.Sprintf("reader %d done", n), d0, d1)
		h.same(fmt.Sprintf("reader %d Err", n), e0, e1)
		h.same(fmt.Sprintf("reader %d Cause", n), c0, c1)
	}
	h.logf("checked")
}

// cleanup ends everything so that no goroutine outlives the bubble.
func (h *harness) cleanup() {
	if h.dc != nil {
		h.dc.release()
	}
	h.cancelStd()
	if h.cancelParent != nil {
		h.cancelParent(nil)
	}
	for _, cc := range h.childCancels {
		cc[0]()
		cc[1]()
	}
	synctest.Wait()
	for _, s := range h.stops {
		s[0]()
		s[1]()
	}
}
