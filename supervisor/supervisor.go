package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/tower-go/tower/service"
)

// States a child's events carry in service.Event.State (Kind
// service.EventStateChanged).
const (
	StateStarted   = "started"   // a child was added and its first instance made
	StateRestarted = "restarted" // a new instance replaced a failed one (Attempt: restarts so far)
	StateBackoff   = "backoff"   // a restart waits (Elapsed: the delay)
	StateEscalated = "escalated" // a supervisor exceeded its intensity (Err: *EscalationError)
	StateStopped   = "stopped"   // a child ended: removed, not restarted, or its supervisor stopped or gave up
)

// node is a child of a supervisor: a service child or a supervisor.
type node interface {
	base() *nodeBase
	// halt stops the node's current instance (a supervisor: every child's, in
	// reverse start order) within ctx. The node is then down: calls wait, its
	// readiness says it is restarting.
	halt(ctx context.Context)
	// start makes a new instance for generation gen and installs it unless gen is
	// no longer current (it then returns errStale). It returns the factory's error.
	start(ctx context.Context, gen uint64) error
	// terminate ends the node for good: calls fail with err (ErrStopped: after the
	// actor drained what is queued), within ctx.
	terminate(ctx context.Context, err error)
}

// nodeBase is what a supervisor keeps about each child. The fields below path are
// guarded by the parent's mu.
type nodeBase struct {
	name, path string
	restart    Restart
	shutdown   time.Duration
	backoff    Backoff

	gen      uint64    // bumped by every restart plan: reports of older generations are stale
	failures int       // consecutive failures, for the backoff
	upSince  time.Time // when the current instance was installed
	removed  bool
	restarts int
}

var errStale = errors.New("supervisor: stale restart")

type state uint8

const (
	running state = iota
	down          // escalated: waiting for the parent to restart it
	closing       // stopping, or gave up
)

// report is a message to a supervisor's loop: a child failed, or (restartAll) its
// parent restarts it.
type report struct {
	n          node
	gen        uint64
	reason     Reason
	cause      error
	restartAll bool
}

// Supervisor owns children — service children ([Add]) and supervisors
// ([Supervisor.AddSupervisor]) — and restarts them as its [Config] says. Create a
// root with [New]; the zero value is not usable. All methods are safe for
// concurrent use. A supervisor owns one goroutine of its own (its loop), plus one
// per restart in progress and per health-checked child.
type Supervisor struct {
	cfg    Config
	path   string
	parent *Supervisor
	nb     nodeBase // its place in parent, if any

	ctx    context.Context // factories' and health checks' ctx: ends at Stop
	cancel context.CancelFunc

	mu       sync.Mutex
	children []node // start order
	byName   map[string]node
	times    []time.Time // restarts within the period
	state    state
	err      error // the escalation error, once the root gave up
	pend     []service.Event

	qmu   sync.Mutex
	queue []report
	wake  chan struct{} // buffer 1
	quit  chan struct{} // closed at Stop or give-up
	once  sync.Once

	group conc.WaitGroup
	done  chan struct{}
}

// New starts a root supervisor. Add children with [Add] and
// [Supervisor.AddSupervisor]; stop it with [Supervisor.Stop].
func New(cfg Config) (*Supervisor, error) {
	if err := cfg.resolve(); err != nil {
		return nil, err
	}
	return start(cfg, nil, cfg.Name), nil
}

