package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/tower-go/tower/service"
)

// Restart says when a child is restarted (OTP's restart type).
type Restart uint8

const (
	// Permanent children are always restarted: after a failure and after their
	// instance ended normally. The zero value.
	Permanent Restart = iota
	// Transient children are restarted after a failure only; an instance that
	// ended normally (its readiness returned an error matching service.ErrClosed)
	// ends the child.
	Transient
	// Temporary children are never restarted: their first failure ends them.
	Temporary
)

// Strategy says which children a failure restarts (OTP's strategy).
type Strategy uint8

const (
	// OneForOne restarts the failed child only. The zero value.
	OneForOne Strategy = iota
	// OneForAll stops every other child (in reverse start order) and restarts all
	// of them (in start order).
	OneForAll
	// RestForOne stops the children started after the failed one (in reverse
	// order) and restarts the failed child and them (in start order).
	RestForOne
)

// Factory makes a child's service: dial, open, build (Tower's MakeService). It is
// called once by Add and again for every restart, on a goroutine of the
// supervisor's, with a ctx that ends when the supervisor stops (or, in Add, the
// caller's ctx). If the service it returns implements service.Stopper, the
// supervisor stops it when it is replaced or the child stops.
type Factory[Req, Res any] func(ctx context.Context) (service.Service[Req, Res], error)

// Defaults for the zero fields of [Spec], [Backoff], [Accrual] and [Config].
//
// The intensity default suits connections rather than OTP's 1 restart in 5 s: a
// flapping connection may be redialled 10 times in 30 s, and with the default
// backoff (10 ms doubling up to 5 s) a backend that stays down is given about 15 s
// (the 11th restart request comes after 10 ms + 20 ms + ... + 5 s) before the
// supervisor escalates.
const (
	DefaultIntensity      = 10
	DefaultPeriod         = 30 * time.Second
	DefaultCapacity       = 64
	DefaultShutdown       = 5 * time.Second
	DefaultBackoffMin     = 10 * time.Millisecond
	DefaultBackoffMax     = 5 * time.Second
	DefaultBackoffFactor  = 2.0
	DefaultBackoffJitter  = 0.2
	DefaultBackoffReset   = 10 * time.Second
	DefaultHealthInterval = 10 * time.Second
	DefaultAccrualWindow  = 30 * time.Second
	DefaultAccrualMin     = 20
)

// maxDuration bounds every duration option (about 100 years): longer ones are
// refused, so that no sum of them overflows.
const maxDuration = 100 * 365 * 24 * time.Hour

// Backoff is a child's restart delay: Min, then multiplied by Factor for each
// consecutive failure, capped at Max, each delay moved by up to ±Jitter of itself
// at random. The count of consecutive failures resets once an instance has stayed
// up for Reset. Zero fields mean the defaults (Min 10 ms, Max 5 s, Factor 2,
// Jitter 0.2, Reset 10 s). None restarts at once, every time (OTP's behaviour);
// the restart intensity still bounds how often.
type Backoff struct {
	Min, Max time.Duration
	Factor   float64 // at least 1
	Jitter   float64 // in [0, 1]
	Reset    time.Duration
	None     bool
}

// Accrual restarts a child whose calls keep failing (Finagle's failure accrual).
// The zero value is off. Consecutive trips after that many failed calls in a row;
// Rate trips when, over the last Window (default 30 s), at least MinCalls calls
// (default 20) were made and at least that share of them failed. IsFailure says
// which errors count (default: every error except those matching
// context.Canceled, service.ErrOverloaded or service.ErrUnavailable: a caller that
// left, or a refusal, is not the instance's failure). Rate reads the clock once
// per call.
type Accrual struct {
	Consecutive int
	Rate        float64 // in (0, 1]; 0: off
	Window      time.Duration
	MinCalls    int
	IsFailure   func(error) bool
}

