package load

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/service"
)

// PeakEWMA is a service whose load is a peak-sensitive moving average of its
// round-trip time times its calls in flight plus one: Finagle's and Tower's
// peak-EWMA, read without changing it. See the package documentation for the
// estimate's rules. The load is in nanoseconds (a cost, not a latency: an idle
// endpoint whose estimate is 2ms reads 2e6, with three calls in flight 8e6).
//
// It embeds service.Next, so readiness forwards to the inner service. The zero
// value is not usable; build one with [NewPeakEWMA]. It is safe for concurrent
// use. A call reads the clock twice, takes a short lock to update the estimate
// and allocates nothing (a tracked call allocates its Completion); Load takes no
// lock and reads the clock once.
type PeakEWMA[Req, Res any] struct {
	service.Next[Req, Res]
	pending atomic.Int64

	mu  sync.Mutex    // serializes updates; readers use seq
	seq atomic.Uint64 // odd while an update is under way
	est atomic.Uint64 // float64 bits: the estimate in ns, as of at
	at  atomic.Int64  // ns since epoch when est was set

	epoch    time.Time
	decay    float64 // ns
	penalty  float64 // ns
	maxHint  float64 // ns
	classify func(Res, error) (Outcome, time.Duration)
	track    func(Res, *Completion) Res
}

var (
	_ service.Service[int, int]   = (*PeakEWMA[int, int])(nil)
	_ service.TryCaller[int, int] = (*PeakEWMA[int, int])(nil)
	_ service.Readier             = (*PeakEWMA[int, int])(nil)
	_ service.Loader              = (*PeakEWMA[int, int])(nil)
)

// NewPeakEWMA returns inner with a peak-EWMA load. It takes the options
// [WithDefaultRTT], [WithDecay], [WithPenalty], [WithClassifier] and
// [WithCompletion]. It returns an error if inner is nil or an option is bad or
// not for this metric.
func NewPeakEWMA[Req, Res any](inner service.Service[Req, Res], opts ...Option) (*PeakEWMA[Req, Res], error) {
	b, err := peakEWMABuilder[Req, Res](opts)
	if err != nil {
		return nil, err
	}
	return b(inner)
}

// PeakEWMALayer returns a layer that gives the inner service a peak-EWMA load;
// see [NewPeakEWMA].
func PeakEWMALayer[Req, Res any](opts ...Option) service.Layer[Req, Res] {
	return func(_ *service.Scope, inner service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](NewPeakEWMA(inner, opts...))
	}
}

func peakEWMABuilder[Req, Res any](opts []Option) (func(service.Service[Req, Res]) (*PeakEWMA[Req, Res], error), error) {
	cfg, err := newConfig("peak-EWMA", optDefaultRTT|optDecay|optPenalty|optClassifier|optCompletion, opts)
	if err != nil {
		return nil, err
	}
	classify, err := classifier[Res](&cfg)
	if err != nil {
		return nil, err
	}
	track, err := tracker[Res](&cfg)
	if err != nil {
		return nil, err
	}
	return func(inner service.Service[Req, Res]) (*PeakEWMA[Req, Res], error) {
		next, err := service.NewNext(inner)
		if err != nil {
			return nil, fmt.Errorf("load: peak-EWMA: inner %w", err)
		}
		p := &PeakEWMA[Req, Res]{
			Next:     next,
			epoch:    time.Now(),
			decay:    float64(cfg.decay),
			penalty:  float64(cfg.penalty),
			maxHint:  float64(MaxRetryAfter),
			classify: classify,
			track:    track,
		}
		p.est.Store(math.Float64bits(float64(cfg.defaultRTT)))
		return p, nil
	}, nil
}

// Call calls the inner service, timing it and counting it while it is in
// flight.
func (p *PeakEWMA[Req, Res]) Call(ctx context.Context, req Req) (res Res, err error) {
	start := time.Now()
	p.pending.Add(1)
	returned := false
	defer func() {
		if !returned { // the inner service panicked: no sample
			p.pending.Add(-1)
		}
	}()
	res, err = p.Next.Call(ctx, req)
	returned = true
	return p.finish(start, res, err)
}