func start(cfg Config, parent *Supervisor, path string) *Supervisor {
	s := &Supervisor{
		cfg:    cfg,
		path:   path,
		parent: parent,
		byName: map[string]node{},
		wake:   make(chan struct{}, 1),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.group.Go(s.loop)
	go func() { // joins the group; ends with it
		s.group.Wait()
		close(s.done)
	}()
	return s
}

// AddSupervisor starts a child supervisor under s, placed as sub says. Its Events
// and Logger default to s's. It is restarted, as any child, when it escalates.
func (s *Supervisor) AddSupervisor(cfg Config, sub SubSpec) (*Supervisor, error) {
	if err := cfg.resolve(); err != nil {
		return nil, err
	}
	if err := checkRestart(sub.Restart); err != nil {
		return nil, fmt.Errorf("supervisor: %s: %w", cfg.Name, err)
	}
	if err := checkDuration("Shutdown", sub.Shutdown); err != nil {
		return nil, fmt.Errorf("supervisor: %s: %w", cfg.Name, err)
	}
	if err := sub.Backoff.resolve(); err != nil {
		return nil, fmt.Errorf("supervisor: %s: %w", cfg.Name, err)
	}
	if sub.Shutdown == 0 {
		sub.Shutdown = DefaultShutdown
	}
	if cfg.Events == nil {
		cfg.Events = s.cfg.Events
	}
	if cfg.Logger == nil {
		cfg.Logger = s.cfg.Logger
	}
	s.mu.Lock()
	if err := s.admit(cfg.Name); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	c := start(cfg, s, s.path+"/"+cfg.Name)
	c.nb = nodeBase{name: cfg.Name, path: c.path, restart: sub.Restart, shutdown: sub.Shutdown, backoff: sub.Backoff}
	c.nb.upSince = time.Now()
	s.children = append(s.children, c)
	s.byName[cfg.Name] = c
	s.emitLocked(service.Event{Stage: c.path, Kind: service.EventStateChanged, State: StateStarted})
	s.mu.Unlock()
	s.flush()
	return c, nil
}

// admit checks, under mu, that a child named name may be added.
func (s *Supervisor) admit(name string) error {
	if s.state == closing {
		return fmt.Errorf("supervisor: %s: %w", s.path, ErrStopped)
	}
	if _, dup := s.byName[name]; dup {
		return fmt.Errorf("supervisor: %s: a child named %q exists", s.path, name)
	}
	return nil
}

// Name returns the supervisor's name, Path its path from the root ("root/db").
func (s *Supervisor) Name() string { return s.cfg.Name }

// Path returns the supervisor's path from the root, names joined by "/".
func (s *Supervisor) Path() string { return s.path }

// Children returns the names of the children, in start order.
func (s *Supervisor) Children() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.children))
	for i, n := range s.children {
		out[i] = n.base().name
	}
	return out
}

// Sub returns the child supervisor at path (names joined by "/", relative to s).
func (s *Supervisor) Sub(path string) (*Supervisor, error) {
	n, err := s.find(path)
	if err != nil {
		return nil, err
	}
	sub, ok := n.(*Supervisor)
	if !ok {
		return nil, fmt.Errorf("supervisor: %s/%s is not a supervisor", s.path, path)
	}
	return sub, nil
}

func (s *Supervisor) find(path string) (node, error) {
	cur := s
	parts := strings.Split(path, "/")
	for i, p := range parts {
		cur.mu.Lock()
		n, ok := cur.byName[p]
		cur.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("%w: %s/%s", ErrNotFound, s.path, path)
		}
		if i == len(parts)-1 {
			return n, nil
		}
		sub, ok := n.(*Supervisor)
		if !ok {
			return nil, fmt.Errorf("%w: %s/%s", ErrNotFound, s.path, path)
		}
		cur = sub
	}
	return nil, fmt.Errorf("%w: %s/%s", ErrNotFound, s.path, path)
}

// Remove stops the child named name (its actor drains within its Shutdown and
// ctx) and forgets it. Later calls to its Ref fail with an error matching
// ErrStopped (and service.ErrClosed).
func (s *Supervisor) Remove(ctx context.Context, name string) error {
	s.mu.Lock()
	n, ok := s.byName[name]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("%w: %s/%s", ErrNotFound, s.path, name)
	}
	s.detachLocked(n)
	s.mu.Unlock()
	tctx, cancel := context.WithTimeout(ctx, n.base().shutdown)
	n.terminate(tctx, ErrStopped)
	cancel()
	s.emit(service.Event{Stage: n.base().path, Kind: service.EventStateChanged, State: StateStopped})
	return nil
}

func (s *Supervisor) detachLocked(n node) {
	b := n.base()
	b.removed = true
	b.gen++
	delete(s.byName, b.name)
	for i, m := range s.children {
		if m == n {
			s.children = append(s.children[:i:i], s.children[i+1:]...)
			break
		}
	}
}

// Done returns a channel closed once every goroutine the supervisor owns has
// ended: after Stop, or after the root gave up.
func (s *Supervisor) Done() <-chan struct{} { return s.done }

