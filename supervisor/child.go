package supervisor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tower-go/tower/actor"
	"github.com/tower-go/tower/service"
)

// Child is a service child of a supervisor: one actor, whose mailbox and [Ref]
// outlive the instances its factory makes. Get one from [Add] or
// [Template.Start]; the zero value is not usable. All methods are safe for
// concurrent use.
type Child[Req, Res any] struct {
	nb   nodeBase
	sup  *Supervisor
	spec Spec[Req, Res]

	a   *actor.Actor[Req, Res]
	ref actor.Ref[Req, Res]

	cur     atomic.Pointer[instance[Req, Res]] // nil while restarting
	final   atomic.Pointer[error]              // set once the child ends for good
	mu      sync.Mutex                         // guards upCh, last, and changes of cur
	upCh    chan struct{}                      // closed while cur is set (closedCh once up)
	last    *instance[Req, Res]                // the instance to stop on halt
	closing chan struct{}                      // closed when final is set
	endOnce sync.Once
}

// instance is one service the factory made.
type instance[Req, Res any] struct {
	svc    service.Service[Req, Res]
	ready  service.Readier
	gen    uint64
	failed atomic.Bool
	acc    *accrual
	quit   chan struct{} // closed when the instance is stopped: its health check ends (nil without one)
	once   sync.Once
}

var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// childService is the actor's service: the indirection to the child's current
// instance. One pointer, so that handing it to the actor allocates nothing.
type childService[Req, Res any] struct{ c *Child[Req, Res] }

