package stage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/service/servicetest"
	"github.com/tower-go/tower/stage"
)

// wrappers lists every stage as a layer over a uint64 service whose functions leave
// values unchanged, so that the shared contract (readiness, TryCall, nil inner) is
// checked for each.
func wrappers() map[string]service.Layer[uint64, uint64] {
	id := func(x uint64) uint64 { return x }
	type svc = service.Service[uint64, uint64]
	return map[string]service.Layer[uint64, uint64]{
		"map request": stage.MapRequest[uint64, uint64](id),
		"two fused maps": layerOf(func(in svc) (*stage.MapRequestStage[uint64, uint64, uint64], error) {
			s, err := stage.NewMapRequest(in, id)
			if err != nil {
				return nil, err
			}
			return stage.NewMapRequest[uint64, uint64](s, id)
		}),
		"map response": stage.MapResponse[uint64](id),
		"two fused responses": layerOf(func(in svc) (*stage.MapResponseStage[uint64, uint64, uint64], error) {
			s, err := stage.NewMapResponse(in, id)
			if err != nil {
				return nil, err
			}
			return stage.NewMapResponse[uint64, uint64](s, id)
		}),
		"map err":        stage.MapErr[uint64, uint64](func(err error) error { return err }),
		"map result":     stage.MapResult[uint64](func(x uint64, err error) (uint64, error) { return x, err }),
		"and then":       stage.AndThen[uint64](func(_ context.Context, x uint64) (uint64, error) { return x, nil }),
		"then":           stage.Then[uint64](func(_ context.Context, x uint64, err error) (uint64, error) { return x, err }),
		"if (taken)":     stage.If(func(uint64) bool { return true }, stage.MapRequest[uint64, uint64](id)),
		"if (not taken)": stage.If(func(uint64) bool { return false }, stage.MapRequest[uint64, uint64](id)),
		"optional(nil)":  stage.Optional[uint64, uint64](nil),
		"identity":       stage.Identity[uint64, uint64](),
		"box":            stage.Box[uint64, uint64](),
		"map request to": layerOf(func(in svc) (*stage.MapRequestStage[uint64, uint64, uint64], error) {
			return stage.MapRequestTo(in, func(x uint64) uint64 { return x })
		}),
		"map response to": layerOf(func(in svc) (*stage.MapResponseStage[uint64, uint64, uint64], error) {
			return stage.MapResponseTo(in, func(x uint64) uint64 { return x })
		}),
		"and then to": layerOf(func(in svc) (*stage.AndThenStage[uint64, uint64, uint64], error) {
			return stage.AndThenTo(in, func(_ context.Context, x uint64) (uint64, error) { return x, nil })
		}),
		"then to": layerOf(func(in svc) (*stage.ThenStage[uint64, uint64, uint64], error) {
			return stage.ThenTo(in, func(_ context.Context, x uint64, err error) (uint64, error) { return x, err })
		}),
		"typed over any": layerOf(func(in svc) (*stage.TypedService[uint64, uint64], error) {
			a, err := stage.Any(in)
			if err != nil {
				return nil, err
			}
			return stage.Typed[uint64, uint64](a)
		}),
		"typed over a boxed any": layerOf(func(in svc) (*stage.TypedService[uint64, uint64], error) {
			a, err := stage.Any(in)
			if err != nil {
				return nil, err
			}
			b, err := stage.NewBox[any, any](a) // hides the *AnyService: no direct path
			if err != nil {
				return nil, err
			}
			return stage.Typed[uint64, uint64](b)
		}),
	}
}

