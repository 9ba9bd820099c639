package stage_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage"
)

// Every stage of the package forwards every ability: each passes CheckLayer with
// the default readiness (Forwards), with any request.
func TestEveryStagePassesCheckLayer(t *testing.T) {
	layers := wrappers()
	layers["optional(l)"] = stage.Optional(stage.MapRequest[uint64, uint64](func(x uint64) uint64 { return x }))
	for name, l := range layers {
		t.Run(name, func(t *testing.T) {
			servicetest.CheckLayer(t, l, uint64(math.MaxUint64))
		})
	}
}

// Bad input (contract 6): every constructor and layer of the package, given nil or
// typed-nil services, functions, layers or scopes, returns a clear error prefixed
// with "stage:", never panics, and never returns a typed nil.
func TestBadInputIsAClearError(t *testing.T) {
	id := func(x uint64) uint64 { return x }
	pred := func(uint64) bool { return true }
	good := service.Service[uint64, uint64](&recorder{})
	nils := map[string]service.Service[uint64, uint64]{
		"nil interface":      nil,
		"typed nil mock":     (*servicetest.Mock[uint64, uint64])(nil),
		"nil service.Func":   service.Func[uint64, uint64](nil),
		"typed nil recorder": (*recorder)(nil),
	}
	type ctor func(inner service.Service[uint64, uint64]) (any, error)
	ctors := map[string]ctor{
		"NewMapRequest":  func(in service.Service[uint64, uint64]) (any, error) { return stage.NewMapRequest(in, id) },
		"MapRequestTo":   func(in service.Service[uint64, uint64]) (any, error) { return stage.MapRequestTo(in, id) },
		"NewMapResponse": func(in service.Service[uint64, uint64]) (any, error) { return stage.NewMapResponse(in, id) },
		"MapResponseTo":  func(in service.Service[uint64, uint64]) (any, error) { return stage.MapResponseTo(in, id) },
		"NewMapErr": func(in service.Service[uint64, uint64]) (any, error) {
			return stage.NewMapErr(in, func(err error) error { return err })
		},
		"NewMapResult": func(in service.Service[uint64, uint64]) (any, error) {
			return stage.NewMapResult(in, func(x uint64, err error) (uint64, error) { return x, err })
		},
		"NewAndThen": func(in service.Service[uint64, uint64]) (any, error) {
			return stage.NewAndThen(in, func(_ context.Context, x uint64) (uint64, error) { return x, nil })
		},
		"AndThenTo": func(in service.Service[uint64, uint64]) (any, error) {
			return stage.AndThenTo(in, func(_ context.Context, x uint64) (uint64, error) { return x, nil })
		},
		"NewThen": func(in service.Service[uint64, uint64]) (any, error) {
			return stage.NewThen(in, func(_ context.Context, x uint64, err error) (uint64, error) { return x, err })
		},
		"ThenTo": func(in service.Service[uint64, uint64]) (any, error) {
			return stage.ThenTo(in, func(_ context.Context, x uint64, err error) (uint64, error) { return x, err })
		},
		"NewIf": func(in service.Service[uint64, uint64]) (any, error) {
			return stage.NewIf(new(service.Scope), in, pred, stage.Identity[uint64, uint64]())
		},
		"NewBox": func(in service.Service[uint64, uint64]) (any, error) { return stage.NewBox(in) },
		"Any":    func(in service.Service[uint64, uint64]) (any, error) { return stage.Any(in) },
	}
	for name, mk := range ctors {
		for what, in := range nils {
			t.Run(name+" over a "+what, func(t *testing.T) {
				_, err := mk(in)
				require.Error(t, err)
				assert.ErrorIs(t, err, service.ErrNilService)
				assert.True(t, strings.HasPrefix(err.Error(), "stage: "), err.Error())
			})
		}
	}
	t.Run("Typed over a nil erased service", func(t *testing.T) {
		for _, in := range []service.Service[any, any]{nil, service.Func[any, any](nil), (*stage.AnyService[uint64, uint64])(nil)} {
			_, err := stage.Typed[uint64, uint64](in)
			assert.ErrorIs(t, err, service.ErrNilService)
			assert.True(t, strings.HasPrefix(err.Error(), "stage: typed: "), err.Error())
		}
	})

	t.Run("zero-valued stages given as inner services", func(t *testing.T) {
		_, err := stage.NewMapRequest[uint64, uint64](&stage.MapRequestStage[uint64, uint64, uint64]{}, id)
		assert.EqualError(t, err, "stage: map request: inner service is a zero MapRequestStage (build it with NewMapRequest)")
		_, err = stage.NewMapResponse[uint64, uint64](&stage.MapResponseStage[uint64, uint64, uint64]{}, id)
		assert.EqualError(t, err, "stage: map response: inner service is a zero MapResponseStage (build it with NewMapResponse)")
		_, err = stage.Typed[uint64, uint64](&stage.AnyService[uint64, uint64]{})
		assert.EqualError(t, err, "stage: typed: inner service is a zero AnyService (build it with Any)")
	})

	t.Run("If: nil predicate, layer or scope, and a layer that fails or builds nothing", func(t *testing.T) {
		cases := map[string]struct {
			sc   *service.Scope
			pred func(uint64) bool
			l    service.Layer[uint64, uint64]
			want string
		}{
			"nil pred":  {new(service.Scope), nil, stage.Identity[uint64, uint64](), "stage: if: function is nil"},
			"nil layer": {new(service.Scope), pred, nil, "stage: if: layer is nil"},
			"nil scope": {nil, pred, stage.Identity[uint64, uint64](), "stage: if: scope is nil"},
			"failing layer": {new(service.Scope), pred, stage.MapRequest[uint64, uint64](nil),
				"stage: if: stage: map request: function is nil"},
			"typed-nil result": {new(service.Scope), pred, func(*service.Scope, service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
				return (*recorder)(nil), nil
			}, "stage: if: layer returned a nil service"},
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) {
				s, err := stage.NewIf(c.sc, good, c.pred, c.l)
				assert.EqualError(t, err, c.want)
				assert.Nil(t, s)
				svc, err := stage.If(c.pred, c.l)(c.sc, good)
				assert.EqualError(t, err, c.want)
				assert.True(t, svc == nil, "no typed nil in the interface")
			})
		}
	})

	t.Run("Optional(nil) and Identity over nil services", func(t *testing.T) {
		for what, in := range nils {
			svc, err := stage.Optional[uint64, uint64](nil)(new(service.Scope), in)
			assert.ErrorIs(t, err, service.ErrNilService, what)
			assert.True(t, svc == nil)
		}
	})
}
