// Command bench runs the standard workloads (documented in bench/README.md) on tower, on the
// raw-Go floor and on peer libraries, in one run, and reports them side by side: one
// JSON line per implementation per workload on stdout, progress and a table on
// stderr, and optionally a self-contained HTML report with plots.
//
// Run it from this directory with `go run .`; `go run . --help` explains the flags.
//
// Adding a workload or a peer is one file: a workload file calls register from an
// init func with its Workload (ID, name, description, callers, calls, headline metric
// and its implementations); a peer file calls registerImpl(id, Impl{...}) for each
// workload it implements. An implementation is a func that runs the whole workload
// and returns a Result; measureSeq and measurePar do the timing for the usual shapes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the parsed command-line flags.
type options struct {
	workloads string
	impls     string
	scale     float64
	report    string
	list      bool
	cpuprof   string
}

// parseFlags parses args. It returns flag.ErrHelp after printing the usage for -h,
// --help.
func parseFlags(args []string, stderr io.Writer, all []*Workload) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.workloads, "workload", "all", "")
	fs.StringVar(&o.impls, "impl", "all", "")
	fs.Float64Var(&o.scale, "scale", 1, "")
	fs.StringVar(&o.report, "report", "", "")
	fs.BoolVar(&o.list, "list", false, "")
	fs.StringVar(&o.cpuprof, "cpuprofile", "", "")
	fs.Usage = func() { usage(stderr, all) }
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q (flags only; see --help)", fs.Arg(0))
	}
	if math.IsNaN(o.scale) || math.IsInf(o.scale, 0) || o.scale <= 0 {
		return o, fmt.Errorf("--scale must be a positive number, got %v", o.scale)
	}
	return o, nil
}

func usage(w io.Writer, all []*Workload) {
	fmt.Fprint(w, `Usage: go run . [flags]     (from the bench directory)

Runs the standard workloads (bench/README.md) on tower, on the raw-Go floor and on peer
libraries, with the same service, counts and callers, and reports them side by side.

Flags:
  --workload LIST  workloads to run, a comma list of IDs such as W1,W3 (case does not
                   matter); default: all registered
  --impl LIST      implementations to run within them, such as tower,raw; default: all
  --scale F        multiply every call count by F (callers stay as they are);
                   default 1. --scale 0.01 is a quick smoke run of a few seconds
  --cpuprofile FILE  write a CPU profile of the whole run (go tool pprof FILE)
  --report FILE    also write a self-contained HTML report (inline SVG plots of the
                   latency distribution per implementation and of throughput; no
                   network, no JavaScript) to FILE
  --list           list the workloads and their implementations, and exit
  -h, --help       show this help

Output:
  stdout  one JSON line per implementation per workload, fields in this order:
            workload, impl, calls, ok, errors, secs, ns_per_call, rps, p50_us, p99_us
          then extra fields: ratio_vs_raw (the workload's headline metric over the
          raw floor's: ns_per_call for sequential workloads, where lower is better;
          rps for parallel ones and goodput_rps for the open loop of W7, where
          higher is better), ratio_of (which metric), allocs_per_call, max_us,
          then the workload's own fields (W4: ideal_rps, ratio_vs_ideal; W7:
          shed, goodput_rps, shed_share, peak_heap_bytes and their ideals), note,
          error. In W7 calls counts attempts, errors counts shed and failed calls,
          and p50_us, p99_us are of the calls that succeeded.
          Sequential workloads time an untimed loop (no clock read per call), so
          their p50_us and p99_us are null.
  stderr  progress while running, then an aligned table.
  Exit status 1 if an implementation failed to run, 2 on bad flags.

Workloads:
`)
	listWorkloads(w, all)
	fmt.Fprint(w, `
Examples:
  go run . --scale 0.01
  go run . --workload W3 --report report.html
  go run . --workload W1,W3 --impl tower,raw > results.jsonl
`)
}