// layerOf turns a constructor into a layer, returning a nil interface on error.
func layerOf[S service.Service[uint64, uint64]](mk func(service.Service[uint64, uint64]) (S, error)) service.Layer[uint64, uint64] {
	return func(_ *service.Scope, in service.Service[uint64, uint64]) (service.Service[uint64, uint64], error) {
		s, err := mk(in)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

func TestEveryStageForwardsReadiness(t *testing.T) {
	for name, l := range wrappers() {
		t.Run(name, func(t *testing.T) {
			m, h := servicetest.New[uint64, uint64]()
			defer h.Close()
			svc, err := apply(t, l, m)
			require.NoError(t, err)

			require.NoError(t, service.TryReady(svc), "the mock starts ready")
			h.Allow(0)
			assert.ErrorIs(t, service.TryReady(svc), servicetest.ErrNotReady, "TryReady is the inner's")

			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			assert.ErrorIs(t, service.Ready(ctx, svc), context.Canceled, "Ready waits for the inner and honours ctx")

			h.Allow(1)
			require.NoError(t, service.TryReady(svc))
			require.NoError(t, service.Ready(context.Background(), svc))

			h.Fail(errBoom)
			assert.ErrorIs(t, service.TryReady(svc), errBoom)
			assert.ErrorIs(t, service.Ready(context.Background(), svc), errBoom, "Ready is the inner's")
		})
	}
}

func TestEveryStageTryCallIsTheInnersNonBlockingCall(t *testing.T) {
	ctx := context.Background()
	for name, l := range wrappers() {
		t.Run(name, func(t *testing.T) {
			m, h := served(t, func(x uint64) (uint64, error) { return x + 1, nil })
			svc, err := apply(t, l, m)
			require.NoError(t, err)

			h.Allow(0)
			_, err = service.TryCall(ctx, svc, 1)
			assert.ErrorIs(t, err, service.ErrOverloaded, "refused at once, without waiting")
			assert.Equal(t, 0, h.Calls(), "the refused call never reached the inner service")

			h.Allow(1)
			res, err := service.TryCall(ctx, svc, 41)
			require.NoError(t, err)
			assert.Equal(t, uint64(42), res)
			assert.Equal(t, 1, h.Calls())
		})
	}
}

// With no permit the mock's Call waits for one, bounded by ctx: a stage that did
// not pass the caller's ctx on would hang here.
func TestEveryStageCallPassesCtxOn(t *testing.T) {
	for name, l := range wrappers() {
		t.Run(name, func(t *testing.T) {
			m, h := servicetest.New[uint64, uint64]()
			defer h.Close()
			h.Allow(0)
			svc, err := apply(t, l, m)
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err = svc.Call(ctx, 1)
			assert.ErrorIs(t, err, context.Canceled)
		})
	}
}

func TestEveryStageTryCallChecksReadinessOfAnInnerWithoutTryCall(t *testing.T) {
	ctx := context.Background()
	for name, l := range wrappers() {
		t.Run(name, func(t *testing.T) {
			m, h := served(t, func(x uint64) (uint64, error) { return x + 1, nil })
			svc, err := apply(t, l, readyOnly[uint64, uint64]{m})
			require.NoError(t, err)
			h.Allow(0)
			_, err = service.TryCall(ctx, svc, 1)
			assert.ErrorIs(t, err, servicetest.ErrNotReady, "TryReady said no")
			assert.Equal(t, 0, h.Calls())
			h.Allow(1)
			res, err := service.TryCall(ctx, svc, 1)
			require.NoError(t, err)
			assert.Equal(t, uint64(2), res)
		})
	}
}

func TestEveryStageUnwrapsToItsInnerService(t *testing.T) {
	for name, l := range wrappers() {
		t.Run(name, func(t *testing.T) {
			r := &recorder{}
			svc, err := apply(t, l, r)
			require.NoError(t, err)
			u, ok := svc.(interface {
				Unwrap() service.Service[uint64, uint64]
			})
			switch {
			case name == "box":
				assert.False(t, ok, "a box hides what it holds")
			case strings.HasPrefix(name, "typed"):
				assert.False(t, ok, "a TypedService unwraps to the erased service")
			case ok:
				assert.Same(t, r, u.Unwrap())
			default:
				assert.Same(t, r, svc, "only a stage that adds nothing has no Unwrap")
			}
		})
	}
}

func TestEveryStageRejectsANilInnerService(t *testing.T) {
	for name, l := range wrappers() {
		t.Run(name, func(t *testing.T) {
			for _, inner := range []service.Service[uint64, uint64]{nil, (*servicetest.Mock[uint64, uint64])(nil), service.Func[uint64, uint64](nil)} {
				svc, err := l(new(service.Scope), inner)
				require.Error(t, err)
				assert.True(t, svc == nil, "no typed nil in the interface")
				assert.ErrorIs(t, err, service.ErrNilService)
				assert.True(t, strings.HasPrefix(err.Error(), "stage: "), err.Error())
			}
		})
	}
}

func TestConstructorsRejectNilFunctions(t *testing.T) {
	var inner service.Service[uint64, uint64] = &recorder{}
	layers := map[string]service.Layer[uint64, uint64]{
		"map request":  stage.MapRequest[uint64, uint64](nil),
		"map response": stage.MapResponse[uint64, uint64](nil),
		"map err":      stage.MapErr[uint64, uint64](nil),
		"map result":   stage.MapResult[uint64, uint64](nil),
		"and then":     stage.AndThen[uint64, uint64](nil),
		"then":         stage.Then[uint64, uint64](nil),
		"if pred":      stage.If(nil, stage.Identity[uint64, uint64]()),
		"if layer":     stage.If[uint64, uint64](func(uint64) bool { return true }, nil),
	}
	for name, l := range layers {
		t.Run(name, func(t *testing.T) {
			svc, err := l(new(service.Scope), inner)
			require.Error(t, err)
			assert.True(t, svc == nil, "no typed nil in the interface")
			assert.True(t, strings.HasPrefix(err.Error(), "stage: "+strings.Fields(name)[0]), err.Error())
			assert.Contains(t, err.Error(), "is nil")
		})
	}
	t.Run("type-changing constructors", func(t *testing.T) {
		_, err := stage.MapRequestTo[string, uint64](inner, nil)
		assert.EqualError(t, err, "stage: map request to: function is nil")
		_, err = stage.MapResponseTo[uint64, uint64, string](inner, nil)
		assert.EqualError(t, err, "stage: map response to: function is nil")
		_, err = stage.AndThenTo[uint64, uint64, string](inner, nil)
		assert.EqualError(t, err, "stage: and then to: function is nil")
		_, err = stage.ThenTo[uint64, uint64, string](inner, nil)
		assert.EqualError(t, err, "stage: then to: function is nil")
		_, err = stage.Any[uint64, uint64](nil)
		assert.EqualError(t, err, "stage: any: inner service is nil")
		_, err = stage.Typed[uint64, uint64](nil)
		assert.EqualError(t, err, "stage: typed: inner service is nil")
	})
}

func TestMapRequest(t *testing.T) {
	ctx := context.Background()
	t.Run("the inner service sees f of the request", func(t *testing.T) {
		r := &recorder{}
		s, err := stage.NewMapRequest[uint64, uint64](r, func(x uint64) uint64 { return x * 10 })
		require.NoError(t, err)
		res, err := s.Call(ctx, 4)
		require.NoError(t, err)
		assert.Equal(t, uint64(40), r.last.Load())
		assert.Equal(t, uint64(41), res)
		assert.Same(t, r, s.Unwrap())
	})
	t.Run("inner errors pass through unchanged", func(t *testing.T) {
		r := &recorder{err: errBoom}
		s, err := stage.NewMapRequest[uint64, uint64](r, func(x uint64) uint64 { return x })
		require.NoError(t, err)
		_, err = s.Call(ctx, 4)
		assert.Same(t, errBoom, err)
	})
	t.Run("fused stages apply their functions outermost first", func(t *testing.T) {
		var got atomic.Value
		inner := service.Func[string, string](func(_ context.Context, s string) (string, error) { got.Store(s); return s, nil })
		add := func(tag string) func(string) string { return func(s string) string { return s + tag } }
		var svc service.Service[string, string] = inner
		for _, tag := range []string{"c", "b", "a"} { // applied innermost first, as a pipeline does
			var err error
			svc, err = apply(t, stage.MapRequest[string, string](add(tag)), svc)
			require.NoError(t, err)
		}
		res, err := svc.Call(ctx, ">")
		require.NoError(t, err)
		assert.Equal(t, ">abc", res)
		res, err = service.TryCall(ctx, svc, "<")
		require.NoError(t, err)
		assert.Equal(t, "<abc", res)
		outer := svc.(*stage.MapRequestStage[string, string, string])
		_, isStage := outer.Unwrap().(*stage.MapRequestStage[string, string, string])
		assert.False(t, isStage, "the outer stage calls the service below the fused ones")
	})
	t.Run("a fused stage leaves the inner stage usable on its own", func(t *testing.T) {
		r := &recorder{}
		in, err := stage.NewMapRequest[uint64, uint64](r, func(x uint64) uint64 { return x + 100 })
		require.NoError(t, err)
		out, err := stage.NewMapRequest[uint64, uint64](in, func(x uint64) uint64 { return x * 2 })
		require.NoError(t, err)
		_, _ = out.Call(ctx, 1)
		assert.Equal(t, uint64(102), r.last.Load())
		_, _ = in.Call(ctx, 1)
		assert.Equal(t, uint64(101), r.last.Load())
	})
	t.Run("MapRequestTo changes the request type", func(t *testing.T) {
		r := &recorder{}
		s, err := stage.MapRequestTo[string](r, func(s string) uint64 { return uint64(len(s)) })
		require.NoError(t, err)
		res, err := s.Call(ctx, "four")
		require.NoError(t, err)
		assert.Equal(t, uint64(5), res)
	})
	t.Run("a type-changing stage over a homogeneous one fuses", func(t *testing.T) {
		r := &recorder{}
		in, err := stage.NewMapRequest[uint64, uint64](r, func(x uint64) uint64 { return x * 10 })
		require.NoError(t, err)
		s, err := stage.MapRequestTo[string](in, func(s string) uint64 { return uint64(len(s)) })
		require.NoError(t, err)
		_, err = s.Call(ctx, "abc")
		require.NoError(t, err)
		assert.Equal(t, uint64(30), r.last.Load())
		assert.Same(t, r, s.Unwrap())
	})
}

func TestMapResponse(t *testing.T) {
	ctx := context.Background()
	t.Run("the caller gets f of the response", func(t *testing.T) {
		r := &recorder{}
		s, err := stage.NewMapResponse[uint64](r, func(x uint64) uint64 { return x * 10 })
		require.NoError(t, err)
		res, err := s.Call(ctx, 4)
		require.NoError(t, err)
		assert.Equal(t, uint64(50), res)
		assert.Same(t, r, s.Unwrap())
	})
	t.Run("on error f is not called and the error passes through", func(t *testing.T) {
		var called atomic.Bool
		s, err := stage.NewMapResponse[uint64](&recorder{err: errBoom}, func(x uint64) uint64 { called.Store(true); return 7 })
		require.NoError(t, err)
		res, err := s.Call(ctx, 4)
		assert.Same(t, errBoom, err)
		assert.Zero(t, res)
		res, err = s.TryCall(ctx, 4)
		assert.Same(t, errBoom, err)
		assert.Zero(t, res)
		assert.False(t, called.Load())
	})
	t.Run("fused stages apply their functions innermost first", func(t *testing.T) {
		inner := service.Func[string, string](func(_ context.Context, s string) (string, error) { return s, nil })
		add := func(tag string) func(string) string { return func(s string) string { return s + tag } }
		var svc service.Service[string, string] = inner
		for _, tag := range []string{"c", "b", "a"} {
			var err error
			svc, err = apply(t, stage.MapResponse[string](add(tag)), svc)
			require.NoError(t, err)
		}
		res, err := svc.Call(ctx, ">")
		require.NoError(t, err)
		assert.Equal(t, ">cba", res)
		res, err = service.TryCall(ctx, svc, "<")
		require.NoError(t, err)
		assert.Equal(t, "<cba", res)
	})
	t.Run("MapResponseTo changes the response type", func(t *testing.T) {
		in, err := stage.NewMapResponse[uint64](&recorder{}, func(x uint64) uint64 { return x * 2 })
		require.NoError(t, err)
		s, err := stage.MapResponseTo(in, func(x uint64) string { return fmt.Sprint("#", x) })
		require.NoError(t, err)
		res, err := s.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, "#4", res)
	})
}

func TestMapErr(t *testing.T) {
	ctx := context.Background()
	wrapped := func(err error) error { return fmt.Errorf("db: %w", err) }
	t.Run("f is called only on errors", func(t *testing.T) {
		var calls atomic.Int32
		s, err := stage.NewMapErr[uint64, uint64](&recorder{}, func(err error) error { calls.Add(1); return err })
		require.NoError(t, err)
		res, err := s.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(2), res)
		assert.Zero(t, calls.Load())
	})
	t.Run("the caller gets f of the error, still matching the cause", func(t *testing.T) {
		s, err := stage.NewMapErr[uint64, uint64](&recorder{err: errBoom}, wrapped)
		require.NoError(t, err)
		_, err = s.Call(ctx, 1)
		assert.EqualError(t, err, "db: boom")
		assert.ErrorIs(t, err, errBoom)
	})
	t.Run("a refusal from TryCall goes through f", func(t *testing.T) {
		m, h := servicetest.New[uint64, uint64]()
		defer h.Close()
		h.Allow(0)
		s, err := stage.NewMapErr[uint64, uint64](m, wrapped)
		require.NoError(t, err)
		_, err = s.TryCall(ctx, 1)
		assert.ErrorIs(t, err, service.ErrOverloaded)
		assert.True(t, strings.HasPrefix(err.Error(), "db: "))
	})
	t.Run("f returning nil makes the call succeed with the inner response", func(t *testing.T) {
		inner := service.Func[uint64, uint64](func(context.Context, uint64) (uint64, error) { return 9, errBoom })
		s, err := stage.NewMapErr[uint64, uint64](inner, func(error) error { return nil })
		require.NoError(t, err)
		res, err := s.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(9), res)
	})
}

