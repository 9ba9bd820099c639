package main

import (
	"context"
	"errors"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/bulkhead"
	"github.com/failsafe-go/failsafe-go/retrypolicy"
	fstimeout "github.com/failsafe-go/failsafe-go/timeout"
)

// The failsafe-go peer (github.com/failsafe-go/failsafe-go): its policies run around a
// function on the caller's goroutine, composed outermost first, as
// failsafe.With(bulkhead, timeout) = Bulkhead(Timeout(fn)). A bulkhead is its
// concurrency limit (a buffered channel); it has no buffer or actor boundary and no
// load-shedding policy of its own, a bulkhead that does not wait being the nearest.

const implFailsafe = "failsafe"

// failsafeWait is how long a waiting bulkhead waits for a permit, standing in for the
// unbounded wait of a concurrency limit: a bulkhead whose max wait is zero (its
// default) does not wait at all. No call of these workloads comes near it.
const failsafeWait = time.Hour

func init() {
	registerImpl("W2", Impl{Name: implFailsafe, Run: w2Failsafe})
	registerImpl("W3", Impl{Name: implFailsafe, Run: w3Failsafe})
	registerImpl("W4", Impl{Name: implFailsafe, Run: w4Failsafe})
	registerImpl("W6", Impl{Name: implFailsafe, Run: w6Failsafe})
	registerImpl("W7", Impl{Name: implFailsafe, Run: w7Failsafe})
}

// limitTimeout returns an executor of a waiting bulkhead of n permits over a timeout
// of d: concurrency_limit(n), timeout(d).
func limitTimeout(n uint, d time.Duration) failsafe.Executor[uint64] {
	return failsafe.With[uint64](
		bulkhead.NewBuilder[uint64](n).WithMaxWaitTime(failsafeWait).Build(),
		fstimeout.New[uint64](d),
	)
}

// w2Failsafe does the maps by hand around an executor of a bulkhead of 64 and a
// timeout of 1s. The function reads the execution's context, which the timeout
// cancels.
func w2Failsafe(ctx context.Context, s Spec) (Result, error) {
	ex := limitTimeout(w2Limit, w2Timeout)
	call := func(x uint64) (uint64, error) {
		x++
		res, err := ex.GetWithExecution(func(e failsafe.Execution[uint64]) (uint64, error) {
			return echo(e.Context(), x)
		})
		if err != nil {
			return 0, err
		}
		return res + 1, nil
	}
	r := measureSeq(s.Calls, func(n int) int64 {
		var ok int64
		var sum uint64
		for x := range uint64(n) {
			res, err := call(x)
			if err == nil && res == x+3 {
				ok++
			}
			sum += res
		}
		sink += sum
		return ok
	})
	r.Note("no map stages: the +1 maps are done by hand around failsafe.With(bulkhead(64, waits), timeout(1s))")
	return r, nil
}

// w3Failsafe: the 64 callers share one executor of a bulkhead of 64 and a timeout of
// 1s, each call running on its caller's goroutine.
func w3Failsafe(_ context.Context, s Spec) (Result, error) {
	ex := limitTimeout(w3Limit, w3Timeout)
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		return func(_ context.Context, x uint64) error {
			res, err := ex.GetWithExecution(func(e failsafe.Execution[uint64]) (uint64, error) {
				return echo(e.Context(), x)
			})
			return checkEcho(x, res, err)
		}
	})
	r.Note("lacks buffer(1024): no queue or actor boundary, each call runs bulkhead(64), timeout(1s) on its caller's goroutine")
	return r, nil
}

// w4Failsafe: a bulkhead of 256 shared by the 256 callers.
func w4Failsafe(_ context.Context, s Spec) (Result, error) {
	ex := failsafe.With[uint64](bulkhead.NewBuilder[uint64](w4Limit).WithMaxWaitTime(failsafeWait).Build())
	r := measurePar(s.Callers, s.Calls, func(int) func(context.Context, uint64) error {
		return func(ctx context.Context, x uint64) error {
			res, err := ex.Get(func() (uint64, error) { return sleepEcho(ctx, x) })
			return checkEcho(x, res, err)
		}
	})
	withIdeal(&r)
	r.Note("lacks buffer(1024): no queue or actor boundary, each call runs bulkhead(256) on its caller's goroutine")
	return r, nil
}

// w6Failsafe: a retry policy of at most 3 attempts with no delay (its default), on
// any error.
func w6Failsafe(ctx context.Context, s Spec) (Result, error) {
	f := &flaky{}
	ex := failsafe.With[uint64](retrypolicy.NewBuilder[uint64]().WithMaxAttempts(w6Attempts).Build())
	r := w6Loop(ctx, s, func(ctx context.Context, x uint64) (uint64, error) {
		return ex.Get(func() (uint64, error) { return f.call(ctx, x) })
	})
	r.Set("attempts", f.n)
	return r, nil
}

// w7Failsafe: a bulkhead of 32 that does not wait (max wait zero, its default) and
// so rejects with bulkhead.ErrFull when full.
func w7Failsafe(_ context.Context, s Spec) (Result, error) {
	ex := failsafe.With[uint64](bulkhead.New[uint64](w7Limit))
	r := w7Run(s, func(ctx context.Context, x uint64) error {
		res, err := ex.Get(func() (uint64, error) { return sleepEcho(ctx, x) })
		return checkEcho(x, res, err)
	}, func(err error) bool { return errors.Is(err, bulkhead.ErrFull) })
	r.Note("no load-shed policy: a bulkhead(32) with zero max wait rejects with ErrFull when full")
	return r, nil
}