// Spec describes a service child. Name and Factory are required; the zero value of
// every other field means its documented default.
type Spec[Req, Res any] struct {
	// Name identifies the child within its supervisor: not empty, no "/".
	Name    string
	Factory Factory[Req, Res]
	// Restart is the restart type; default Permanent.
	Restart Restart
	// Shutdown is the drain deadline when the child stops or its instance is
	// replaced: queued calls are served that long before they are answered with
	// an error. Default 5 s.
	Shutdown time.Duration
	// Capacity is the mailbox capacity: calls that may wait, including across a
	// restart. Default 64.
	Capacity int
	// Workers, if set, is a fixed pool of that many workers (1: calls one at a
	// time, in order). Zero: the actor's default pool (one worker that grows to
	// MaxWorkers, default Capacity, while calls wait behind busy workers).
	Workers    int
	MaxWorkers int
	Backoff    Backoff
	Accrual    Accrual
	// Health, if set, is called with the current instance every HealthInterval
	// (default 10 s), bounded by HealthTimeout (default: the interval); an error
	// (or a panic) restarts the child.
	Health         func(ctx context.Context, svc service.Service[Req, Res]) error
	HealthInterval time.Duration
	HealthTimeout  time.Duration
}

// SubSpec is how a child supervisor sits in its parent: the child-spec fields that
// apply to a supervisor. The zero value means Permanent, a 5 s drain deadline and
// the default backoff.
type SubSpec struct {
	Restart  Restart
	Shutdown time.Duration
	Backoff  Backoff
}

// Config configures a supervisor. The zero value is usable: a supervisor named
// "supervisor", one-for-one, at most 10 restarts in 30 s, silent.
type Config struct {
	// Name identifies the supervisor (in a tree, within its parent): not empty
	// once defaulted, no "/". Default "supervisor".
	Name      string
	Strategy  Strategy
	Intensity int           // restarts allowed in Period; default 10
	Period    time.Duration // default 30 s
	// Events receives every event of this supervisor and, unless they set their
	// own, of the supervisors below it. It must be safe for concurrent use.
	Events service.EventFunc
	// Logger, if set, logs every event (failures at Warn, escalations at Error,
	// the rest at Info). Inherited like Events.
	Logger *slog.Logger
}

func (c *Config) resolve() error {
	if c.Name == "" {
		c.Name = "supervisor"
	}
	if err := checkName(c.Name); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	if c.Strategy > RestForOne {
		return fmt.Errorf("supervisor: unknown strategy %d", c.Strategy)
	}
	if c.Intensity < 0 {
		return fmt.Errorf("supervisor: Intensity must not be negative, got %d", c.Intensity)
	}
	if c.Intensity == 0 {
		c.Intensity = DefaultIntensity
	}
	if err := checkDuration("Period", c.Period); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	if c.Period == 0 {
		c.Period = DefaultPeriod
	}
	return nil
}

func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("a child's name must not be empty")
	case strings.Contains(name, "/"):
		return fmt.Errorf("name %q must not contain '/'", name)
	}
	return nil
}

func checkDuration(field string, d time.Duration) error {
	if d < 0 || d > maxDuration {
		return fmt.Errorf("%s must be between 0 and 100 years, got %v", field, d)
	}
	return nil
}

func checkRestart(r Restart) error {
	if r > Temporary {
		return fmt.Errorf("unknown restart type %d", r)
	}
	return nil
}

