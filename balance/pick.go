package balance

import (
	"math/rand/v2"
	"time"

	"github.com/tower-go/tower/service"
)

// usable reports whether e can take a call now. An endpoint marked not ready is
// skipped (its driver restores it); otherwise its TryReady decides, and a refusal
// marks it not ready and starts its driver, or evicts it when permanent.
func (b *Balancer[K, Req, Res]) usable(e *endpoint[K, Req, Res]) bool {
	if e.state.Load() != stateReady {
		return false
	}
	if !e.next.Bounded() {
		return true
	}
	err := e.next.TryReady()
	if err == nil {
		return true
	}
	b.refused(e, err)
	return false
}

// pick returns a ready endpoint by the policy, or nil and why there is none. It
// takes no lock and allocates nothing.
func (b *Balancer[K, Req, Res]) pick() (*endpoint[K, Req, Res], cause) {
	s := b.set.Load()
	n := len(s.eps)
	switch {
	case n == 0:
		return nil, causeEmpty
	case n == 1:
		if e := s.eps[0]; b.usable(e) {
			return e, causeNone
		}
		return nil, b.why(s)
	}
	var e *endpoint[K, Req, Res]
	switch b.cfg.policy {
	case P2C:
		r := rand.Uint64() // one draw for both: i from the high half, j from the low
		i := int((r >> 32) * uint64(n) >> 32)
		j := int((r & 0xffffffff) * uint64(n-1) >> 32)
		if j >= i {
			j++
		}
		e = b.better(s.eps[i], s.eps[j], false)
		if e == nil {
			e = b.scan(s, i)
		}
	case WeightedP2C:
		i, j := s.draw(), s.draw()
		if i == j {
			j = (j + 1 + int(rand.Uint32N(uint32(n-1)))) % n
		}
		e = b.better(s.eps[i], s.eps[j], true)
		if e == nil {
			e = b.scan(s, i)
		}
	case RoundRobin:
		e = b.scan(s, int(b.rr.Add(1)%uint64(n)))
	case LeastLoaded:
		e = b.least(s)
	}
	if e == nil {
		return nil, b.why(s)
	}
	return e, causeNone
}

// better returns the less loaded of two endpoints if it is usable, else the
// other if that is usable, else nil: the p2c choice among the ready ones. Only
// the candidates' own state flags are read before the loads, so that the
// common case asks one endpoint, the winner, for its readiness.
func (b *Balancer[K, Req, Res]) better(x, y *endpoint[K, Req, Res], weighted bool) *endpoint[K, Req, Res] {
	okx, oky := x.state.Load() == stateReady, y.state.Load() == stateReady
	switch {
	case okx && oky:
		var now time.Time
		lx, ly := x.load(&now), y.load(&now)
		if weighted {
			lx, ly = lx/x.weight, ly/y.weight
		}
		if ly < lx {
			x, y = y, x
		}
		if b.usable(x) {
			return x
		}
		if b.usable(y) {
			return y
		}
	case okx:
		if b.usable(x) {
			return x
		}
	case oky:
		if b.usable(y) {
			return y
		}
	}
	return nil
}

// scan returns the first usable endpoint from index i on, wrapping around.
func (b *Balancer[K, Req, Res]) scan(s *snapshot[K, Req, Res], i int) *endpoint[K, Req, Res] {
	n := len(s.eps)
	for k := range n {
		if e := s.eps[(i+k)%n]; b.usable(e) {
			return e
		}
	}
	return nil
}

// least returns the usable endpoint with the lowest load (per unit of weight).
func (b *Balancer[K, Req, Res]) least(s *snapshot[K, Req, Res]) *endpoint[K, Req, Res] {
	var best *endpoint[K, Req, Res]
	var bestLoad float64
	var now time.Time
	off := int(rand.Uint32N(uint32(len(s.eps)))) // ties go to a random one
	for k := range s.eps {
		e := s.eps[(off+k)%len(s.eps)]
		if !b.usable(e) {
			continue
		}
		if l := e.load(&now); best == nil || l < bestLoad {
			best, bestLoad = e, l
		}
	}
	return best
}

// draw returns an index drawn with probability proportional to its weight, by
// the alias method: one random number, O(1).
func (s *snapshot[K, Req, Res]) draw() int {
	r := rand.Uint64()
	i := int((r >> 32) * uint64(len(s.prob)) >> 32)
	if float64(r&0xffffffff) < s.prob[i] {
		return i
	}
	return int(s.alias[i])
}

// why says why no endpoint of s is usable: busy if any was refused for lack of
// capacity, unavailable otherwise. Only a failed pick pays for it.
func (b *Balancer[K, Req, Res]) why(s *snapshot[K, Req, Res]) cause {
	if len(s.eps) == 0 {
		return causeEmpty
	}
	for _, e := range s.eps {
		if e.state.Load() != stateGone && e.busy.Load() {
			return causeBusy
		}
	}
	return causeUnavailable
}

// refused handles a readiness refusal seen in a pick: a transient one marks the
// endpoint not ready and starts its driver; a permanent one evicts it.
func (b *Balancer[K, Req, Res]) refused(e *endpoint[K, Req, Res], err error) {
	if !service.IsTransient(err) {
		b.evict(e, err)
		return
	}
	e.busy.Store(isBusy(err))
	if e.state.CompareAndSwap(stateReady, stateNotReady) {
		b.drive(e)
	}
}
