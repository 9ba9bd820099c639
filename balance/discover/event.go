package discover

// EventKind names something a source or a [Mapped] did.
type EventKind uint8

const (
	// EventResolved: a DNS resolution succeeded; Endpoints is the size of the set
	// it found.
	EventResolved EventKind = iota + 1
	// EventResolveFailed: a DNS resolution failed (Err); the last good set stays.
	// It is also emitted, with Endpoints set, when some SRV targets did not
	// resolve but others did.
	EventResolveFailed
	// EventFactoryFailed: the factory of a [Mapped] failed for Key (Err); the
	// endpoint is skipped and tried again after the retry interval.
	EventFactoryFailed
)

// String returns the kind's snake_case name, such as "resolve_failed".
func (k EventKind) String() string {
	switch k {
	case EventResolved:
		return "resolved"
	case EventResolveFailed:
		return "resolve_failed"
	case EventFactoryFailed:
		return "factory_failed"
	}
	return "unknown"
}

// Event is one thing a source or a [Mapped] did. Only the fields that apply to
// its Kind are set.
type Event struct {
	Kind      EventKind
	Name      string // the DNS name resolved (DNS events)
	Key       any    // the endpoint's key (EventFactoryFailed)
	Endpoints int    // the size of the resolved set (EventResolved, EventResolveFailed)
	Err       error  // the error behind the event
}

// EventFunc receives events. It runs on the source's goroutine (or the caller of
// Next, for a [Mapped]), so it must be quick and safe for concurrent use. A nil
// EventFunc discards events.
type EventFunc func(Event)

func (f EventFunc) emit(e Event) {
	if f != nil {
		f(e)
	}
}
