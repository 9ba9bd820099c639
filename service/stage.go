package service

import (
	"context"
	"errors"
	"fmt"
)

// StageFunc is the logic of a user-written stage: it gets each call's ctx and
// request and the next service, and answers the call, usually by calling next (once,
// several times, or not at all). [Stage] and [NewStage] make a stage of it.
//
// next is the inner service with every ability forwarded: when the stage is called
// through TryCall (a load shedder in front of it, say), next.Call is the inner
// service's non-blocking call, so the shedder still sheds at once instead of waiting
// behind the user's stage. A StageFunc must be safe for concurrent use.
type StageFunc[Req, Res any] func(ctx context.Context, req Req, next Service[Req, Res]) (Res, error)

// FuncStage is a stage made of a [StageFunc]. Its readiness, and every other ability
// of the contract, is its inner service's (it embeds [Next]); Call runs the function
// with next bound to the inner Call, TryCall with next bound to the inner TryCall.
//
// The zero value is not usable; build one with [NewStage] or [Stage]. It is safe for
// concurrent use if the function is. A call costs the function and an indirect call
// and allocates nothing.
type FuncStage[Req, Res any] struct {
	Next[Req, Res]
	f   StageFunc[Req, Res]
	try *tryNext[Req, Res] // the same Next, with Call meaning TryCall
}

var (
	_ Service[int, int]   = (*FuncStage[int, int])(nil)
	_ Readier             = (*FuncStage[int, int])(nil)
	_ TryCaller[int, int] = (*FuncStage[int, int])(nil)
	_ Loader              = (*FuncStage[int, int])(nil)
)

// NewStage returns a stage that answers every call with f over inner. It returns an
// error if inner or f is nil.
func NewStage[Req, Res any](inner Service[Req, Res], f StageFunc[Req, Res]) (*FuncStage[Req, Res], error) {
	if f == nil {
		return nil, errors.New("service: stage: function is nil")
	}
	next, err := NewNext(inner)
	if err != nil {
		return nil, fmt.Errorf("service: stage: inner %w", err)
	}
	s := &FuncStage[Req, Res]{Next: next, f: f}
	s.try = (*tryNext[Req, Res])(&s.Next)
	return s, nil
}

// Stage returns a layer that builds a [FuncStage] of f over the inner service: the
// way to write a stage of one's own that forwards every ability without knowing
// them. A nil f is reported when the layer is applied.
func Stage[Req, Res any](f StageFunc[Req, Res]) Layer[Req, Res] {
	return func(_ *Scope, inner Service[Req, Res]) (Service[Req, Res], error) {
		return Built[Req, Res](NewStage(inner, f))
	}
}

// Call runs the function with next calling the inner service.
func (s *FuncStage[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return s.f(ctx, req, &s.Next)
}

// TryCall runs the function with next making the inner service's non-blocking call,
// so that a refusal reaches the caller at once.
func (s *FuncStage[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return s.f(ctx, req, s.try)
}

// tryNext is a Next whose Call is the inner service's non-blocking call.
type tryNext[Req, Res any] Next[Req, Res]

func (t *tryNext[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return (*Next[Req, Res])(t).TryCall(ctx, req)
}

func (t *tryNext[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	return (*Next[Req, Res])(t).TryCall(ctx, req)
}

func (t *tryNext[Req, Res]) Ready(ctx context.Context) error {
	return (*Next[Req, Res])(t).Ready(ctx)
}

func (t *tryNext[Req, Res]) TryReady() error { return (*Next[Req, Res])(t).TryReady() }

func (t *tryNext[Req, Res]) Load() float64 { return (*Next[Req, Res])(t).Load() }
