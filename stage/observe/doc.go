// Package observe reports the outcome of every call that passes it: how long it
// took and how it ended. It is the per-call hook that metrics adapters (call
// counters, a call-duration histogram) are built on, as a stage, so that it costs
// nothing where it is not in the pipeline and measures exactly the span of stages
// inside it.
//
//	p := tower.For[Req, Res]().
//		Observe(func(o observe.Outcome) { hist.Record(o.Elapsed.Seconds()) }).
//		Timeout(time.Second)
//
// The hook runs on the caller's goroutine after the inner service answered, so it
// must be quick and safe for concurrent use. A call costs two clock reads and the
// hook; it allocates nothing.
package observe
