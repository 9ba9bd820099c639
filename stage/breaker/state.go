package breaker

// State is a breaker's state.
type State uint8

// The three states of a breaker.
const (
	// Closed: calls pass through and their outcomes are counted.
	Closed State = iota
	// Open: calls fail at once with [ErrOpen] until the open timeout has passed.
	Open
	// HalfOpen: a fixed number of probe calls pass through; the others fail with
	// [ErrOpen]. The breaker closes when every probe succeeded and re-opens on the
	// first probe that failed.
	HalfOpen
)

// String returns "closed", "open" or "half-open", the names events carry in
// service.Event.State.
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return "unknown"
}

// The breaker keeps its state and a generation in one atomic word: the state in the
// low two bits, the generation above them. Every transition makes a new generation,
// so that a call can tell, when it ends, whether the breaker moved on while it ran
// (its outcome then no longer counts).
const stateMask = 3

func stateOf(w uint64) State { return State(w & stateMask) }

func nextWord(w uint64, to State) uint64 { return (w>>2+1)<<2 | uint64(to) }