func (s childService[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	return s.c.serve(ctx, req)
}

// workerOptions are the actor options of the common fixed pools, made once.
var workerOptions = func() (o [9]actor.Option) {
	for i := 1; i < len(o); i++ {
		o[i] = actor.WithWorkers(i)
	}
	return o
}()

// workersOption returns actor.WithWorkers(n), shared for small n.
func workersOption(n int) actor.Option {
	if n < len(workerOptions) {
		return workerOptions[n]
	}
	return actor.WithWorkers(n)
}

// stoppedErr is the final error of a child stopped normally, shared so that
// storing it allocates nothing.
var stoppedErr error = ErrStopped

// Add adds a service child to s, built from spec, and returns it once its first
// instance is made: the factory is called here, bounded by ctx, and if it fails
// (or panics) Add returns its error and adds nothing. Add may be called at any
// time while s runs; a name already taken is an error.
func Add[Req, Res any](ctx context.Context, s *Supervisor, spec Spec[Req, Res]) (*Child[Req, Res], error) {
	if s == nil {
		return nil, errors.New("supervisor: Add on a nil Supervisor")
	}
	if err := spec.resolve(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	err := s.admit(spec.Name)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	c := &Child[Req, Res]{
		nb:      nodeBase{name: spec.Name, path: s.path + "/" + spec.Name, restart: spec.Restart, shutdown: spec.Shutdown, backoff: spec.Backoff},
		sup:     s,
		spec:    spec,
		closing: make(chan struct{}),
		upCh:    closedCh, // not up yet, but no call can reach serve before the first install
	}
	svc, err := c.make(ctx)
	if err != nil {
		return nil, fmt.Errorf("supervisor: child %s: factory: %w", c.nb.path, err)
	}
	var buf [3]actor.Option
	opts := append(buf[:0], actor.WithName(spec.Name))
	if spec.Workers > 0 {
		opts = append(opts, workersOption(spec.Workers))
	}
	if spec.MaxWorkers > 0 {
		opts = append(opts, actor.WithMaxWorkers(spec.MaxWorkers))
	}
	a, err := actor.Spawn[Req, Res](childService[Req, Res]{c}, spec.Capacity, opts...)
	if err != nil {
		stopService(context.Background(), svc, spec.Shutdown)
		return nil, fmt.Errorf("supervisor: child %s: %w", c.nb.path, err)
	}
	c.a, c.ref = a, a.Ref()
	s.mu.Lock()
	if err := s.admit(spec.Name); err != nil {
		s.mu.Unlock()
		_ = a.Stop(context.Background())
		stopService(context.Background(), svc, spec.Shutdown)
		return nil, err
	}
	c.installLocked(svc, 0)
	s.children = append(s.children, c)
	s.byName[spec.Name] = c
	s.emitLocked(service.Event{Stage: c.nb.path, Kind: service.EventStateChanged, State: StateStarted})
	s.mu.Unlock()
	s.flush()
	return c, nil
}

// Template makes many children of one spec, each from an argument: OTP's
// simple_one_for_one (one connection per discovered address, say). Spec gives every
// field but Name and Factory.
type Template[Req, Res, A any] struct {
	Spec    Spec[Req, Res]
	Factory func(ctx context.Context, arg A) (service.Service[Req, Res], error)
}

// Start adds a child named name to s whose factory is t.Factory(ctx, arg); see [Add].
func (t Template[Req, Res, A]) Start(ctx context.Context, s *Supervisor, name string, arg A) (*Child[Req, Res], error) {
	if t.Factory == nil {
		return nil, errors.New("supervisor: Template.Factory is nil")
	}
	spec := t.Spec
	spec.Name = name
	spec.Factory = func(ctx context.Context) (service.Service[Req, Res], error) { return t.Factory(ctx, arg) }
	return Add(ctx, s, spec)
}

// Lookup returns the Ref of the service child at path (names joined by "/",
// relative to s, such as "db/conn-1"). It fails with an error matching ErrNotFound
// if there is none, or if it serves other types.
func Lookup[Req, Res any](s *Supervisor, path string) (Ref[Req, Res], error) {
	n, err := s.find(path)
	if err != nil {
		return Ref[Req, Res]{}, err
	}
	c, ok := n.(*Child[Req, Res])
	if !ok {
		return Ref[Req, Res]{}, fmt.Errorf("%w: %s/%s is not a child of these types", ErrNotFound, s.path, path)
	}
	return c.Ref(), nil
}

// Ref returns the child's address: valid across restarts, for as long as the
// child lives.
func (c *Child[Req, Res]) Ref() Ref[Req, Res] { return Ref[Req, Res]{c: c} }

// Name returns the child's name; Path its path from the root.
func (c *Child[Req, Res]) Name() string { return c.nb.name }

// Path returns the child's path from the root ("root/db/conn-1").
func (c *Child[Req, Res]) Path() string { return c.nb.path }

// Restarts returns how many instances replaced a failed one so far.
func (c *Child[Req, Res]) Restarts() int {
	c.sup.mu.Lock()
	defer c.sup.mu.Unlock()
	return c.nb.restarts
}

// Err returns the error every call now fails with, once the child ended for good
// (removed, not restarted, or its supervisor stopped or gave up), else nil.
func (c *Child[Req, Res]) Err() error {
	if e := c.final.Load(); e != nil {
		return *e
	}
	return nil
}

// make calls the factory, turning a panic or a nil service into an error.
func (c *Child[Req, Res]) make(ctx context.Context) (svc service.Service[Req, Res], err error) {
	defer func() {
		if v := recover(); v != nil {
			svc, err = nil, service.NewPanicError(v)
		}
	}()
	svc, err = c.spec.Factory(ctx)
	if err == nil && service.CheckService(svc) != nil {
		return nil, errors.New("factory returned a nil service")
	}
	return svc, err
}

// installLocked makes svc the current instance. Under the supervisor's mu.
func (c *Child[Req, Res]) installLocked(svc service.Service[Req, Res], gen uint64) {
	in := &instance[Req, Res]{svc: svc, gen: gen}
	if c.spec.Health != nil {
		in.quit = make(chan struct{})
	}
	in.ready, _ = svc.(service.Readier)
	if c.spec.Accrual.on() {
		in.acc = newAccrual(&c.spec.Accrual)
	}
	c.nb.upSince = time.Now()
	c.mu.Lock()
	old := c.last
	c.last = in
	c.cur.Store(in)
	if c.upCh != closedCh {
		close(c.upCh)
		c.upCh = closedCh
	}
	c.mu.Unlock()
	if old != nil { // not halted (cannot happen in a plan; kept safe)
		c.sup.group.Go(func() { old.stop(context.Background(), c.spec.Shutdown) })
	}
	if c.spec.Health != nil {
		c.sup.group.Go(func() { c.watch(in) })
	}
}

func (c *Child[Req, Res]) base() *nodeBase { return &c.nb }

func (c *Child[Req, Res]) start(ctx context.Context, gen uint64) error {
	svc, err := c.make(ctx)
	if err != nil {
		return err
	}
	s := c.sup
	s.mu.Lock()
	if s.state != running || c.nb.gen != gen || c.nb.removed {
		s.mu.Unlock()
		stopService(context.Background(), svc, c.spec.Shutdown)
		return errStale
	}
	c.installLocked(svc, gen)
	s.mu.Unlock()
	return nil
}

func (c *Child[Req, Res]) halt(ctx context.Context) {
	c.mu.Lock()
	c.downLocked(c.cur.Load())
	in := c.last
	c.last = nil
	c.mu.Unlock()
	if in != nil {
		in.stopCtx(ctx)
	}
}

// downLocked clears the current instance if it is in, so that calls wait. Under c.mu.
func (c *Child[Req, Res]) downLocked(in *instance[Req, Res]) {
	if in != nil && c.cur.Load() == in {
		c.cur.Store(nil)
		if c.final.Load() == nil { // else waiting calls return the final error
			c.upCh = make(chan struct{})
		}
	}
}

// setFinal makes every later call, and every call waiting for an instance, fail
// with err at once.
func (c *Child[Req, Res]) setFinal(err error) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		if err == ErrStopped {
			c.final.Store(&stoppedErr)
		} else {
			c.final.Store(&err)
		}
		if err != ErrStopped {
			c.downLocked(c.cur.Load())
		}
		close(c.closing)
		c.mu.Unlock()
	})
}