// TryCall makes the inner service's non-blocking call, timing and counting it as
// Call does. A refusal is a fast overload answer, so by default it counts as a
// failure: the endpoint looks slow for a while.
func (p *PeakEWMA[Req, Res]) TryCall(ctx context.Context, req Req) (res Res, err error) {
	start := time.Now()
	p.pending.Add(1)
	returned := false
	defer func() {
		if !returned {
			p.pending.Add(-1)
		}
	}()
	res, err = p.Next.TryCall(ctx, req)
	returned = true
	return p.finish(start, res, err)
}

func (p *PeakEWMA[Req, Res]) finish(start time.Time, res Res, err error) (Res, error) {
	var out Outcome
	var hint time.Duration
	if p.classify != nil {
		out, hint = p.classify(res, err)
	} else {
		out, hint = ClassifyError(err)
	}
	if out == Success && err == nil && p.track != nil {
		return p.track(res, &Completion{m: p, start: start}), nil
	}
	p.observe(start, out, hint)
	return res, err
}

func (p *PeakEWMA[Req, Res]) complete(start time.Time) { p.observe(start, Success, 0) }

// observe ends one call: it takes its sample (unless out is Ignore) and stops
// counting it.
func (p *PeakEWMA[Req, Res]) observe(start time.Time, out Outcome, hint time.Duration) {
	if out != Ignore {
		now := time.Now()
		sample := float64(now.Sub(start))
		if out == Failure {
			sample = max(sample, p.penalty, min(float64(hint), p.maxHint))
		}
		p.update(max(sample, 0), int64(now.Sub(p.epoch)))
	}
	p.pending.Add(-1)
}

// update folds a sample taken at t (ns since epoch) into the estimate: a sample
// above the estimate as of t replaces it; otherwise the estimate moves toward the
// sample with weight 1-exp(-elapsed/decay).
func (p *PeakEWMA[Req, Res]) update(sample float64, t int64) {
	p.mu.Lock()
	est := math.Float64frombits(p.est.Load())
	at := p.at.Load()
	w := p.weight(t - at)
	if cur := est * w; sample > cur {
		est = sample
	} else {
		est = cur + sample*(1-w)
	}
	p.seq.Add(1)
	p.est.Store(math.Float64bits(est))
	p.at.Store(max(t, at))
	p.seq.Add(1)
	p.mu.Unlock()
}

// weight is exp(-elapsed/decay), 1 for no elapsed time.
func (p *PeakEWMA[Req, Res]) weight(elapsed int64) float64 {
	if elapsed <= 0 {
		return 1
	}
	return math.Exp(-float64(elapsed) / p.decay)
}

// estimate reads the estimate as of now without changing it.
func (p *PeakEWMA[Req, Res]) estimate() float64 { return p.estimateAt(time.Now()) }

// estimateAt reads the estimate as of now without changing it.
func (p *PeakEWMA[Req, Res]) estimateAt(now time.Time) float64 {
	t := int64(now.Sub(p.epoch))
	for {
		s := p.seq.Load()
		if s&1 != 0 {
			continue // an update is under way; it is a few instructions long
		}
		est := math.Float64frombits(p.est.Load())
		at := p.at.Load()
		if p.seq.Load() != s {
			continue
		}
		return est * p.weight(t-at)
	}
}

// Load returns the RTT estimate as of now, in nanoseconds, times the calls in
// flight plus one. Reading it changes nothing: two reads at the same instant
// agree, however many reads came before.
func (p *PeakEWMA[Req, Res]) Load() float64 {
	return p.estimate() * float64(p.pending.Load()+1)
}

// LoadAt returns the load as of now, a time read from the real clock (with its
// monotonic reading). A balancer that compares several endpoints reads the clock
// once and calls LoadAt on each: the loads are then compared at one instant, and
// the clock, which costs more than the rest of a read, is read once per pick. A
// now before the last sample reads the estimate as of that sample.
func (p *PeakEWMA[Req, Res]) LoadAt(now time.Time) float64 {
	return p.estimateAt(now) * float64(p.pending.Load()+1)
}

// RTT returns the RTT estimate as of now (the load without the factor for calls
// in flight).
func (p *PeakEWMA[Req, Res]) RTT() time.Duration { return time.Duration(p.estimate()) }

// Pending returns the number of calls in flight.
func (p *PeakEWMA[Req, Res]) Pending() int { return int(p.pending.Load()) }
