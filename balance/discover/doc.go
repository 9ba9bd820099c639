// Package discover provides endpoint discovery for balancers: sources that tell
// which endpoints exist as they come and go, as Tower's Discover does.
//
// # Changes and sources
//
// A [Source] delivers [Change] values one at a time through Next(ctx): an insert
// of an endpoint under a key ([Insert]; a key that exists is replaced) or the
// removal of a key ([Remove]). Applied in order, the changes rebuild the source's
// set. Next is bounded by its ctx, and a Next that returns ctx's error has
// consumed no change, so a watcher can be cancelled and resumed without losing
// one. A source that will say no more returns [ErrEnded]; a stopped one returns
// [ErrClosed] (which matches service.ErrClosed).
//
// The sources:
//
//   - [Static]: a fixed list, delivered as inserts and then ended.
//   - [Channel]: changes a program sends on a channel it owns; the channel's
//     capacity is the bound between the program and the consumer.
//   - [DNS]: the A/AAAA records of a host ([NewDNS]) or the SRV records of a
//     service ([NewSRV]; lowest priority group, weights carried in [Addr]),
//     re-resolved every refresh interval and early after [DNS.ReportFailure]
//     (bounded by a minimum interval), diffed against the set already delivered.
//     A resolution error keeps the last good set. It resolves with the
//     *net.Resolver of its [DNSConfig] (net.DefaultResolver by default).
//
// [Map] turns a source of addresses into a source of endpoint services: a
// [Factory] makes each endpoint's service, handing what it starts to the
// endpoint's service.Scope; a factory failure skips the endpoint, emits
// EventFactoryFailed, and is retried after a retry interval.
//
// # Goroutines
//
// Only a [DNS] source owns a goroutine (its refresh loop); it implements
// service.Stopper, so hand it to the scope or supervisor that owns the balancer,
// or call Stop. The other sources and [Mapped] run on the caller of Next. Stopping
// the endpoints a [Mapped] delivered (their Scope) is the job of whoever applies
// the changes, once their calls have finished.
//
// # Cost
//
// Static, Channel and Mapped allocate nothing per change beyond what the factory
// does (a Mapped allocates the endpoint's Scope). A DNS source allocates per
// resolution, not per change; its pending changes are the diff between the set
// delivered and the latest one, so a slow consumer never makes it grow.
package discover