func (b *Backoff) resolve() error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"Backoff.Min", b.Min}, {"Backoff.Max", b.Max}, {"Backoff.Reset", b.Reset}} {
		if err := checkDuration(f.name, f.d); err != nil {
			return err
		}
	}
	if math.IsNaN(b.Factor) || math.IsInf(b.Factor, 0) || (b.Factor != 0 && b.Factor < 1) || b.Factor > 1e6 {
		return fmt.Errorf("Backoff.Factor must be between 1 and 1e6, got %v", b.Factor)
	}
	if math.IsNaN(b.Jitter) || b.Jitter < 0 || b.Jitter > 1 {
		return fmt.Errorf("Backoff.Jitter must be between 0 and 1, got %v", b.Jitter)
	}
	if b.Min == 0 {
		b.Min = DefaultBackoffMin
	}
	if b.Max == 0 {
		b.Max = max(DefaultBackoffMax, b.Min)
	}
	if b.Max < b.Min {
		return fmt.Errorf("Backoff.Max (%v) is below Backoff.Min (%v)", b.Max, b.Min)
	}
	if b.Factor == 0 {
		b.Factor = DefaultBackoffFactor
	}
	if b.Jitter == 0 {
		b.Jitter = DefaultBackoffJitter
	}
	if b.Reset == 0 {
		b.Reset = DefaultBackoffReset
	}
	return nil
}

func (a *Accrual) resolve() error {
	if a.Consecutive < 0 {
		return fmt.Errorf("Accrual.Consecutive must not be negative, got %d", a.Consecutive)
	}
	if math.IsNaN(a.Rate) || a.Rate < 0 || a.Rate > 1 {
		return fmt.Errorf("Accrual.Rate must be between 0 and 1, got %v", a.Rate)
	}
	if a.MinCalls < 0 {
		return fmt.Errorf("Accrual.MinCalls must not be negative, got %d", a.MinCalls)
	}
	if err := checkDuration("Accrual.Window", a.Window); err != nil {
		return err
	}
	if a.Window == 0 {
		a.Window = DefaultAccrualWindow
	}
	if a.Window < accrualBuckets {
		return fmt.Errorf("Accrual.Window must be at least %v, got %v", time.Duration(accrualBuckets), a.Window)
	}
	if a.MinCalls == 0 {
		a.MinCalls = DefaultAccrualMin
	}
	if a.IsFailure == nil {
		a.IsFailure = defaultIsFailure
	}
	return nil
}

func (a *Accrual) on() bool { return a.Consecutive > 0 || a.Rate > 0 }

func defaultIsFailure(err error) bool {
	return err != nil && !errors.Is(err, context.Canceled) &&
		!errors.Is(err, service.ErrOverloaded) && !errors.Is(err, service.ErrUnavailable)
}

func (s *Spec[Req, Res]) resolve() error {
	if err := checkName(s.Name); err != nil {
		return fmt.Errorf("supervisor: %w", err)
	}
	if s.Factory == nil {
		return fmt.Errorf("supervisor: child %s: Factory is nil", s.Name)
	}
	if err := checkRestart(s.Restart); err != nil {
		return fmt.Errorf("supervisor: child %s: %w", s.Name, err)
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"Shutdown", s.Shutdown}, {"HealthInterval", s.HealthInterval}, {"HealthTimeout", s.HealthTimeout}} {
		if err := checkDuration(f.name, f.d); err != nil {
			return fmt.Errorf("supervisor: child %s: %w", s.Name, err)
		}
	}
	if s.Shutdown == 0 {
		s.Shutdown = DefaultShutdown
	}
	if s.Capacity < 0 || s.Workers < 0 || s.MaxWorkers < 0 {
		return fmt.Errorf("supervisor: child %s: Capacity, Workers and MaxWorkers must not be negative", s.Name)
	}
	if s.Capacity == 0 {
		s.Capacity = DefaultCapacity
	}
	if s.Health != nil {
		if s.HealthInterval == 0 {
			s.HealthInterval = DefaultHealthInterval
		}
		if s.HealthTimeout == 0 {
			s.HealthTimeout = s.HealthInterval
		}
	}
	if err := s.Backoff.resolve(); err != nil {
		return fmt.Errorf("supervisor: child %s: %w", s.Name, err)
	}
	if err := s.Accrual.resolve(); err != nil {
		return fmt.Errorf("supervisor: child %s: %w", s.Name, err)
	}
	return nil
}
