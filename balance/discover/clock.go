package discover

import "time"

// Clock is the time a [DNS] source's refresh loop waits on. The zero
// [DNSConfig.Clock] means the real clock; a test injects one to drive refreshes
// explicitly (a testing/synctest bubble cannot hold the network I/O a resolution
// does). Implementations must be safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
