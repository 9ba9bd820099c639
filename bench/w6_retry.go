package main

import (
	"context"
	"errors"

	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage/retry"
)

// W6 retry-flaky: what retrying costs a sequential caller over a service that fails
// every fifth call. With up to 3 attempts every call succeeds (two failures in a row
// never happen), so ok must equal calls; 1,000,000 calls make 1,250,000 attempts.

const w6Attempts = 3

func init() {
	register(Workload{
		ID:          "W6",
		Name:        "retry-flaky",
		Description: "1 caller, 1,000,000 calls: retry (up to 3 attempts on error) over an echo that fails every fifth call it gets",
		Callers:     1,
		Calls:       1_000_000,
		Metric:      MetricNs,
		Impls: []Impl{
			{Name: ImplTower, Run: w6Tower},
			{Name: ImplRaw, Run: w6Raw},
		},
	})
}

// errFlaky is the failure of the flaky echo: one preallocated value, so that failing
// costs no allocation.
var errFlaky = errors.New("bench: flaky echo failed")

// flaky is the service of W6: echo, except that the calls it gets whose number n
// (counting from 1) is a multiple of 5 fail with errFlaky. Each implementation has
// its own. The counter is a plain field: the workload is sequential, and even the
// peer that runs each attempt on a new goroutine (go-kit's lb.Retry) starts it only
// after the previous attempt's result has been received, which orders the accesses.
type flaky struct{ n uint64 }

//go:noinline
func (f *flaky) call(_ context.Context, x uint64) (uint64, error) {
	f.n++
	if f.n%5 == 0 {
		return 0, errFlaky
	}
	return x + 1, nil
}

// w6Loop is the sequential loop of W6 over a call that should answer x+1.
func w6Loop(ctx context.Context, s Spec, call func(context.Context, uint64) (uint64, error)) Result {
	return measureSeq(s.Calls, func(n int) int64 {
		var ok int64
		var sum uint64
		for x := range uint64(n) {
			res, err := call(ctx, x)
			if err == nil && res == x+1 {
				ok++
			}
			sum += res
		}
		sink += sum
		return ok
	})
}

// w6Tower: stage/retry with the standard policy of at most 3 attempts, no backoff,
// no budget, called through the service.Service interface.
func w6Tower(ctx context.Context, s Spec) (Result, error) {
	f := &flaky{}
	policy, err := retry.NewPolicy[uint64, uint64](w6Attempts)
	if err != nil {
		return Result{}, err
	}
	rs, err := retry.New(service.Func[uint64, uint64](f.call), policy)
	if err != nil {
		return Result{}, err
	}
	var svc service.Service[uint64, uint64] = rs
	r := w6Loop(ctx, s, svc.Call)
	r.Set("attempts", f.n)
	return r, nil
}

// w6Raw is the floor: a for loop of up to 3 attempts that stops at the first success.
func w6Raw(ctx context.Context, s Spec) (Result, error) {
	f := &flaky{}
	call := func(ctx context.Context, x uint64) (uint64, error) {
		var err error
		for range w6Attempts {
			var res uint64
			if res, err = f.call(ctx, x); err == nil {
				return res, nil
			}
		}
		return 0, err
	}
	r := w6Loop(ctx, s, call)
	r.Set("attempts", f.n)
	return r, nil
}
