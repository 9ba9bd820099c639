package timeout

import (
	"sync/atomic"
	"time"
)

// rebaseAfter bounds how long one base reading serves. A deadline is computed as
// base + (monotonic time since base) + d, which costs one monotonic clock read
// instead of time.Now's two (wall and monotonic). Its monotonic part is exact; its
// wall part drifts from the wall clock only if the wall clock is stepped while a base
// serves, so the base is refreshed every rebaseAfter.
const rebaseAfter = time.Minute

// clock hands out cheap readings as offsets from a shared base time.
type clock struct {
	base atomic.Pointer[time.Time]
}

// now returns the base and the time elapsed since it. A base that is too old, or
// that does not fit the current clock (a negative offset: it was read inside a
// testing/synctest bubble and is used outside, or the reverse), is replaced.
func (c *clock) now() (*time.Time, time.Duration) {
	if b := c.base.Load(); b != nil {
		if off := time.Since(*b); off >= 0 && off < rebaseAfter {
			return b, off
		}
	}
	n := time.Now()
	c.base.Store(&n)
	return &n, 0
}
