package adaptive

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/tower-go/tower/internal/permits"
	"github.com/tower-go/tower/service"
)

// Option configures a limiter at [New] or [Layer].
type Option func(*config)

type config struct {
	newAlg  func() (Algorithm, error)
	initial int // 0: DefaultInitialLimit within the bounds
	min     int
	max     int
	reject  bool
	isDrop  func(error) bool
	events  service.EventFunc
	err     error
}

// Defaults and bounds of the limiter.
const (
	// MaxLimit is the highest limit a limiter takes (the permit queue's bound).
	MaxLimit = permits.Max

	DefaultInitialLimit = 20
	DefaultMinLimit     = 1
	DefaultMaxLimit     = 1000
)

func (c *config) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("adaptive: "+format, args...)
	}
}

// WithGradient selects the [Gradient] algorithm with the given options. It is the
// default.
func WithGradient(opts ...GradientOption) Option {
	return func(c *config) {
		c.newAlg = func() (Algorithm, error) { return NewGradient(opts...) }
	}
}

// WithAIMD selects the [AIMD] algorithm with the given options.
func WithAIMD(opts ...AIMDOption) Option {
	return func(c *config) {
		c.newAlg = func() (Algorithm, error) { return NewAIMD(opts...) }
	}
}

// WithAlgorithm selects an algorithm of your own. New calls newAlg once per limiter
// it builds (a layer applied twice builds two), since an Algorithm keeps state.
// newAlg must not be nil nor return a nil Algorithm (a nil interface or a typed nil
// pointer): New reports either as an error, so the first call cannot panic.
func WithAlgorithm(newAlg func() Algorithm) Option {
	return func(c *config) {
		if newAlg == nil {
			c.fail("algorithm constructor must not be nil")
			return
		}
		c.newAlg = func() (Algorithm, error) {
			if a := newAlg(); !isNil(a) {
				return a, nil
			}
			return nil, errors.New("adaptive: algorithm constructor returned a nil Algorithm")
		}
	}
}

// WithInitialLimit sets the limit the limiter starts with. It must lie within the
// bounds (and at most [MaxLimit]). The default is [DefaultInitialLimit], moved within the bounds.
func WithInitialLimit(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.fail("initial limit must be at least 1, got %d", n)
		}
		c.initial = n
	}
}

// WithMinLimit sets the lowest limit the algorithm may set. It must be at least 1.
// The default is [DefaultMinLimit].
func WithMinLimit(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.fail("minimum limit must be at least 1, got %d", n)
		}
		c.min = n
	}
}

// WithMaxLimit sets the highest limit the algorithm may set. It must be at least
// the minimum and at most [MaxLimit]. The default is [DefaultMaxLimit].
func WithMaxLimit(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.fail("maximum limit must be at least 1, got %d", n)
		}
		c.max = n
	}
}

// WithReject makes Call fail at once with [ErrLimitReached] when every permit is
// taken, instead of waiting for one: load shedding at the adaptive limit. Each
// refusal emits an EventShed event.
func WithReject() Option { return func(c *config) { c.reject = true } }

// WithIsDrop sets which errors signal overload. f is called with every non-nil
// error from the inner service and must be safe for concurrent use. A call whose
// error f accepts is a dropped sample (the algorithms decrease the limit); a call
// that succeeded is a normal sample; any other error gives no sample at all (its
// latency says nothing about capacity). The default, [IsDrop], accepts errors
// matching service.ErrOverloaded or context.DeadlineExceeded.
func WithIsDrop(f func(err error) bool) Option {
	return func(c *config) {
		if f == nil {
			c.fail("drop predicate must not be nil")
		}
		c.isDrop = f
	}
}

// IsDrop is the default drop predicate: an error matching service.ErrOverloaded (a
// downstream stage shed the call) or context.DeadlineExceeded (the call timed out).
func IsDrop(err error) bool {
	return errors.Is(err, service.ErrOverloaded) || errors.Is(err, context.DeadlineExceeded)
}

// WithEvents sets the hook that receives an EventLimitChanged event, with
// Event.Limit set to the new limit, each time the limit moves, and an EventShed
// event for each Call refused at once with [WithReject]. A TryCall refusal emits
// nothing: the stage that asked for the non-blocking call reports it (see the
// package doc). EventLimitChanged events are emitted in order, while the limiter
// holds its algorithm's lock (released, with the call's permit, even if f
// panics): f must be quick and must not call the limiter's Call, TryCall or Ready
// (Limit is fine).
func WithEvents(f service.EventFunc) Option { return func(c *config) { c.events = f } }

func newConfig(opts []Option) (config, error) {
	c := config{min: DefaultMinLimit, max: DefaultMaxLimit, isDrop: IsDrop}
	WithGradient()(&c)
	for _, o := range opts {
		if o == nil {
			c.fail("nil option")
			continue
		}
		o(&c)
	}
	switch {
	case c.err != nil:
	case c.max > MaxLimit:
		c.fail("maximum limit must be at most %d, got %d", MaxLimit, c.max)
	case c.max < c.min:
		c.fail("maximum limit %d is below the minimum %d", c.max, c.min)
	case c.initial == 0:
		c.initial = min(max(DefaultInitialLimit, c.min), c.max)
	case c.initial < c.min || c.initial > c.max:
		c.fail("initial limit %d is outside the bounds [%d, %d]", c.initial, c.min, c.max)
	}
	return c, c.err
}

// isNil reports whether a is a nil interface or holds a nil pointer, map, channel,
// slice or function (whose Update would panic). It runs once per limiter built.
func isNil(a Algorithm) bool {
	if a == nil {
		return true
	}
	rv := reflect.ValueOf(a)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Slice, reflect.Func, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