// Err returns the *EscalationError once the supervisor gave up (a root whose
// restart intensity was exceeded), else nil.
func (s *Supervisor) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Stop stops the supervisor: no more restarts, then every child in reverse start
// order, each within its drain deadline (Spec.Shutdown) and ctx: its actor serves
// what is queued with the current instance, answers what is left with an error
// matching service.ErrClosed, and its instance is stopped if it is a
// service.Stopper. Stop returns nil once every goroutine the supervisor owns has
// ended, or ctx.Err() if ctx ends first (Done then tells when they have). It may be
// called more than once.
func (s *Supervisor) Stop(ctx context.Context) error {
	s.mu.Lock()
	first := s.state != closing
	var nodes []node
	if first {
		s.state = closing
		nodes = append(nodes, s.children...)
		s.close()
	}
	s.mu.Unlock()
	var d *drain // one deadline context for the service children, re-armed for each
	for i := len(nodes) - 1; i >= 0; i-- {
		n := nodes[i]
		if c, ok := n.(interface{ stopIn(*drain) }); ok {
			if d == nil {
				d = newDrain(ctx)
			}
			d.arm(n.base().shutdown)
			c.stopIn(d)
		} else {
			tctx, cancel := context.WithTimeout(ctx, n.base().shutdown)
			n.terminate(tctx, ErrStopped)
			cancel()
		}
		s.emit(service.Event{Stage: n.base().path, Kind: service.EventStateChanged, State: StateStopped})
	}
	if d != nil {
		d.close()
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close ends the loop, pending restarts and health checks. Under mu.
func (s *Supervisor) close() {
	s.once.Do(func() {
		close(s.quit)
		s.cancel()
	})
}

// post hands a report to the loop. It never blocks.
func (s *Supervisor) post(r report) {
	s.qmu.Lock()
	s.queue = append(s.queue, r)
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Supervisor) loop() {
	for {
		select {
		case <-s.wake:
		case <-s.quit:
			return
		}
		s.qmu.Lock()
		q := s.queue
		s.queue = nil
		s.qmu.Unlock()
		for _, r := range q {
			if r.restartAll {
				s.restartAll()
			} else if s.handle(r) {
				return // gave up
			}
		}
	}
}

// plan is one restart: the nodes it restarts in start order, their generations,
// the delay before starting them.
type plan struct {
	nodes []node
	gens  []uint64
	delay time.Duration
	cause node // the failed node, for the backoff event
}

// handle decides what a failure does. It reports whether the supervisor gave up.
func (s *Supervisor) handle(r report) (gaveUp bool) {
	s.mu.Lock()
	b := r.n.base()
	if s.state != running || b.gen != r.gen || b.removed {
		s.mu.Unlock()
		return false
	}
	s.emitLocked(service.Event{Stage: b.path, Kind: service.EventFailed, Err: r.cause})
	normal := r.reason == ReasonEnded
	if b.restart == Temporary || (b.restart == Transient && normal) {
		s.detachLocked(r.n)
		err := error(&service.FailedError{Err: r.cause})
		if normal {
			err = fmt.Errorf("%w: %w", ErrEnded, r.cause)
		}
		s.group.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), b.shutdown)
			defer cancel()
			r.n.terminate(ctx, err)
			s.emit(service.Event{Stage: b.path, Kind: service.EventStateChanged, State: StateStopped, Err: err})
		})
		s.mu.Unlock()
		s.flush()
		return false
	}
	now := time.Now()
	if !s.allowLocked(now) {
		esc := &EscalationError{Supervisor: s.path, Restarts: s.cfg.Intensity, Cause: r.cause}
		return s.escalateLocked(esc) // unlocks
	}
	if !b.upSince.IsZero() && now.Sub(b.upSince) >= b.backoff.Reset {
		b.failures = 0
	}
	p := plan{delay: b.backoff.delay(b.failures), cause: r.n}
	b.failures++
	idx := 0
	for i, n := range s.children {
		if n == r.n {
			idx = i
		}
	}
	switch s.cfg.Strategy {
	case OneForOne:
		p.nodes = []node{r.n}
	case OneForAll:
		p.nodes = append(p.nodes, s.children...)
	case RestForOne:
		p.nodes = append(p.nodes, s.children[idx:]...)
	}
	s.launchLocked(p)
	s.mu.Unlock()
	s.flush()
	return false
}

