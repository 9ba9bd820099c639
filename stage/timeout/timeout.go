package timeout

import (
	"context"
	"fmt"
	"time"

	"github.com/tower-go/tower/service"
)

// Timeout is a fused stage that gives every call a deadline d after it starts: the
// inner service runs with a context whose Deadline is start+d and whose Done closes
// then, and a call that fails after the deadline fails with an error matching
// [ErrElapsed] (and context.DeadlineExceeded). See the package documentation.
//
// Make one with [New] or [Layer]; the zero value is not usable. A Timeout is safe for
// concurrent use. Call, TryCall and Ready block as long as the inner service does
// (which is at most d if it honours its context). A call costs one allocation and
// one monotonic clock read; a call whose parent context already has an earlier
// deadline costs no allocation. Readiness is the inner service's (embedded
// [service.Next]); with [WithReady], Ready is bounded by the duration too.
type Timeout[Req, Res any] struct {
	service.Next[Req, Res]
	d     time.Duration
	cfg   config
	clock clock
}

var (
	_ service.Service[int, int]   = (*Timeout[int, int])(nil)
	_ service.Readier             = (*Timeout[int, int])(nil)
	_ service.TryCaller[int, int] = (*Timeout[int, int])(nil)
)

// New returns a timeout stage of duration d over inner. d must be positive. A
// huge d (up to math.MaxInt64) means "effectively no timeout": when the deadline
// would not fit in a time.Duration from now, a call runs with the caller's ctx
// unchanged, and it never overflows into a deadline in the past. It returns an
// error if inner is nil (a typed nil included).
//
// Choosing d: the longest a caller should wait for one call, including time queued
// in any buffer inside the stage. Put the timeout inside a retry stage to bound
// each attempt, outside it to bound the whole call.
func New[Req, Res any](inner service.Service[Req, Res], d time.Duration, opts ...Option) (*Timeout[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("timeout: inner %w", err)
	}
	if d <= 0 {
		return nil, fmt.Errorf("timeout: duration must be positive, got %v", d)
	}
	t := &Timeout[Req, Res]{Next: next, d: d}
	for _, o := range opts {
		if o != nil {
			o(&t.cfg)
		}
	}
	return t, nil
}

// Layer returns a layer that wraps a service in a timeout stage of duration d.
func Layer[Req, Res any](d time.Duration, opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](New(inner, d, opts...))
	}
}

// Duration returns the stage's duration.
func (t *Timeout[Req, Res]) Duration() time.Duration { return t.d }

