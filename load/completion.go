package load

import (
	"sync/atomic"
	"time"
)

// Completion marks the end of a call whose work goes on after its response
// returned (a streamed body): until Complete is called, the metric counts the
// call as pending, and a peak-EWMA metric measures its RTT up to then. It is
// Tower's TrackCompletion handle. A metric given [WithCompletion] makes one per
// successful call and hands it to the completion function.
//
// Complete must be called exactly once for the load to be right; further calls
// do nothing, and it is safe to call from any goroutine. A Completion never
// completed counts as pending for ever, so tie it to something the caller must
// do anyway (closing the body). The zero value and a nil *Completion are valid
// and complete nothing. It costs one allocation per tracked call.
type Completion struct {
	m     completer
	start time.Time // zero for metrics that do not time calls
	done  atomic.Bool
}

// completer is a metric that ends a tracked call.
type completer interface {
	complete(start time.Time)
}

// Complete ends the call for the load. Only the first call counts.
func (c *Completion) Complete() {
	if c == nil || c.m == nil || !c.done.CompareAndSwap(false, true) {
		return
	}
	c.m.complete(c.start)
}

// Done reports whether Complete has been called.
func (c *Completion) Done() bool { return c != nil && c.done.Load() }