// launchLocked bumps the generation of every node of p and runs it on a goroutine.
func (s *Supervisor) launchLocked(p plan) {
	p.gens = make([]uint64, len(p.nodes))
	for i, n := range p.nodes {
		b := n.base()
		b.gen++
		p.gens[i] = b.gen
	}
	s.group.Go(func() { s.run(p) })
}

// allowLocked records a restart at now and reports whether the intensity allows
// it: at most Intensity restarts within the last Period.
func (s *Supervisor) allowLocked(now time.Time) bool {
	cut := now.Add(-s.cfg.Period)
	i := 0
	for i < len(s.times) && !s.times[i].After(cut) {
		i++
	}
	s.times = append(s.times[i:], now)
	return len(s.times) <= s.cfg.Intensity
}

// escalateLocked gives up (the root) or hands the failure to the parent. It
// unlocks mu and reports whether the loop must end.
func (s *Supervisor) escalateLocked(esc *EscalationError) bool {
	ev := service.Event{Stage: s.path, Kind: service.EventStateChanged, State: StateEscalated, Err: esc}
	if s.parent != nil {
		s.state = down
		for _, n := range s.children {
			n.base().gen++ // reports from their instances are stale now
		}
		s.mu.Unlock()
		s.flush()
		s.emit(ev)
		s.parent.post(report{n: s, gen: s.parentGen(), reason: ReasonEscalated, cause: esc})
		return false
	}
	s.state = closing
	s.err = esc
	nodes := append([]node(nil), s.children...)
	for _, n := range nodes {
		if c, ok := n.(interface{ setFinal(error) }); ok {
			c.setFinal(esc) // calls fail from now on, queued ones too
		}
	}
	s.close()
	s.mu.Unlock()
	s.flush()
	s.emit(ev)
	for i := len(nodes) - 1; i >= 0; i-- {
		n := nodes[i]
		ctx, cancel := context.WithTimeout(context.Background(), n.base().shutdown)
		n.terminate(ctx, esc)
		cancel()
		s.emit(service.Event{Stage: n.base().path, Kind: service.EventStateChanged, State: StateStopped, Err: esc})
	}
	return true
}

// parentGen reads s's generation in its parent.
func (s *Supervisor) parentGen() uint64 {
	s.parent.mu.Lock()
	defer s.parent.mu.Unlock()
	return s.nb.gen
}

// run carries out a restart plan: stop the instances in reverse start order, wait
// the backoff, start them in start order. A node whose generation moved on (a
// later plan took it over) ends the plan. A factory error is the node's failure.
func (s *Supervisor) run(p plan) {
	for i := len(p.nodes) - 1; i >= 0; i-- {
		n := p.nodes[i]
		if !s.current(n, p.gens[i]) {
			continue
		}
		ctx, cancel := context.WithTimeout(s.ctx, n.base().shutdown)
		n.halt(ctx)
		cancel()
	}
	if p.delay > 0 {
		s.emit(service.Event{Stage: p.cause.base().path, Kind: service.EventStateChanged, State: StateBackoff, Elapsed: p.delay})
		t := time.NewTimer(p.delay)
		select {
		case <-t.C:
		case <-s.quit:
			t.Stop()
			return
		}
	}
	for i, n := range p.nodes {
		if !s.current(n, p.gens[i]) {
			return
		}
		err := n.start(s.ctx, p.gens[i])
		if errors.Is(err, errStale) {
			return
		}
		b := n.base()
		if err != nil {
			s.post(report{n: n, gen: p.gens[i], reason: ReasonFactory, cause: &ChildError{Child: b.path, Reason: ReasonFactory, Err: err}})
			return
		}
		s.mu.Lock()
		b.restarts++
		k := b.restarts
		s.mu.Unlock()
		s.emit(service.Event{Stage: b.path, Kind: service.EventStateChanged, State: StateRestarted, Attempt: k})
	}
}

// current reports whether n is still at generation gen and s running.
func (s *Supervisor) current(n node, gen uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := n.base()
	return s.state == running && b.gen == gen && !b.removed
}

