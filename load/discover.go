package load

import (
	"context"
	"fmt"

	"github.com/tower-go/tower/balance/discover"
	"github.com/tower-go/tower/service"
)

// Discover is a discovery source that puts every endpoint of another source
// behind a load metric: Tower's PendingRequestsDiscover and PeakEwmaDiscover.
// Each insert's Service is wrapped in the metric (a [*Pending] or a
// [*PeakEWMA]), its Scope kept; removes pass through.
//
// The zero value is not usable; build one with [PendingDiscover] or
// [PeakEWMADiscover]. It is safe for concurrent use if its source is, starts no
// goroutine, and costs one metric per insert.
type Discover[K comparable, Req, Res any] struct {
	src  discover.Source[K, discover.Endpoint[Req, Res]]
	wrap func(service.Service[Req, Res]) (service.Service[Req, Res], error)
}

var _ discover.Source[string, discover.Endpoint[int, int]] = (*Discover[string, int, int])(nil)

// PendingDiscover returns src with every endpoint behind a [Pending] metric
// built with opts. It returns an error if src is nil or an option is bad.
func PendingDiscover[K comparable, Req, Res any](src discover.Source[K, discover.Endpoint[Req, Res]], opts ...Option) (*Discover[K, Req, Res], error) {
	b, err := pendingBuilder[Req, Res](opts)
	if err != nil {
		return nil, err
	}
	return newDiscover(src, func(s service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](b(s))
	})
}

// PeakEWMADiscover returns src with every endpoint behind a [PeakEWMA] metric
// built with opts. It returns an error if src is nil or an option is bad.
func PeakEWMADiscover[K comparable, Req, Res any](src discover.Source[K, discover.Endpoint[Req, Res]], opts ...Option) (*Discover[K, Req, Res], error) {
	b, err := peakEWMABuilder[Req, Res](opts)
	if err != nil {
		return nil, err
	}
	return newDiscover(src, func(s service.Service[Req, Res]) (service.Service[Req, Res], error) {
		return service.Built[Req, Res](b(s))
	})
}

// ReportFailure forwards a failure report to the source if it is a
// discover.FailureReporter (a DNS source re-resolves early); otherwise it does
// nothing.
func (d *Discover[K, Req, Res]) ReportFailure() {
	if r, ok := d.src.(discover.FailureReporter); ok {
		r.ReportFailure()
	}
}

func newDiscover[K comparable, Req, Res any](src discover.Source[K, discover.Endpoint[Req, Res]], wrap func(service.Service[Req, Res]) (service.Service[Req, Res], error)) (*Discover[K, Req, Res], error) {
	if src == nil || isNil(src) {
		return nil, fmt.Errorf("load: discover: source is nil")
	}
	return &Discover[K, Req, Res]{src: src, wrap: wrap}, nil
}

// Next returns the source's next change with an insert's service behind the
// metric; see discover.Source. An insert whose service is nil is consumed and
// reported as an error matching discover.ErrInvalidChange.
func (d *Discover[K, Req, Res]) Next(ctx context.Context) (discover.Change[K, discover.Endpoint[Req, Res]], error) {
	c, err := d.src.Next(ctx)
	if err != nil || c.Op != discover.OpInsert {
		return c, err
	}
	svc, err := d.wrap(c.Value.Service)
	if err != nil {
		return discover.Change[K, discover.Endpoint[Req, Res]]{}, fmt.Errorf("load: discover: endpoint %v: %w: %w", c.Key, discover.ErrInvalidChange, err)
	}
	c.Value.Service = svc
	return c, nil
}
