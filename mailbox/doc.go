// Package mailbox provides a bounded multi-producer, multi-consumer queue: the
// mailbox an actor drains.
//
// Capacity is fixed at construction and never grows, so memory stays flat under
// overload. What a sender meets when the mailbox is full is the mailbox's
// [Overflow] policy: [Wait] (the default) blocks the sender until there is room or
// its ctx ends; [FailFast] fails the send at once with [ErrFull], which matches
// service.ErrOverloaded. [Mailbox.TrySend] never waits, whatever the policy.
//
// Readiness is free capacity: [Mailbox.Ready] waits for room and [Mailbox.TryReady]
// answers at once. Both are advisory; they reserve nothing.
//
// [Mailbox.Close] stops the mailbox taking messages: senders waiting for room get
// [ErrClosed] at once, and so does every later send. Messages already queued stay
// receivable, so consumers drain them and then see the mailbox closed; or an owner
// that cannot wait takes them out with [Mailbox.Drain] and answers their senders
// with an error. No message that a send accepted is lost: each is received or
// drained exactly once.
//
// Close is bounded: it waits only for the senders already inside a send, which leave
// at once; senders that keep arriving fail without holding it up.
//
// Capacity is at most [MaxCapacity], and the buffer (capacity times the size of a
// message) at most [MaxBufferBytes]: the buffer is allocated whole at construction.
//
// Underneath is a buffered Go channel, so a hand-off costs what a channel operation
// costs; a send adds an atomic load and a read lock (two atomic additions), and a
// receive one atomic load.
package mailbox