// restartAll is a child supervisor's restart: a fresh intensity history, then
// every child started again.
func (s *Supervisor) restartAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == closing {
		return
	}
	s.state = running
	s.times = nil
	if len(s.children) == 0 {
		return
	}
	s.launchLocked(plan{nodes: append([]node(nil), s.children...), cause: s})
}

// The supervisor as a child of its parent.

func (s *Supervisor) base() *nodeBase { return &s.nb }

func (s *Supervisor) halt(ctx context.Context) {
	s.mu.Lock()
	if s.state == closing {
		s.mu.Unlock()
		return
	}
	s.state = down
	nodes := append([]node(nil), s.children...)
	for _, n := range nodes {
		n.base().gen++
	}
	s.mu.Unlock()
	for i := len(nodes) - 1; i >= 0; i-- {
		nodes[i].halt(ctx)
	}
}

func (s *Supervisor) start(_ context.Context, gen uint64) error {
	s.parent.mu.Lock()
	ok := s.parent.state == running && s.nb.gen == gen && !s.nb.removed
	if ok {
		s.nb.upSince = time.Now()
	}
	s.parent.mu.Unlock()
	if !ok {
		return errStale
	}
	s.post(report{restartAll: true})
	return nil
}

func (s *Supervisor) terminate(ctx context.Context, err error) {
	if err == ErrStopped {
		_ = s.Stop(ctx)
		return
	}
	s.mu.Lock()
	if s.state == closing {
		s.mu.Unlock()
		_ = s.Stop(ctx)
		return
	}
	s.state = closing
	nodes := append([]node(nil), s.children...)
	for _, n := range nodes {
		if c, ok := n.(interface{ setFinal(error) }); ok {
			c.setFinal(err)
		}
	}
	s.close()
	s.mu.Unlock()
	for i := len(nodes) - 1; i >= 0; i-- {
		nodes[i].terminate(ctx, err)
	}
	select {
	case <-s.done:
	case <-ctx.Done():
	}
}

// delay returns the backoff before the restart that follows n consecutive
// failures: 0 with None, else Min·Factor^n capped at Max, moved by up to ±Jitter.
func (b *Backoff) delay(n int) time.Duration {
	if b.None {
		return 0
	}
	d := float64(b.Min)
	for range n {
		d *= b.Factor
		if d >= float64(b.Max) {
			break
		}
	}
	d = min(d, float64(b.Max))
	d *= 1 + b.Jitter*(2*rand.Float64()-1)
	return time.Duration(d)
}

// emitLocked queues an event under mu; flush hands the queued events to the hook
// once mu is released, so that a hook may call the supervisor.
func (s *Supervisor) emitLocked(e service.Event) {
	if s.cfg.Events != nil || s.cfg.Logger != nil {
		s.pend = append(s.pend, e)
	}
}

func (s *Supervisor) flush() {
	s.mu.Lock()
	ev := s.pend
	s.pend = nil
	s.mu.Unlock()
	for _, e := range ev {
		s.emit(e)
	}
}

// emit hands an event to the hook and the logger, recovering a panic in either.

func (s *Supervisor) emit(e service.Event) {
	if s.cfg.Events == nil && s.cfg.Logger == nil {
		return
	}
	if s.cfg.Events != nil {
		func() {
			defer func() { _ = recover() }()
			s.cfg.Events(e)
		}()
	}
	if l := s.cfg.Logger; l != nil {
		defer func() { _ = recover() }() // a panicking handler is user code too
		level, msg := slog.LevelInfo, e.State
		switch {
		case e.Kind == service.EventFailed:
			level, msg = slog.LevelWarn, "failed"
		case e.State == StateEscalated:
			level = slog.LevelError
		}
		attrs := []any{"child", e.Stage}
		if e.Err != nil {
			attrs = append(attrs, "err", e.Err.Error())
		}
		if e.Attempt > 0 {
			attrs = append(attrs, "restarts", e.Attempt)
		}
		if e.Elapsed > 0 {
			attrs = append(attrs, "delay", e.Elapsed)
		}
		var pe *service.PanicError
		if errors.As(e.Err, &pe) {
			attrs = append(attrs, "stack", string(pe.Stack()))
		}
		l.Log(context.Background(), level, "supervisor: "+msg, attrs...)
	}
}
