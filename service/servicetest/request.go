package servicetest

import (
	"context"
	"sync/atomic"
)

// Request is one call the mock accepted, as [Handle.Next] hands it to the test.
// Answer it exactly once with Respond or Error. Its methods are safe for concurrent
// use and never block.
type Request[Req, Res any] struct {
	// Req is the request the caller passed.
	Req Req
	// Ctx is the caller's context. Ctx.Err() is not nil once the caller has given up.
	Ctx context.Context

	s        *state[Req, Res]
	answered atomic.Bool
	reply    chan answer[Res] // buffered 1: an answer never blocks, even a late one
}

type answer[Res any] struct {
	res Res
	err error
}

// Respond answers the call with res and a nil error: the caller's Call returns
// (res, nil), unless its ctx has already ended, in which case the answer is
// discarded. It returns ErrAnswered, and changes nothing, if the request already had
// an answer (from Respond, Error or Handle.Close).
func (r *Request[Req, Res]) Respond(res Res) error {
	return r.answer(res, nil)
}

// Error answers the call with err: the caller's Call returns (zero Res, err), unless
// its ctx has already ended. It returns ErrAnswered, and changes nothing, if the
// request already had an answer. Error panics if err is nil (use Respond).
func (r *Request[Req, Res]) Error(err error) error {
	if err == nil {
		panic("servicetest: Request.Error with a nil error")
	}
	var zero Res
	return r.answer(zero, err)
}

func (r *Request[Req, Res]) answer(res Res, err error) error {
	if !r.answered.CompareAndSwap(false, true) {
		return ErrAnswered
	}
	r.s.mu.Lock()
	r.s.pending--
	r.s.mu.Unlock()
	r.reply <- answer[Res]{res: res, err: err}
	return nil
}
