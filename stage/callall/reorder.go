package callall

import "sync"

// reorder puts the results of an Ordered run back in input order. The run's slot
// semaphore keeps at most len(slots) requests taken and not delivered, and they
// have consecutive indexes from head, the next index to deliver; so each finished
// result parks in its own slot (index mod len(slots)). The worker that parks the
// result at head becomes the deliverer: it sends head and every parked successor
// to out, one by one, while the other workers go on calling.
type reorder[Req, Res any] struct {
	mu         sync.Mutex
	slots      []slot[Req, Res]
	head       int  // the index to deliver next
	delivering bool // a worker is sending parked results to out
}

type slot[Req, Res any] struct {
	r    Result[Req, Res]
	full bool
}

func newReorder[Req, Res any](window int) *reorder[Req, Res] {
	return &reorder[Req, Res]{slots: make([]slot[Req, Res], window)}
}

// park stores r in its slot and, unless another worker is delivering, delivers
// every result from head on that is ready, in order, with send, calling delivered
// after each. send waits for the consumer until Stop (see run.send).
func (o *reorder[Req, Res]) park(r Result[Req, Res], send func(Result[Req, Res]), delivered func()) {
	n := len(o.slots)
	o.mu.Lock()
	o.slots[r.Index%n] = slot[Req, Res]{r: r, full: true}
	if o.delivering {
		// The deliverer looks at head again after each send, under mu.
		o.mu.Unlock()
		return
	}
	o.delivering = true
	for {
		s := &o.slots[o.head%n]
		if !s.full {
			o.delivering = false
			o.mu.Unlock()
			return
		}
		next := s.r
		*s = slot[Req, Res]{}
		o.head++
		o.mu.Unlock()
		send(next)
		delivered()
		o.mu.Lock()
	}
}
