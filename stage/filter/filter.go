package filter

import (
	"context"
	"errors"
	"fmt"

	"github.com/tower-go/tower/service"
)

// Filter is a stage that checks each request with a predicate and passes it on to
// the inner service only if the predicate accepts it; see the package doc.
//
// The zero value is not usable: build one with [New], [NewAsync], [NewTransform]
// or [NewAsyncTransform]. It is safe for concurrent use if its predicate and inner
// service are. Its readiness is the inner service's. A call blocks only as long as
// the predicate and the inner service do.
type Filter[Req, Res any] struct {
	service.Next[Req, Res]
	pred   func(Req) error // the synchronous check, or nil
	check  func(context.Context, Req) (Req, error)
	events service.EventFunc
}

var (
	_ service.Service[int, int]   = (*Filter[int, int])(nil)
	_ service.Readier             = (*Filter[int, int])(nil)
	_ service.TryCaller[int, int] = (*Filter[int, int])(nil)
)

// New returns a filter that calls inner with the requests for which pred returns
// nil and rejects the others with a *RejectedError wrapping pred's error. pred
// runs on the caller's goroutine and should not block; use [NewAsync] for a check
// that may. It returns an error if inner or pred is nil.
func New[Req, Res any](inner service.Service[Req, Res], pred func(Req) error, opts ...Option) (*Filter[Req, Res], error) {
	if pred == nil {
		return nil, errors.New("filter: predicate is nil")
	}
	return build(inner, pred, nil, opts)
}

// NewAsync is [New] with a predicate that gets the caller's ctx and may block (an
// auth lookup); it must honour ctx. If it fails with the caller's ctx.Err() after
// ctx ended, the caller gets that error, not a rejection.
func NewAsync[Req, Res any](inner service.Service[Req, Res], pred func(context.Context, Req) error, opts ...Option) (*Filter[Req, Res], error) {
	if pred == nil {
		return nil, errors.New("filter: predicate is nil")
	}
	return build(inner, nil, func(ctx context.Context, req Req) (Req, error) { return req, pred(ctx, req) }, opts)
}

// NewTransform is [New] with a predicate that also returns the request to pass on
// (a normalised or enriched one); the returned request is ignored when the error
// is not nil.
func NewTransform[Req, Res any](inner service.Service[Req, Res], pred func(Req) (Req, error), opts ...Option) (*Filter[Req, Res], error) {
	if pred == nil {
		return nil, errors.New("filter: predicate is nil")
	}
	return build(inner, nil, func(_ context.Context, req Req) (Req, error) { return pred(req) }, opts)
}

// NewAsyncTransform is [NewAsync] with a predicate that also returns the request
// to pass on; see [NewTransform].
func NewAsyncTransform[Req, Res any](inner service.Service[Req, Res], pred func(context.Context, Req) (Req, error), opts ...Option) (*Filter[Req, Res], error) {
	if pred == nil {
		return nil, errors.New("filter: predicate is nil")
	}
	return build(inner, nil, pred, opts)
}

func build[Req, Res any](inner service.Service[Req, Res], pred func(Req) error, check func(context.Context, Req) (Req, error), opts []Option) (*Filter[Req, Res], error) {
	next, err := service.NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("filter: inner %w", err)
	}
	var cfg config
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("filter: option is nil")
		}
		o(&cfg)
	}
	return &Filter[Req, Res]{Next: next, pred: pred, check: check, events: cfg.events}, nil
}

// Call checks req with the predicate and, if it is accepted, calls the inner
// service with it (or with the request the predicate returned). A rejected call
// returns a *RejectedError at once.
func (f *Filter[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	var err error
	if f.pred != nil {
		err = f.pred(req)
	} else {
		req, err = f.check(ctx, req)
	}
	if err != nil {
		var zero Res
		return zero, f.reject(ctx, err)
	}
	return f.Next.Call(ctx, req)
}

// TryCall checks req with the predicate (waiting for an async one) and, if it is
// accepted, makes the inner service's non-blocking call (see service.Next). A
// rejection is the filter's own decision, not a lack of capacity, so it emits
// service.EventRejected on this path too; a refusal of the inner service's
// non-blocking call passes through with no event of the filter's.
func (f *Filter[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	var err error
	if f.pred != nil {
		err = f.pred(req)
	} else {
		req, err = f.check(ctx, req)
	}
	if err != nil {
		var zero Res
		return zero, f.reject(ctx, err)
	}
	return f.Next.TryCall(ctx, req)
}

// reject turns a predicate's error into the caller's: a *RejectedError, or the
// error itself when it is the caller's ctx ending.
func (f *Filter[Req, Res]) reject(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
		return err
	}
	f.events.Emit(service.Event{Stage: "filter", Kind: service.EventRejected, Err: err})
	return &RejectedError{Err: err}
}
