package discover

import (
	"context"
	"fmt"

	"github.com/tower-go/tower/service"
)

// Op says what a [Change] does.
type Op uint8

const (
	// OpInsert adds an endpoint under a key, or replaces the endpoint the key had.
	OpInsert Op = iota + 1
	// OpRemove removes the endpoint under a key.
	OpRemove
)

// String returns "insert", "remove" or "invalid".
func (o Op) String() string {
	switch o {
	case OpInsert:
		return "insert"
	case OpRemove:
		return "remove"
	}
	return "invalid"
}

// Change is one change to a set of endpoints: Tower's Change::Insert(K, V) and
// Change::Remove(K). Value is set for [OpInsert] only. Build one with [Insert] or
// [Remove]; the zero value has no Op and is invalid.
type Change[K comparable, V any] struct {
	Op    Op
	Key   K
	Value V
}

// Insert returns the change that adds v under k (or replaces what k had).
func Insert[K comparable, V any](k K, v V) Change[K, V] {
	return Change[K, V]{Op: OpInsert, Key: k, Value: v}
}

// Remove returns the change that removes k.
func Remove[K comparable, V any](k K) Change[K, V] {
	return Change[K, V]{Op: OpRemove, Key: k}
}

// String formats the change as "insert key=value" or "remove key".
func (c Change[K, V]) String() string {
	if c.Op == OpInsert {
		return fmt.Sprintf("insert %v=%v", c.Key, c.Value)
	}
	return fmt.Sprintf("%v %v", c.Op, c.Key)
}

// Entry is one endpoint of a set: a key and its value.
type Entry[K comparable, V any] struct {
	Key   K
	Value V
}

// Source delivers the changes to a set of endpoints, one at a time, in order.
//
// Next blocks until a change is available and returns it; applied in order, the
// changes rebuild the source's set. It returns ctx.Err() if ctx ends first, and
// then it has consumed no change (a caller may call again with another ctx without
// losing one). It returns an error matching [ErrEnded] when the source will deliver
// no more changes (the endpoints delivered so far stay as they are), and one
// matching [ErrClosed] once the source has been stopped. Any other error concerns
// one change; the caller may call Next again.
//
// A Source is consumed by one goroutine (a balancer's watcher), but every source
// here is safe for concurrent use: each change goes to exactly one caller. A
// source that starts goroutines (see [DNS]) implements service.Stopper; its owner
// stops it.
type Source[K comparable, V any] interface {
	Next(ctx context.Context) (Change[K, V], error)
}

var (
	// ErrEnded reports that a source delivers no more changes: a [Static] source
	// has delivered its list, or a [Channel] source's channel was closed. What it
	// delivered stays valid.
	ErrEnded = service.NewError("discover: source ended")
	// ErrClosed reports that a source was stopped. It matches service.ErrClosed.
	ErrClosed = service.NewError("discover: source stopped", service.ErrClosed)
	// ErrInvalidChange reports a change whose Op is neither OpInsert nor OpRemove
	// (for example the zero Change sent on a [Channel] source's channel). The
	// change is skipped; the source goes on.
	ErrInvalidChange = service.NewError("discover: invalid change")
)
