package service_test

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tower-go/tower/service"
)

func TestNewError(t *testing.T) {
	errFull := service.NewError("pkg: full", service.ErrOverloaded)
	errGone := service.NewError("pkg: gone", service.ErrClosed, service.ErrFailed)
	errBare := service.NewError("pkg: bare")

	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"a sentinel matches itself", errFull, errFull, true},
		{"a sentinel matches its kind", errFull, service.ErrOverloaded, true},
		{"a sentinel does not match another kind", errFull, service.ErrClosed, false},
		{"a sentinel does not match another sentinel of its kind", errFull, service.NewError("pkg: full", service.ErrOverloaded), false},
		{"a kind does not match the sentinel", service.ErrOverloaded, errFull, false},
		{"a sentinel matches each of several kinds (first)", errGone, service.ErrClosed, true},
		{"a sentinel matches each of several kinds (second)", errGone, service.ErrFailed, true},
		{"a sentinel without kinds matches itself", errBare, errBare, true},
		{"a sentinel without kinds matches no kind", errBare, service.ErrOverloaded, false},
		{"a wrapped sentinel matches itself", fmt.Errorf("call 3: %w", errFull), errFull, true},
		{"a wrapped sentinel matches its kind", fmt.Errorf("call 3: %w", errFull), service.ErrOverloaded, true},
		{"a twice-wrapped sentinel matches its kind", fmt.Errorf("a: %w", fmt.Errorf("b: %w", errGone)), service.ErrFailed, true},
		{"a joined sentinel matches its kind", errors.Join(io.EOF, errFull), service.ErrOverloaded, true},
		{"a sentinel whose kind is a sentinel matches the kind's kind", service.NewError("pkg: fuller", errFull), service.ErrOverloaded, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errors.Is(tt.err, tt.target))
		})
	}
	assert.Equal(t, "pkg: full", errFull.Error())
	assert.Equal(t, "call 3: pkg: full", fmt.Errorf("call 3: %w", errFull).Error())
}

func TestNewErrorAllocatesNothingWhenReturned(t *testing.T) {
	errFull := service.NewError("pkg: full", service.ErrOverloaded)
	f := func() error { return errFull }
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = f() }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = errors.Is(f(), service.ErrOverloaded) }))
}

type netError struct{ addr string }

func (e *netError) Error() string { return "dial " + e.addr + ": refused" }

func TestFailedError(t *testing.T) {
	cause := &netError{addr: "10.0.0.1:80"}
	var err error = &service.FailedError{Err: cause}

	assert.Equal(t, "tower: service failed: dial 10.0.0.1:80: refused", err.Error())
	assert.ErrorIs(t, err, service.ErrFailed)
	assert.NotErrorIs(t, err, service.ErrPanicked)
	assert.NotErrorIs(t, err, service.ErrClosed)
	assert.Same(t, cause, errors.Unwrap(err))

	var ne *netError
	require.ErrorAs(t, err, &ne, "the cause is still reachable")
	assert.Equal(t, "10.0.0.1:80", ne.addr)

	wrapped := fmt.Errorf("buffer: %w", err)
	assert.ErrorIs(t, wrapped, service.ErrFailed)
	var fe *service.FailedError
	require.ErrorAs(t, wrapped, &fe)
	assert.Same(t, cause, fe.Err)

	kinded := &service.FailedError{Err: service.NewError("pkg: gone", service.ErrClosed)}
	assert.ErrorIs(t, kinded, service.ErrClosed, "the cause's kind shows through")
	assert.ErrorIs(t, kinded, service.ErrFailed)
}

func TestPanicError(t *testing.T) {
	recovered := func(v any) (pe *service.PanicError) {
		defer func() { pe = service.NewPanicError(recover()) }()
		panic(v)
	}

	t.Run("a non-error panic value", func(t *testing.T) {
		pe := recovered("bad index")
		var err error = pe
		assert.Equal(t, "tower: panic in service: bad index", err.Error())
		assert.Equal(t, "bad index", pe.Value)
		assert.ErrorIs(t, err, service.ErrPanicked)
		assert.NotErrorIs(t, err, service.ErrFailed)
		assert.Nil(t, errors.Unwrap(err))
		assert.Contains(t, string(pe.Stack()), "TestPanicError", "the stack shows where the panic was")
		require.NotEmpty(t, pe.Callers)
		frames := runtime.CallersFrames(pe.Callers)
		var funcs []string
		for {
			f, more := frames.Next()
			funcs = append(funcs, f.Function)
			if !more {
				break
			}
		}
		assert.Contains(t, fmt.Sprint(funcs), "TestPanicError")
	})
	t.Run("an error panic value unwraps to it", func(t *testing.T) {
		cause := &netError{addr: "x"}
		var err error = recovered(cause)
		assert.ErrorIs(t, err, service.ErrPanicked)
		assert.Same(t, cause, errors.Unwrap(err))
		var ne *netError
		assert.ErrorAs(t, err, &ne)
		assert.ErrorIs(t, recovered(io.EOF), io.EOF)
	})
	t.Run("found through wrapping", func(t *testing.T) {
		err := fmt.Errorf("actor: %w", recovered(42))
		assert.ErrorIs(t, err, service.ErrPanicked)
		var pe *service.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, 42, pe.Value)
	})
}

func TestErrorKindsAreDistinct(t *testing.T) {
	kinds := []error{service.ErrOverloaded, service.ErrClosed, service.ErrRejected, service.ErrFailed, service.ErrPanicked}
	for i, a := range kinds {
		assert.Regexp(t, `^tower: `, a.Error())
		for j, b := range kinds {
			assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
		}
	}
}
