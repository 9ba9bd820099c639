package service

// Loader is implemented by services that report their load: a cost a balancer
// compares to pick among endpoints, lower meaning less loaded. What the number
// measures (calls in flight, a latency estimate times calls in flight, queued calls)
// is the metric's choice; values are comparable only between services that use the
// same metric. Load must be cheap, safe for concurrent use, and must not change the
// load it reads (reading a decaying estimate does not decay it).
//
// Every stage forwards its inner service's load ([Next] does), so wrapping an
// endpoint in a timeout or a retry does not hide it.
type Loader interface {
	Load() float64
}

// Load returns s's load if it implements [Loader], and 0 (no load known) otherwise.
func Load[Req, Res any](s Service[Req, Res]) float64 {
	if l, ok := s.(Loader); ok {
		return l.Load()
	}
	return 0
}
