package main

import (
	"context"

	"github.com/tower-go/tower/service"
)

// W1 direct: what readiness + call costs on a bare service, against a plain function
// call. Sequential, one caller.

func init() {
	register(Workload{
		ID:          "W1",
		Name:        "direct",
		Description: "1 caller, 2,000,000 calls: readiness + call on the bare echo service, no stack",
		Callers:     1,
		Calls:       2_000_000,
		Metric:      MetricNs,
		Impls: []Impl{
			{Name: ImplTower, Run: w1Tower},
			{Name: ImplRaw, Run: w1Raw},
		},
	})
}

// newEchoService returns echo as a service.Service behind an interface the compiler
// cannot see through, as a caller holding a pipeline would.
//
//go:noinline
func newEchoService() service.Service[uint64, uint64] {
	return service.Func[uint64, uint64](echo)
}

// w1Tower calls service.Ready, then Call through the service.Service interface.
func w1Tower(ctx context.Context, s Spec) (Result, error) {
	svc := newEchoService()
	return measureSeq(s.Calls, func(n int) int64 {
		var ok int64
		var sum uint64
		for x := range uint64(n) {
			if err := service.Ready(ctx, svc); err != nil {
				continue
			}
			r, err := svc.Call(ctx, x)
			if err == nil && r == x+1 {
				ok++
			}
			sum += r
		}
		sink += sum
		return ok
	}), nil
}

// w1Raw calls echo directly: a plain Go function call, not inlined.
func w1Raw(ctx context.Context, s Spec) (Result, error) {
	return measureSeq(s.Calls, func(n int) int64 {
		var ok int64
		var sum uint64
		for x := range uint64(n) {
			r, err := echo(ctx, x)
			if err == nil && r == x+1 {
				ok++
			}
			sum += r
		}
		sink += sum
		return ok
	}), nil
}