// Call calls the inner service with a context that ends d from now, or with ctx
// itself if ctx ends no later. If the inner service fails after the stage's
// deadline, the error matches [ErrElapsed]; a success that comes after the
// deadline is returned as it is.
func (t *Timeout[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if ctx.Done() != nil {
		return t.callStd(ctx, req, false)
	}
	dc := t.derive(ctx)
	if dc == nil {
		return t.Next.Call(ctx, req)
	}
	defer dc.release()
	res, err := t.Next.Call(dc, req)
	if err != nil {
		err = t.check(dc, err)
	}
	return res, err
}

// TryCall is Call through the inner service's non-blocking call: it fails at once
// if the inner service has no room, and otherwise waits for the answer until the
// deadline.
func (t *Timeout[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if ctx.Done() != nil {
		return t.callStd(ctx, req, true)
	}
	dc := t.derive(ctx)
	if dc == nil {
		return t.Next.TryCall(ctx, req)
	}
	defer dc.release()
	res, err := t.Next.TryCall(dc, req)
	if err != nil {
		err = t.check(dc, err)
	}
	return res, err
}

// Ready waits for the inner service's readiness. With [WithReady] the wait is
// bounded by the stage's duration as a call is, and fails with [ErrElapsed] when it
// runs out; otherwise it is bounded by ctx only.
func (t *Timeout[Req, Res]) Ready(ctx context.Context) error {
	if !t.cfg.ready {
		return t.Next.Ready(ctx)
	}
	if ctx.Done() != nil {
		return t.readyStd(ctx)
	}
	dc := t.derive(ctx)
	if dc == nil {
		return t.Next.Ready(ctx)
	}
	defer dc.release()
	err := t.Next.Ready(dc)
	if err != nil {
		err = t.check(dc, err)
	}
	return err
}

// derive returns the context for one call, or nil if parent already ends no later
// than the stage's deadline would, or if the deadline does not fit in a Duration
// (a huge d: no timeout).
func (t *Timeout[Req, Res]) derive(parent context.Context) *deadlineCtx {
	base, off := t.clock.now()
	at := off + t.d
	if at < off {
		return nil // off + d overflowed: the deadline is beyond any clock
	}
	if pd, ok := parent.Deadline(); ok && !pd.After(base.Add(at)) {
		return nil
	}
	return &deadlineCtx{parent: parent, base: base, at: at}
}

// check turns err, which the inner service returned, into the caller's error: a
// timeout error if the stage's own deadline is what ended the call.
func (t *Timeout[Req, Res]) check(dc *deadlineCtx, err error) error {
	if dc.err.Load() == nil && dc.expired() {
		dc.end(boxDeadline)
	}
	if dc.err.Load() != boxDeadline {
		return err // still in time, or the parent ended first: the inner error stands
	}
	if err == context.DeadlineExceeded {
		err = ErrElapsed
	} else {
		err = &ElapsedError{Timeout: t.d, Err: err}
	}
	if t.cfg.events != nil {
		// The call started at offset dc.at - t.d from dc's base.
		elapsed := time.Since(*dc.base) - (dc.at - t.d)
		t.cfg.events(service.Event{Stage: "timeout", Kind: service.EventTimedOut, Err: err, Elapsed: elapsed})
	}
	return err
}

// A parent that can be cancelled (ctx.Done() is not nil) gets a standard
// context.WithDeadline: the hand-written deadline context is exact only over a
// parent that never ends (the differential test against context.WithDeadline shows
// two differences over cancelable parents that cannot be fixed outside package
// context), and it pays only there: over context.Background it costs one
// allocation where the standard library costs four.

// stdDeadline returns the deadline for a call starting now, and false if the stage
// adds nothing: d overflows the clock, or parent ends no later.
func (t *Timeout[Req, Res]) stdDeadline(parent context.Context) (start, deadline time.Time, ok bool) {
	start = time.Now()
	deadline = start.Add(t.d)
	if !deadline.After(start) {
		return start, deadline, false // start + d overflowed: no deadline
	}
	if pd, has := parent.Deadline(); has && !pd.After(deadline) {
		return start, deadline, false
	}
	return start, deadline, true
}

func (t *Timeout[Req, Res]) callStd(ctx context.Context, req Req, try bool) (Res, error) {
	start, deadline, ok := t.stdDeadline(ctx)
	if !ok {
		if try {
			return t.Next.TryCall(ctx, req)
		}
		return t.Next.Call(ctx, req)
	}
	dc, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var res Res
	var err error
	if try {
		res, err = t.Next.TryCall(dc, req)
	} else {
		res, err = t.Next.Call(dc, req)
	}
	if err != nil {
		err = t.checkStd(ctx, dc, start, err)
	}
	return res, err
}

func (t *Timeout[Req, Res]) readyStd(ctx context.Context) error {
	start, deadline, ok := t.stdDeadline(ctx)
	if !ok {
		return t.Next.Ready(ctx)
	}
	dc, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	err := t.Next.Ready(dc)
	if err != nil {
		err = t.checkStd(ctx, dc, start, err)
	}
	return err
}

// checkStd is check for a standard deadline context: the error becomes ErrElapsed
// only if the stage's own deadline ended dc while the parent was still live.
func (t *Timeout[Req, Res]) checkStd(parent, dc context.Context, start time.Time, err error) error {
	if dc.Err() != context.DeadlineExceeded || parent.Err() != nil {
		return err
	}
	if err == context.DeadlineExceeded {
		err = ErrElapsed
	} else {
		err = &ElapsedError{Timeout: t.d, Err: err}
	}
	if t.cfg.events != nil {
		t.cfg.events(service.Event{Stage: "timeout", Kind: service.EventTimedOut, Err: err, Elapsed: time.Since(start)})
	}
	return err
}
