package actor

import (
	"context"
	"sync/atomic"

	"github.com/tower-go/tower/service"
)

// Envelope states. A caller and a worker race to move an envelope out of pending;
// whoever loses knows the other still holds it.
const (
	pending   uint32 = iota // queued or being served, caller waiting
	replied                 // worker wrote the reply and signalled done
	abandoned               // caller left (ctx ended or actor killed); worker recycles
)

// envelope carries one call through the mailbox and its reply back. Envelopes and
// their done channels are pooled, so a call allocates nothing.
type envelope[Req, Res any] struct {
	ctx    context.Context
	cancel <-chan struct{} // ctx.Done(), read once by the caller
	req    Req
	res    Res
	err    error
	state  atomic.Uint32
	prio   service.Priority // with WithPriorities: ctx's priority, read once by the caller
	done   chan struct{}    // buffered (1): the worker's signal never blocks
}
