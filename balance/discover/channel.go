package discover

import (
	"context"
	"errors"
)

// Channel is a source fed by a channel of changes: for a program that knows its
// endpoints and tells the balancer as they come and go. Closing the channel ends
// the source (Next returns [ErrEnded]).
//
// The channel is the bound: a sender blocks while the consumer is behind, as the
// channel's capacity says. The zero value is not usable; build one with
// [NewChannel]. It is safe for concurrent use, starts no goroutine and allocates
// nothing per change.
type Channel[K comparable, V any] struct {
	ch <-chan Change[K, V]
}

var _ Source[string, int] = (*Channel[string, int])(nil)

// NewChannel returns a source that reads its changes from ch. It returns an error
// if ch is nil.
func NewChannel[K comparable, V any](ch <-chan Change[K, V]) (*Channel[K, V], error) {
	if ch == nil {
		return nil, errors.New("discover: channel: the channel is nil")
	}
	return &Channel[K, V]{ch: ch}, nil
}

// Next waits for the next change on the channel, bounded by ctx. It returns
// [ErrEnded] once the channel is closed and drained, and an error matching
// [ErrInvalidChange] (having consumed it) for a change whose Op is invalid.
func (c *Channel[K, V]) Next(ctx context.Context) (Change[K, V], error) {
	if err := ctx.Err(); err != nil {
		return Change[K, V]{}, err
	}
	select {
	case ch, ok := <-c.ch:
		if !ok {
			return Change[K, V]{}, ErrEnded
		}
		if ch.Op != OpInsert && ch.Op != OpRemove {
			return Change[K, V]{}, ErrInvalidChange
		}
		return ch, nil
	case <-ctx.Done():
		return Change[K, V]{}, ctx.Err()
	}
}
