package balance

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/service"
)

// The states of an endpoint.
const (
	stateReady    uint32 = iota // picked after a live TryReady
	stateNotReady               // skipped; a driver goroutine waits for its readiness
	stateGone                   // removed, replaced or evicted: never picked again
)

// loaderAt is implemented by metrics that read a load as of a given time
// (load.PeakEWMA): a pick reads the clock once for both candidates.
type loaderAt interface {
	LoadAt(now time.Time) float64
}

// endpoint is one endpoint of a balancer.
type endpoint[K comparable, Req, Res any] struct {
	key    K
	next   service.Next[Req, Res]
	loadAt loaderAt // nil unless the service itself reads a load at a time
	weight float64
	scope  *service.Scope

	state atomic.Uint32
	busy  atomic.Bool // the last readiness refusal was for lack of capacity

	ctx    context.Context // ends when the endpoint is gone or the balancer stops
	cancel context.CancelFunc
}

func newEndpoint[K comparable, Req, Res any](parent context.Context, key K, svc service.Service[Req, Res], weight float64, sc *service.Scope) (*endpoint[K, Req, Res], error) {
	next, err := service.NewNext(svc)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(weight) || math.IsInf(weight, 0) || weight < 0 {
		return nil, errors.New("weight is not a finite number >= 0")
	}
	if weight == 0 {
		weight = 1
	}
	e := &endpoint[K, Req, Res]{key: key, next: next, weight: weight, scope: sc}
	e.loadAt, _ = svc.(loaderAt)
	e.ctx, e.cancel = context.WithCancel(parent)
	return e, nil
}

// load reads the endpoint's load; now is read once per pick when needed.
func (e *endpoint[K, Req, Res]) load(now *time.Time) float64 {
	if e.loadAt != nil {
		if now.IsZero() {
			*now = time.Now()
		}
		return e.loadAt.LoadAt(*now)
	}
	return e.next.Load()
}

// snapshot is an immutable endpoint set, swapped atomically as a whole.
type snapshot[K comparable, Req, Res any] struct {
	eps []*endpoint[K, Req, Res]
	// WeightedP2C only: Vose's alias table. Index i is kept with probability
	// prob[i] (scaled to 2^32), else alias[i] is taken.
	prob  []float64
	alias []int32
}

func newSnapshot[K comparable, Req, Res any](eps []*endpoint[K, Req, Res], weighted bool) *snapshot[K, Req, Res] {
	s := &snapshot[K, Req, Res]{eps: eps}
	n := len(eps)
	if !weighted || n == 0 {
		return s
	}
	s.prob, s.alias = make([]float64, n), make([]int32, n)
	total := 0.0
	for _, e := range eps {
		total += e.weight
	}
	scaled := make([]float64, n)
	var small, large []int
	for i, e := range eps {
		scaled[i] = e.weight * float64(n) / total
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		l, g := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		s.prob[l], s.alias[l] = scaled[l], int32(g)
		scaled[g] -= 1 - scaled[l]
		if scaled[g] < 1 {
			large = large[:len(large)-1]
			small = append(small, g)
		}
	}
	for _, i := range append(small, large...) { // what is left is 1 up to rounding
		s.prob[i], s.alias[i] = 1, int32(i)
	}
	for i := range s.prob {
		s.prob[i] *= 1 << 32
	}
	return s
}
