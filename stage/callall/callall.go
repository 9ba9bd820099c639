package callall

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
)

// Result is the outcome of one request: the request, the service's response and
// error, and the request's position in the input channel (from 0).
type Result[Req, Res any] struct {
	Req   Req
	Res   Res
	Err   error
	Index int
}

// Ordered starts concurrency workers that call svc with every request received
// from in, and returns the channel on which their results come in input order (by
// Index). See the package documentation for readiness, cancellation and the
// consumer's duty to receive until the channel is closed. It returns an error, and
// starts nothing, if ctx, svc or in is nil or concurrency is less than 1. It does
// not block; each call starts an independent run, and any number may run at once
// over the same service.
func Ordered[Req, Res any](ctx context.Context, svc service.Service[Req, Res], in <-chan Req, concurrency int) (<-chan Result[Req, Res], error) {
	return start(ctx, svc, in, concurrency, true)
}

// Unordered is [Ordered] but delivers each result as soon as its call returns, so
// results come in completion order; Index still gives each request's input position.
func Unordered[Req, Res any](ctx context.Context, svc service.Service[Req, Res], in <-chan Req, concurrency int) (<-chan Result[Req, Res], error) {
	return start(ctx, svc, in, concurrency, false)
}

func start[Req, Res any](ctx context.Context, svc service.Service[Req, Res], in <-chan Req, concurrency int, ordered bool) (<-chan Result[Req, Res], error) {
	switch {
	case ctx == nil:
		return nil, errors.New("callall: nil context")
	case svc == nil:
		return nil, errors.New("callall: nil service")
	case in == nil:
		return nil, errors.New("callall: nil input channel")
	case concurrency < 1:
		return nil, fmt.Errorf("callall: concurrency must be at least 1, got %d", concurrency)
	}
	r := &run[Req, Res]{
		ctx:   ctx,
		svc:   svc,
		in:    in,
		jobs:  make(chan job[Req]),
		out:   make(chan Result[Req, Res], concurrency),
		slots: make(chan struct{}, concurrency),
	}
	for range concurrency {
		r.slots <- struct{}{}
	}
	if ordered {
		r.order = newReorder[Req, Res](concurrency)
	}
	go r.feed(concurrency)
	return r.out, nil
}

// run is one Ordered or Unordered call: the state its goroutines share.
type run[Req, Res any] struct {
	ctx   context.Context
	svc   service.Service[Req, Res]
	in    <-chan Req
	jobs  chan job[Req] // unbuffered: a request is handed over only to a free worker
	out   chan Result[Req, Res]
	order *reorder[Req, Res] // nil for Unordered

	// slots holds a token per request that may still be taken: the feeder takes
	// one before it takes a request, and the request's delivery gives it back. So
	// at most concurrency requests are taken from in and not yet delivered.
	slots chan struct{}
}

// job is a request numbered by its position in the input.
type job[Req any] struct {
	req   Req
	index int
}