func (c *Child[Req, Res]) terminate(ctx context.Context, err error) {
	c.setFinal(err)
	if c.a.Stop(ctx) != nil {
		// The drain deadline passed: queued calls were answered; a call still
		// inside the instance ends with its caller's ctx.
	}
	c.halt(ctx)
	select {
	case <-c.a.Done():
	case <-ctx.Done():
	}
}

// stopIn is terminate(ctx, ErrStopped) with the drain deadline of a Stop, armed
// for this child: a user's Stopper gets a real context with the same deadline.
func (c *Child[Req, Res]) stopIn(d *drain) {
	c.setFinal(ErrStopped)
	_ = c.a.Stop(d) // past the deadline: as in terminate
	c.mu.Lock()
	c.downLocked(c.cur.Load())
	in := c.last
	c.last = nil
	c.mu.Unlock()
	if in != nil {
		if _, ok := in.svc.(service.Stopper); ok {
			ctx, cancel := d.real()
			in.stopCtx(ctx)
			cancel()
		} else {
			in.stopCtx(d)
		}
	}
	select {
	case <-c.a.Done():
	case <-d.Done():
	}
}

// fail reports that in failed, once per instance, and makes calls wait for the
// next one.
func (c *Child[Req, Res]) fail(in *instance[Req, Res], reason Reason, cause error) {
	if !in.failed.CompareAndSwap(false, true) {
		return
	}
	c.mu.Lock()
	c.downLocked(in)
	c.mu.Unlock()
	c.sup.post(report{n: c, gen: in.gen, reason: reason, cause: cause})
}

// serve is the actor's service: the indirection to the current instance.
func (c *Child[Req, Res]) serve(ctx context.Context, req Req) (Res, error) {
	for {
		in := c.cur.Load()
		if in == nil {
			var err error
			if in, err = c.await(ctx); err != nil {
				var zero Res
				return zero, err
			}
		}
		res, err, again := c.invoke(ctx, in, req)
		if !again {
			return res, err
		}
	}
}

// await waits for an instance, bounded by ctx, until the child ends.
func (c *Child[Req, Res]) await(ctx context.Context) (*instance[Req, Res], error) {
	for {
		c.mu.Lock()
		in, ch := c.cur.Load(), c.upCh
		c.mu.Unlock()
		if in != nil {
			return in, nil
		}
		if e := c.final.Load(); e != nil {
			return nil, *e
		}
		select {
		case <-ch:
		case <-c.closing:
		case <-c.sup.quit:
			if e := c.final.Load(); e != nil {
				return nil, *e
			}
			return nil, ErrStopped
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// invoke calls one instance: its readiness, then Call, turning a panic into the
// instance's failure. again means the instance failed before the call reached it
// (its readiness failed permanently): the call waits for the next instance.
func (c *Child[Req, Res]) invoke(ctx context.Context, in *instance[Req, Res], req Req) (res Res, err error, again bool) {
	returned := false
	defer func() {
		if returned {
			return
		}
		v := recover()
		if v == nil { // runtime.Goexit: the actor answers the caller
			c.fail(in, ReasonPanic, service.NewPanicError(actor.ErrGoexit))
			return
		}
		pe := service.NewPanicError(v)
		c.fail(in, ReasonPanic, pe)
		var zero Res
		res, err, again = zero, &service.FailedError{Err: pe}, false
	}()
	if in.ready != nil {
		if rerr := in.ready.Ready(ctx); rerr != nil {
			returned = true
			if service.IsTransient(rerr) {
				return res, rerr, false
			}
			reason := ReasonReadiness
			if errors.Is(rerr, service.ErrClosed) {
				reason = ReasonEnded
			}
			c.fail(in, reason, &ChildError{Child: c.nb.path, Reason: reason, Err: rerr})
			return res, nil, true
		}
	}
	res, err = in.svc.Call(ctx, req)
	returned = true
	if in.acc != nil && in.acc.record(err) {
		c.fail(in, ReasonAccrual, &ChildError{Child: c.nb.path, Reason: ReasonAccrual, Err: err})
	}
	return res, err, false
}

// watch runs the health check of in every interval until in is replaced or the
// supervisor stops.
func (c *Child[Req, Res]) watch(in *instance[Req, Res]) {
	t := time.NewTimer(c.spec.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-in.quit:
			return
		case <-c.sup.quit:
			return
		}
		if err := c.check(in); err != nil {
			c.fail(in, ReasonHealth, &ChildError{Child: c.nb.path, Reason: ReasonHealth, Err: err})
			return
		}
		t.Reset(c.spec.HealthInterval)
	}
}

func (c *Child[Req, Res]) check(in *instance[Req, Res]) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = service.NewPanicError(v)
		}
	}()
	ctx, cancel := context.WithTimeout(c.sup.ctx, c.spec.HealthTimeout)
	defer cancel()
	err = c.spec.Health(ctx, in.svc)
	if err == nil && ctx.Err() != nil && c.sup.ctx.Err() == nil {
		err = ctx.Err() // the check overran its timeout but said nothing
	}
	if c.sup.ctx.Err() != nil {
		return nil // stopping: not a failure
	}
	return err
}

