package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Workload is one of the standard workloads (bench/README.md): a fixed amount of
// work that every implementation runs the same way.
//
// A workload file (w1_direct.go, w3_buffer.go, ...) registers its Workload from an
// init func with [register]; a peer file (failsafe.go, gokit.go, ...) adds its
// implementations to workloads that exist or will exist with [registerImpl]. Init
// order between files therefore does not matter.
type Workload struct {
	ID          string // "W1"; the key of --workload
	Name        string // "direct"
	Description string // one line: callers, calls, stack, service
	Callers     int    // caller goroutines (1 for the sequential workloads)
	Calls       int    // total calls at --scale 1; scaled by Spec.Calls
	// Metric is the figure ratio_vs_raw compares: MetricNs (cost, lower is better)
	// for sequential workloads, MetricRPS (throughput, higher is better) for closed
	// loops, MetricGoodput (successful calls per second, higher is better) for open
	// loops, where rps only echoes the offered load.
	Metric Metric
	// Rounds, if above 1, runs every implementation that many times, each time the
	// whole workload, interleaved (round r starts at implementation r, so that each
	// takes every place in the order), and reports for each implementation its
	// median round by the headline metric; ratio_vs_raw is then the median of the
	// per-round ratios to the raw floor's round, which ran beside it. On a small,
	// shared machine a closed loop of many goroutines swings by 2x from one run to
	// the next with the scheduler's luck; rounds make the ratio stable.
	Rounds int
	Impls  []Impl
}

// Metric names the headline figure of a workload.
type Metric string

// Metrics that ratio_vs_raw can compare.
const (
	MetricNs      Metric = "ns_per_call"
	MetricRPS     Metric = "rps"
	MetricGoodput Metric = "goodput_rps" // an extra field of the result
)

// Impl is one implementation of a workload: tower, the raw-Go floor, or a peer
// library.
type Impl struct {
	Name string // "tower", "raw", "failsafe", "gokit"
	// Run does the whole workload once and returns its result record. It fills the
	// measured fields; the runner fills Workload and Impl and derives ratio_vs_raw.
	// An error means the implementation could not be set up (a row still appears,
	// with the error in the "error" field).
	Run func(ctx context.Context, s Spec) (Result, error)
}

// Spec is what an implementation is asked to run: counts already multiplied by
// --scale.
type Spec struct {
	Workload string
	Callers  int
	Calls    int
	Scale    float64
	// Progress prints a progress line on stderr (for runs long enough to want one).
	Progress func(format string, args ...any)
}

// Impl names with a fixed place in every listing; peers sort between them.
const (
	ImplTower = "tower"
	ImplRaw   = "raw"
)

var registry = map[string]*Workload{}

// register adds a workload. Its Impls are kept, and implementations registered for
// the same ID by other files are merged in.
func register(w Workload) {
	e := entry(w.ID)
	impls := append(w.Impls, e.Impls...)
	*e = w
	e.Impls = impls
}

// registerImpl adds an implementation to the workload id, which may be registered
// later (by a file that initialises after this one).
func registerImpl(id string, impl Impl) {
	e := entry(id)
	e.Impls = append(e.Impls, impl)
}

func entry(id string) *Workload {
	e, ok := registry[id]
	if !ok {
		e = &Workload{ID: id}
		registry[id] = e
	}
	return e
}

// implRank orders implementations in every listing: tower first, peers in
// registration order, the raw floor last.
func implRank(name string) int {
	switch name {
	case ImplTower:
		return 0
	case ImplRaw:
		return 2
	default:
		return 1
	}
}

// workloads returns the registered workloads sorted by ID, each with its
// implementations in listing order. It reports a workload that has implementations
// but was never registered itself (a peer file naming a wrong ID).
func workloads() ([]*Workload, error) {
	out := make([]*Workload, 0, len(registry))
	for _, w := range registry {
		if w.Name == "" {
			return nil, fmt.Errorf("bench: implementations registered for unknown workload %q", w.ID)
		}
		sort.SliceStable(w.Impls, func(i, j int) bool {
			return implRank(w.Impls[i].Name) < implRank(w.Impls[j].Name)
		})
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return workloadLess(out[i].ID, out[j].ID) })
	return out, nil
}

// workloadLess orders "W2" before "W10".
func workloadLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// selectWorkloads picks the workloads named in a comma list (case-insensitive; empty
// or "all" means all) and, within them, the implementations named in impls (empty
// or "all" means all).
func selectWorkloads(all []*Workload, ids, impls string) ([]*Workload, error) {
	byID := map[string]*Workload{}
	for _, w := range all {
		byID[w.ID] = w
	}
	var picked []*Workload
	if isAll(ids) {
		picked = append(picked, all...)
	} else {
		seen := map[string]bool{}
		for _, id := range splitList(ids) {
			w, ok := byID[strings.ToUpper(id)]
			if !ok {
				return nil, fmt.Errorf("unknown workload %q (known: %s)", id, knownIDs(all))
			}
			if !seen[w.ID] {
				seen[w.ID] = true
				picked = append(picked, w)
			}
		}
		sort.Slice(picked, func(i, j int) bool { return workloadLess(picked[i].ID, picked[j].ID) })
	}
	if isAll(impls) {
		return picked, nil
	}
	want := map[string]bool{}
	for _, name := range splitList(impls) {
		want[strings.ToLower(name)] = true
	}
	known := map[string]bool{}
	var out []*Workload
	for _, w := range picked {
		c := *w
		c.Impls = nil
		for _, im := range w.Impls {
			known[im.Name] = true
			if want[im.Name] {
				c.Impls = append(c.Impls, im)
			}
		}
		if len(c.Impls) > 0 {
			out = append(out, &c)
		}
	}
	for name := range want {
		if !known[name] {
			return nil, fmt.Errorf("unknown implementation %q for the selected workloads", name)
		}
	}
	return out, nil
}

func isAll(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || strings.EqualFold(s, "all")
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func knownIDs(all []*Workload) string {
	ids := make([]string, len(all))
	for i, w := range all {
		ids[i] = w.ID
	}
	return strings.Join(ids, ",")
}

// scaled multiplies a count by scale, rounding, and never returns less than 1.
func scaled(n int, scale float64) int {
	v := int(float64(n)*scale + 0.5)
	if v < 1 {
		v = 1
	}
	return v
}