func TestMapResult(t *testing.T) {
	ctx := context.Background()
	recover := func(x uint64, err error) (uint64, error) {
		if errors.Is(err, errBoom) {
			return 99, nil
		}
		if err == nil && x > 100 {
			return 0, errors.New("too big")
		}
		return x, err
	}
	t.Run("f can turn an error into a response", func(t *testing.T) {
		s, err := stage.NewMapResult[uint64](&recorder{err: errBoom}, recover)
		require.NoError(t, err)
		res, err := s.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(99), res)
	})
	t.Run("f can turn a response into an error", func(t *testing.T) {
		s, err := stage.NewMapResult[uint64](&recorder{}, recover)
		require.NoError(t, err)
		_, err = s.Call(ctx, 200)
		assert.EqualError(t, err, "too big")
		res, err := s.TryCall(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(2), res)
	})
	t.Run("other errors pass through f unchanged", func(t *testing.T) {
		other := errors.New("other")
		s, err := stage.NewMapResult[uint64](&recorder{err: other}, recover)
		require.NoError(t, err)
		_, err = s.Call(ctx, 1)
		assert.Same(t, other, err)
	})
}

type ctxKey struct{}

func TestAndThen(t *testing.T) {
	ctx := context.WithValue(context.Background(), ctxKey{}, uint64(1000))
	f := func(ctx context.Context, x uint64) (uint64, error) {
		if x == 0 {
			return 0, errors.New("zero")
		}
		return x + ctx.Value(ctxKey{}).(uint64), nil
	}
	t.Run("f runs on success with the call's ctx", func(t *testing.T) {
		s, err := stage.NewAndThen[uint64](&recorder{}, f)
		require.NoError(t, err)
		res, err := s.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(1002), res)
		res, err = s.TryCall(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(1002), res)
	})
	t.Run("f's error is the caller's", func(t *testing.T) {
		zero := uint64(0)
		s, err := stage.NewAndThen[uint64](&recorder{res: &zero}, f)
		require.NoError(t, err)
		_, err = s.Call(ctx, 1)
		assert.EqualError(t, err, "zero")
	})
	t.Run("f does not run on error", func(t *testing.T) {
		var called atomic.Bool
		s, err := stage.NewAndThen[uint64](&recorder{err: errBoom}, func(context.Context, uint64) (uint64, error) { called.Store(true); return 1, nil })
		require.NoError(t, err)
		res, err := s.Call(ctx, 1)
		assert.Same(t, errBoom, err)
		assert.Zero(t, res)
		assert.False(t, called.Load())
	})
	t.Run("AndThenTo changes the response type", func(t *testing.T) {
		s, err := stage.AndThenTo[uint64](&recorder{}, func(_ context.Context, x uint64) (string, error) { return fmt.Sprint(x), nil })
		require.NoError(t, err)
		res, err := s.Call(ctx, 41)
		require.NoError(t, err)
		assert.Equal(t, "42", res)
	})
}

func TestThen(t *testing.T) {
	ctx := context.Background()
	t.Run("f runs on every result", func(t *testing.T) {
		var seen []string
		f := func(_ context.Context, x uint64, err error) (uint64, error) {
			seen = append(seen, fmt.Sprint(x, err))
			if err != nil {
				return 7, nil // fallback
			}
			return x, nil
		}
		ok, err := stage.NewThen[uint64](&recorder{}, f)
		require.NoError(t, err)
		bad, err := stage.NewThen[uint64](&recorder{err: errBoom}, f)
		require.NoError(t, err)
		res, err := ok.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(2), res)
		res, err = bad.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(7), res)
		res, err = bad.TryCall(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, uint64(7), res)
		assert.Equal(t, []string{"2 <nil>", "0 boom", "0 boom"}, seen)
	})
	t.Run("ThenTo changes the response type", func(t *testing.T) {
		s, err := stage.ThenTo[uint64](&recorder{err: errBoom}, func(_ context.Context, x uint64, err error) (string, error) {
			return fmt.Sprint(x, " ", err), nil
		})
		require.NoError(t, err)
		res, err := s.Call(ctx, 1)
		require.NoError(t, err)
		assert.Equal(t, "0 boom", res)
	})
}