func (in *instance[Req, Res]) stop(ctx context.Context, d time.Duration) {
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	in.stopCtx(tctx)
}

func (in *instance[Req, Res]) stopCtx(ctx context.Context) {
	if in.quit != nil {
		in.once.Do(func() { close(in.quit) })
	}
	if st, ok := in.svc.(service.Stopper); ok {
		_ = st.Stop(ctx)
	}
}

func stopService[Req, Res any](ctx context.Context, svc service.Service[Req, Res], d time.Duration) {
	if st, ok := svc.(service.Stopper); ok {
		tctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		_ = st.Stop(tctx)
	}
}

// Ref is a child's address: a service valid across restarts. The zero Ref is not
// usable; get one from [Child.Ref] or [Lookup]. Refs are small values, safe to
// copy and to use concurrently.
type Ref[Req, Res any] struct {
	c *Child[Req, Res]
}

var (
	_ service.Service[int, int]   = Ref[int, int]{}
	_ service.Readier             = Ref[int, int]{}
	_ service.TryCaller[int, int] = Ref[int, int]{}
)

// Call sends req to the child and waits for the reply, bounded by ctx. While the
// child restarts the call waits in its mailbox for the new instance. Once the
// child ended for good it fails at once (see [Child.Err]).
func (r Ref[Req, Res]) Call(ctx context.Context, req Req) (Res, error) {
	if e := r.c.final.Load(); e != nil {
		var zero Res
		return zero, *e
	}
	return r.c.ref.Call(ctx, req)
}

// TryCall sends req only if the child has an instance and room in its mailbox now;
// otherwise it fails at once with ErrRestarting or an error matching
// service.ErrOverloaded.
func (r Ref[Req, Res]) TryCall(ctx context.Context, req Req) (Res, error) {
	if err := r.state(); err != nil {
		var zero Res
		return zero, err
	}
	return r.c.ref.TryCall(ctx, req)
}

// Ready waits for room in the child's mailbox, bounded by ctx. It returns
// ErrRestarting at once while the child has no instance, and the child's final
// error once it ended.
func (r Ref[Req, Res]) Ready(ctx context.Context) error {
	if err := r.state(); err != nil {
		return err
	}
	return r.c.ref.Ready(ctx)
}

// TryReady reports at once whether the child can take a call: nil, ErrRestarting,
// an error matching service.ErrOverloaded (mailbox full), or its final error.
func (r Ref[Req, Res]) TryReady() error {
	if err := r.state(); err != nil {
		return err
	}
	return r.c.ref.TryReady()
}

func (r Ref[Req, Res]) state() error {
	if e := r.c.final.Load(); e != nil {
		return *e
	}
	if r.c.cur.Load() == nil {
		return ErrRestarting
	}
	return nil
}

// Len returns the number of calls waiting in the child's mailbox.
func (r Ref[Req, Res]) Len() int { return r.c.ref.Len() }

// Cap returns the child's mailbox capacity.
func (r Ref[Req, Res]) Cap() int { return r.c.ref.Cap() }

// Name returns the child's path.
func (r Ref[Req, Res]) Name() string { return r.c.nb.path }
