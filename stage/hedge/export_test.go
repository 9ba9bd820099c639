package hedge

import (
	"math"
	"time"
)

// PinDelay makes h hedge after d from now on, with no more rotations: for
// benchmarks of the hedging path, which cannot use a fake clock.
func PinDelay[Req, Res any](h *Hedge[Req, Res], d time.Duration) {
	h.hist.next.Store(math.MaxInt64)
	h.hist.delay.Store(int64(d))
}