func listWorkloads(w io.Writer, all []*Workload) {
	for _, wl := range all {
		names := make([]string, len(wl.Impls))
		for i, im := range wl.Impls {
			names[i] = im.Name
		}
		fmt.Fprintf(w, "  %-3s %-14s %s\n", wl.ID, wl.Name, wl.Description)
		fmt.Fprintf(w, "      %-14s impls: %s; headline: %s\n", "", strings.Join(names, ", "), wl.Metric)
	}
}

// run is the whole command, with its streams passed in; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	all, err := workloads()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	o, err := parseFlags(args, stderr, all)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 2
	}
	sel, err := selectWorkloads(all, o.workloads, o.impls)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 2
	}
	if o.list {
		listWorkloads(stdout, sel)
		return 0
	}

	if o.cpuprof != "" {
		stop, err := startCPUProfile(o.cpuprof)
		if err != nil {
			fmt.Fprintf(stderr, "bench: cpuprofile: %v\n", err)
			return 2
		}
		defer stop()
	}
	env := newEnv(o.scale)
	fmt.Fprintf(stderr, "bench: %s\n", env)
	progress := func(format string, args ...any) {
		fmt.Fprintf(stderr, format+"\n", args...)
	}
	enc := json.NewEncoder(stdout)
	status := 0
	var results []Result
	for _, w := range sel {
		rs, failed := runWorkload(w, o.scale, progress)
		if failed {
			status = 1
		}
		for _, r := range rs {
			if err := enc.Encode(r); err != nil {
				fmt.Fprintf(stderr, "bench: encoding %s %s: %v\n", r.Workload, r.Impl, err)
				status = 1
			}
		}
		results = append(results, rs...)
	}
	writeTable(stderr, results)
	if o.report != "" {
		if err := writeReportFile(o.report, env, sel, results); err != nil {
			fmt.Fprintf(stderr, "bench: report: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "bench: report written to %s\n", o.report)
	}
	return status
}

// runWorkload runs every implementation of w, one after another, and derives
// ratio_vs_raw. failed reports an implementation that returned an error.
func runWorkload(w *Workload, scale float64, progress func(string, ...any)) (rs []Result, failed bool) {
	s := Spec{
		Workload: w.ID,
		Callers:  w.Callers,
		Calls:    scaled(w.Calls, scale),
		Scale:    scale,
		Progress: progress,
	}
	rounds := max(w.Rounds, 1)
	byImpl := make([][]Result, len(w.Impls))
	for round := range rounds {
		for k := range w.Impls {
			i := (k + round) % len(w.Impls)
			im := w.Impls[i]
			r, err := runImpl(w, im, s, round, rounds, progress)
			if err != nil {
				failed = true
			}
			byImpl[i] = append(byImpl[i], r)
		}
	}
	if rounds == 1 {
		for _, r := range byImpl {
			rs = append(rs, r[0])
		}
		setRatios(w, rs)
		return rs, failed
	}
	return medianRounds(w, byImpl), failed
}

func runImpl(w *Workload, im Impl, s Spec, round, rounds int, progress func(string, ...any)) (Result, error) {
	label := im.Name
	if rounds > 1 {
		label = fmt.Sprintf("%s (round %d of %d)", im.Name, round+1, rounds)
	}
	progress("%s %s: %s: %d calls, %d caller(s)...", w.ID, w.Name, label, s.Calls, s.Callers)
	start := time.Now()
	r, err := im.Run(context.Background(), s)
	r.Workload, r.Impl = w.ID, im.Name
	if err != nil {
		if r.Calls == 0 { // never ran: a row that says so, not a missing row
			r.Calls, r.Errors = int64(s.Calls), int64(s.Calls)
		}
		r.Set("error", err.Error())
		progress("%s %s: %s: error: %v", w.ID, w.Name, label, err)
	}
	progress("%s %s: %s: done in %.2fs: ok %d/%d, %.1f ns/call, %.0f rps",
		w.ID, w.Name, label, time.Since(start).Seconds(), r.OK, r.Calls, r.NsPerCall, r.RPS)
	return r, err
}

// medianRounds reduces each implementation's rounds to its median round (by the
// headline metric; an errored round wins, so that the error shows) and sets
// ratio_vs_raw to the median of the per-round ratios to the raw floor's rounds.
// Each row also carries rounds and the range of its headline metric.
func medianRounds(w *Workload, byImpl [][]Result) []Result {
	floor := -1
	for i, im := range w.Impls {
		if im.Name == ImplRaw {
			floor = i
		}
	}
	out := make([]Result, len(byImpl))
	for i, rounds := range byImpl {
		vals := make([]float64, len(rounds))
		pick := -1
		for j := range rounds {
			vals[j] = metricOf(w.Metric, &rounds[j])
			if _, bad := rounds[j].Get("error"); bad && pick < 0 {
				pick = j
			}
		}
		if pick < 0 {
			pick = medianIndex(vals)
		}
		r := rounds[pick]
		r.Set("rounds", len(rounds))
		lo, hi := vals[0], vals[0]
		for _, v := range vals {
			lo, hi = min(lo, v), max(hi, v)
		}
		r.Set(string(w.Metric)+"_min", round(lo, 3))
		r.Set(string(w.Metric)+"_max", round(hi, 3))
		if floor >= 0 && i != floor {
			var ratios []float64
			for j := range rounds {
				base := metricOf(w.Metric, &byImpl[floor][j])
				if v := vals[j]; v > 0 && base > 0 {
					ratios = append(ratios, v/base)
				}
			}
			if len(ratios) > 0 {
				r.Set("ratio_vs_raw", round(ratios[medianIndex(ratios)], 3))
				r.Set("ratio_of", string(w.Metric))
			}
		}
		out[i] = r
	}
	return out
}

// medianIndex returns the index of the median of vs (the lower middle one for an
// even count).
func medianIndex(vs []float64) int {
	idx := make([]int, len(vs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return vs[idx[a]] < vs[idx[b]] })
	return idx[(len(idx)-1)/2]
}

// setRatios sets ratio_vs_raw on every row but the raw floor's: the workload's
// headline metric over the floor's.
func setRatios(w *Workload, rs []Result) {
	var floor *Result
	for i := range rs {
		if rs[i].Impl == ImplRaw {
			floor = &rs[i]
		}
	}
	if floor == nil {
		return
	}
	base := metricOf(w.Metric, floor)
	if base <= 0 {
		return
	}
	for i := range rs {
		if rs[i].Impl == ImplRaw {
			continue
		}
		if v := metricOf(w.Metric, &rs[i]); v > 0 {
			rs[i].Set("ratio_vs_raw", round(v/base, 3))
			rs[i].Set("ratio_of", string(w.Metric))
		}
	}
}

func metricOf(m Metric, r *Result) float64 {
	switch m {
	case MetricNs:
		return r.NsPerCall
	case MetricRPS:
		return r.RPS
	}
	if v, ok := r.Get(string(m)); ok {
		if f, ok := v.(float64); ok {
			return f
		}
	}
	return 0
}

// env describes the machine and the run, for stderr and the report.
type env struct {
	GoVersion  string
	OS, Arch   string
	GOMAXPROCS int
	NumCPU     int
	Scale      float64
	Started    time.Time
}

func newEnv(scale float64) env {
	return env{
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		NumCPU:     runtime.NumCPU(),
		Scale:      scale,
		Started:    time.Now(),
	}
}

func (e env) String() string {
	return fmt.Sprintf("%s %s/%s, GOMAXPROCS=%d, NumCPU=%d, scale=%g",
		e.GoVersion, e.OS, e.Arch, e.GOMAXPROCS, e.NumCPU, e.Scale)
}
