package main

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withRegistry runs f on an empty registry and restores the real one afterwards.
func withRegistry(t *testing.T, f func()) {
	t.Helper()
	saved := maps.Clone(registry)
	registry = map[string]*Workload{}
	defer func() { registry = saved }()
	f()
}

func fixed(r Result, err error) func(context.Context, Spec) (Result, error) {
	return func(_ context.Context, s Spec) (Result, error) {
		r.Calls = int64(s.Calls)
		return r, err
	}
}

func TestRegistry(t *testing.T) {
	t.Run("peers registered before their workload are merged, tower first and raw last", func(t *testing.T) {
		withRegistry(t, func() {
			registerImpl("W9", Impl{Name: "failsafe"})
			register(Workload{ID: "W9", Name: "x", Impls: []Impl{{Name: ImplRaw}, {Name: ImplTower}}})
			registerImpl("W9", Impl{Name: "gokit"})
			all, err := workloads()
			require.NoError(t, err)
			require.Len(t, all, 1)
			var names []string
			for _, im := range all[0].Impls {
				names = append(names, im.Name)
			}
			assert.Equal(t, []string{ImplTower, "failsafe", "gokit", ImplRaw}, names)
		})
	})
	t.Run("a peer for a workload nobody registered is an error", func(t *testing.T) {
		withRegistry(t, func() {
			registerImpl("W8", Impl{Name: "gokit"})
			_, err := workloads()
			require.ErrorContains(t, err, `"W8"`)
		})
	})
	t.Run("workloads sort by number", func(t *testing.T) {
		withRegistry(t, func() {
			for _, id := range []string{"W10", "W2", "W1"} {
				register(Workload{ID: id, Name: id})
			}
			all, err := workloads()
			require.NoError(t, err)
			assert.Equal(t, "W1,W2,W10", knownIDs(all))
		})
	})
}

func TestSelectWorkloads(t *testing.T) {
	all := []*Workload{
		{ID: "W1", Name: "a", Impls: []Impl{{Name: "tower"}, {Name: "raw"}}},
		{ID: "W3", Name: "b", Impls: []Impl{{Name: "tower"}, {Name: "failsafe"}, {Name: "raw"}}},
	}
	t.Run("ids are case-insensitive, deduplicated and sorted", func(t *testing.T) {
		sel, err := selectWorkloads(all, " w3, W1,w3 ", "")
		require.NoError(t, err)
		assert.Equal(t, "W1,W3", knownIDs(sel))
	})
	t.Run("an impl filter keeps workloads that have one of them", func(t *testing.T) {
		sel, err := selectWorkloads(all, "all", "FailSafe")
		require.NoError(t, err)
		require.Len(t, sel, 1)
		assert.Equal(t, "W3", sel[0].ID)
		assert.Len(t, sel[0].Impls, 1)
		assert.Len(t, all[1].Impls, 3, "the registry itself is not changed")
	})
	t.Run("unknown names are errors", func(t *testing.T) {
		_, err := selectWorkloads(all, "W2", "")
		require.Error(t, err)
		_, err = selectWorkloads(all, "", "gokit")
		require.Error(t, err)
	})
}

func TestRunWorkload(t *testing.T) {
	quiet := func(string, ...any) {}
	t.Run("ratio_vs_raw divides the headline metric by the raw floor's", func(t *testing.T) {
		w := &Workload{ID: "W9", Name: "x", Calls: 100, Callers: 1, Metric: MetricRPS, Impls: []Impl{
			{Name: ImplTower, Run: fixed(Result{RPS: 50, NsPerCall: 4}, nil)},
			{Name: ImplRaw, Run: fixed(Result{RPS: 200, NsPerCall: 1}, nil)},
		}}
		rs, failed := runWorkload(w, 1, quiet)
		assert.False(t, failed)
		require.Len(t, rs, 2)
		v, _ := rs[0].Get("ratio_vs_raw")
		assert.Equal(t, 0.25, v)
		w.Metric = MetricNs
		rs, _ = runWorkload(w, 1, quiet)
		v, _ = rs[0].Get("ratio_vs_raw")
		assert.Equal(t, 4.0, v)
		_, ok := rs[1].Get("ratio_vs_raw")
		assert.False(t, ok)
	})
	t.Run("rounds interleave the implementations and report medians", func(t *testing.T) {
		var order []string
		seq := func(name string, rps ...float64) Impl {
			n := 0
			return Impl{Name: name, Run: func(context.Context, Spec) (Result, error) {
				order = append(order, name)
				r := Result{RPS: rps[n]}
				n++
				return r, nil
			}}
		}
		w := &Workload{ID: "W9", Name: "x", Calls: 100, Callers: 1, Metric: MetricRPS, Rounds: 3, Impls: []Impl{
			seq(ImplTower, 90, 40, 80), // beside raw's 100, 50, 200: ratios 0.9, 0.8, 0.4
			seq(ImplRaw, 100, 50, 200),
		}}
		rs, failed := runWorkload(w, 1, quiet)
		assert.False(t, failed)
		require.Len(t, rs, 2)
		assert.Equal(t, []string{ImplTower, ImplRaw, ImplRaw, ImplTower, ImplTower, ImplRaw}, order,
			"round r starts at implementation r")
		assert.Equal(t, ImplTower, rs[0].Impl)
		assert.Equal(t, 80.0, rs[0].RPS, "the median round")
		assert.Equal(t, 100.0, rs[1].RPS)
		v, _ := rs[0].Get("ratio_vs_raw")
		assert.Equal(t, 0.8, v, "the median of the per-round ratios, not the ratio of medians")
		v, _ = rs[0].Get("rounds")
		assert.Equal(t, 3, v)
		lo, _ := rs[0].Get("rps_min")
		hi, _ := rs[0].Get("rps_max")
		assert.Equal(t, 40.0, lo)
		assert.Equal(t, 90.0, hi)
	})
	t.Run("a failed implementation still has a row that says why", func(t *testing.T) {
		w := &Workload{ID: "W9", Name: "x", Calls: 100, Callers: 1, Metric: MetricRPS, Impls: []Impl{
			{Name: "gokit", Run: func(context.Context, Spec) (Result, error) { return Result{}, errors.New("boom") }},
		}}
		rs, failed := runWorkload(w, 0.5, quiet)
		assert.True(t, failed)
		require.Len(t, rs, 1)
		assert.Equal(t, int64(50), rs[0].Calls)
		assert.Equal(t, int64(50), rs[0].Errors)
		v, _ := rs[0].Get("error")
		assert.Equal(t, "boom", v)
	})
}

func TestScaled(t *testing.T) {
	assert.Equal(t, 2_000_000, scaled(2_000_000, 1))
	assert.Equal(t, 20_000, scaled(2_000_000, 0.01))
	assert.Equal(t, 1, scaled(10, 0.0001), "never zero")
	assert.Equal(t, 3, scaled(2, 1.5), "rounds")
}
