package main

import (
	"context"

	"github.com/tower-go/tower"
	"github.com/tower-go/tower/service"
	"github.com/tower-go/tower/stage"
)

// C1 fused-maps: the core issue's bar for fusion. Five map stages run fused in the
// caller's goroutine; their cost over a bare call of the same service, divided by
// five, is the cost of one fused stage. Sequential, one caller.

const c1Stages = 5

func init() {
	register(Workload{
		ID:          "C1",
		Name:        "fused-maps",
		Description: "1 caller, 2,000,000 calls: a pipeline of 5 map stages (+0) over echo, against the bare call",
		Callers:     1,
		Calls:       2_000_000,
		Metric:      MetricNs,
		Impls: []Impl{
			{Name: ImplTower, Run: c1Tower},
			{Name: "tower-unfused", Run: c1Unfused},
			{Name: ImplRaw, Run: c1Raw},
		},
	})
}

func identity(x uint64) uint64 { return x }

// c1Tower: five map_request stages; adjacent maps of one type fuse into one stage.
func c1Tower(_ context.Context, s Spec) (Result, error) {
	layers := make([]service.Layer[uint64, uint64], c1Stages)
	for i := range layers {
		layers[i] = stage.MapRequest[uint64, uint64](identity)
	}
	return c1Run(s, layers, "5 map_request stages, fused by the library into one")
}

// c1Unfused: map_request and map_response alternate, so no two stages can fuse.
func c1Unfused(_ context.Context, s Spec) (Result, error) {
	layers := make([]service.Layer[uint64, uint64], c1Stages)
	for i := range layers {
		if i%2 == 0 {
			layers[i] = stage.MapRequest[uint64, uint64](identity)
		} else {
			layers[i] = stage.MapResponse[uint64, uint64](identity)
		}
	}
	return c1Run(s, layers, "map_request and map_response alternating: 5 separate stages")
}

func c1Run(s Spec, layers []service.Layer[uint64, uint64], note string) (Result, error) {
	st, err := tower.NewPipeline(layers...).Service(newEchoService())
	if err != nil {
		return Result{}, err
	}
	defer st.Stop(context.Background())
	bare := c1Loop(s.Calls, newEchoService()) // the floor, measured again beside it
	r := c1Loop(s.Calls, st)
	r.Set("bare_ns_per_call", round(bare.NsPerCall, 3))
	r.Set("ns_per_stage_over_bare", round((r.NsPerCall-bare.NsPerCall)/c1Stages, 3))
	r.Note(note)
	return r, nil
}

// c1Raw is the bare call: the same echo service through the same interface.
func c1Raw(_ context.Context, s Spec) (Result, error) {
	r := c1Loop(s.Calls, newEchoService())
	r.Note("bare call of the echo service through service.Service, no stage")
	return r, nil
}

func c1Loop(calls int, svc service.Service[uint64, uint64]) Result {
	ctx := context.Background()
	return measureSeq(calls, func(n int) int64 {
		var ok int64
		var sum uint64
		for x := range uint64(n) {
			r, err := svc.Call(ctx, x)
			if err == nil && r == x+1 {
				ok++
			}
			sum += r
		}
		sink += sum
		return ok
	})
}
