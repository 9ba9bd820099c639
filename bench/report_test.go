package main

import (
	"bytes"
	"encoding/json"
	"html/template"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleReportEnv names a file the sample report is also written to, to look at it
// in a browser: BENCH_SAMPLE_REPORT=/tmp/report.html go test -run TestSampleReport .
const sampleReportEnv = "BENCH_SAMPLE_REPORT"

// sampleWorkloads are the workloads of the bench as they describe themselves, fixed
// here so that the report tests do not depend on the workload files.
func sampleWorkloads() []*Workload {
	return []*Workload{
		{ID: "C1", Name: "fused-maps", Callers: 1, Calls: 2_000_000, Metric: MetricNs,
			Description: "1 caller, 2,000,000 calls: a pipeline of 5 map stages (+0) over echo, against the bare call"},
		{ID: "C2", Name: "actor-rt", Callers: 1, Calls: 1_000_000, Metric: MetricNs,
			Description: "1 caller, 1,000,000 calls: request/reply through a one-worker actor over echo"},
		{ID: "W1", Name: "direct", Callers: 1, Calls: 2_000_000, Metric: MetricNs,
			Description: "1 caller, 2,000,000 calls: readiness + call on the bare echo service, no stack"},
		{ID: "W2", Name: "stack-seq", Callers: 1, Calls: 1_000_000, Metric: MetricNs,
			Description: "1 caller, 1,000,000 calls: map_request(+1), concurrency_limit(64), timeout(1s), map_response(+1) over echo"},
		{ID: "W3", Name: "buffer-par", Callers: 64, Calls: 1_000_000, Metric: MetricRPS,
			Description: "64 callers, 1,000,000 calls total: one shared buffer(1024), concurrency_limit(64), timeout(1s) over echo"},
		{ID: "W4", Name: "buffer-io", Callers: 256, Calls: 256_000, Metric: MetricRPS,
			Description: "256 callers, 256,000 calls total: one shared buffer(1024), concurrency_limit(256) over a service that sleeps 1 ms, then echoes"},
		{ID: "W6", Name: "retry-flaky", Callers: 1, Calls: 1_000_000, Metric: MetricNs,
			Description: "1 caller, 1,000,000 calls: retry (up to 3 attempts on error) over an echo that fails every fifth call it gets"},
		{ID: "W7", Name: "shed-overload", Callers: 64, Calls: 128_000, Metric: MetricGoodput,
			Description: "open loop, 64 new callers every 1 ms for 2 s (128,000 attempts, one call each): " +
				"load_shed, concurrency_limit(32) over a service that sleeps 1 ms, then echoes"},
	}
}

// curveOf makes a plausible percentile curve through p50, p99 and max (µs).
func curveOf(p50, p99, maxUS float64, n int64) []LatencyPoint {
	var pts []LatencyPoint
	for i := 0; ; i++ {
		t := float64(i) / 20
		if math.Pow(10, t) > float64(n) || t > 6 {
			break
		}
		var us float64
		switch {
		case t <= 0.3:
			us = p50 * (0.6 + 0.4*t/0.3)
		case t <= 2:
			us = p50 * math.Pow(p99/p50, (t-0.3)/1.7)
		default:
			us = p99 * math.Pow(maxUS/p99, math.Min(1, (t-2)/(math.Log10(float64(n))-2)))
		}
		pts = append(pts, LatencyPoint{Percentile: 100 * (1 - math.Pow(10, -t)), US: us})
	}
	return append(pts, LatencyPoint{Percentile: 100 * (1 - 1/float64(n)), US: maxUS})
}

// seq and par make results from the figures a full run prints.
func seq(w, impl string, calls int64, ns, allocs float64) Result {
	secs := ns * float64(calls) / 1e9
	r := Result{Workload: w, Impl: impl, Calls: calls, OK: calls, Secs: secs, NsPerCall: ns, RPS: float64(calls) / secs}
	r.Set("allocs_per_call", allocs)
	return r
}

func par(w, impl string, calls int64, rps, p50, p99, maxUS, allocs float64) Result {
	secs := float64(calls) / rps
	r := Result{Workload: w, Impl: impl, Calls: calls, OK: calls, Secs: secs, NsPerCall: secs * 1e9 / float64(calls), RPS: rps,
		P50us: ptr(p50), P99us: ptr(p99), Latency: curveOf(p50, p99, maxUS, calls)}
	r.Set("allocs_per_call", allocs)
	r.Set("max_us", maxUS)
	return r
}

func ratio(r *Result, floor Result, m Metric) {
	r.Set("ratio_vs_raw", round(metricOf(m, r)/metricOf(m, &floor), 3))
	r.Set("ratio_of", string(m))
}

// sampleResults are the results of a full run on a 2-core machine, with every
// workload's own fields and notes as the workloads write them.
func sampleResults() []Result {
	var rs []Result
	add := func(m Metric, floor Result, rows ...Result) {
		for i := range rows {
			ratio(&rows[i], floor, m)
		}
		rs = append(rs, rows...)
		rs = append(rs, floor)
	}

	c1raw := seq("C1", ImplRaw, 2_000_000, 1.62, 0)
	c1raw.Note("bare call of the echo service through service.Service, no stage")
	c1 := seq("C1", ImplTower, 2_000_000, 12.4, 0)
	c1.Set("bare_ns_per_call", 1.7)
	c1.Set("ns_per_stage_over_bare", 2.14)
	c1.Note("5 map_request stages, fused by the library into one")
	c1u := seq("C1", "tower-unfused", 2_000_000, 31.9, 0)
	c1u.Set("bare_ns_per_call", 1.66)
	c1u.Set("ns_per_stage_over_bare", 6.048)
	c1u.Note("map_request and map_response alternating: 5 separate stages")
	add(MetricNs, c1raw, c1, c1u)

	c2raw := seq("C2", ImplRaw, 1_000_000, 262.7, 0)
	c2raw.Note("a goroutine reading one request channel (cap 1024), a reply channel owned by the caller")
	add(MetricNs, c2raw, seq("C2", ImplTower, 1_000_000, 291.3, 0))

	add(MetricNs, seq("W1", ImplRaw, 2_000_000, 1.61, 0), seq("W1", ImplTower, 2_000_000, 4.12, 0))

	w2raw := seq("W2", ImplRaw, 1_000_000, 371.5, 4)
	w2raw.Note("by hand: +1, a buffered channel of 64 as semaphore, context.WithTimeout(1s), +1")
	w2fs := seq("W2", "failsafe", 1_000_000, 934.2, 24)
	w2fs.Note("no map stages: the +1 maps are done by hand around failsafe.With(bulkhead(64, waits), timeout(1s))")
	w2gk := seq("W2", "gokit", 1_000_000, 452.8, 6.96)
	w2gk.Note("endpoint.Chain of middleware written here: go-kit has no concurrency limit (its ratelimit package limits rate, not calls in flight) " +
		"and no timeout middleware; limit = channel semaphore, timeout = context.WithTimeout; interface{} requests box the uint64")
	add(MetricNs, w2raw, seq("W2", ImplTower, 1_000_000, 86.4, 1), w2fs, w2gk)

	w3raw := par("W3", ImplRaw, 1_000_000, 1_289_818.4, 0.6, 8.2, 3977.2, 0)
	w3raw.Set("workers", 2)
	w3raw.Note("best of workers=1: 1246095 rps, workers=2: 1289818 rps")
	w3b := par("W3", "tower-buffer", 1_000_000, 1_103_512.9, 0.8, 9.7, 44171.3, 0)
	w3b.Note("buffer(1024) alone, no concurrency_limit or timeout")
	w3fs := par("W3", "failsafe", 1_000_000, 651_020.7, 2.1, 15.5, 41779.2, 24)
	w3fs.Note("lacks buffer(1024): no queue or actor boundary, each call runs bulkhead(64), timeout(1s) on its caller's goroutine")
	add(MetricRPS, w3raw, par("W3", ImplTower, 1_000_000, 980_241.2, 1.0, 11.6, 16105.5, 1), w3b, w3fs)

	w4 := func(impl string, rps, p50, p99, maxUS, allocs float64) Result {
		r := par("W4", impl, 256_000, rps, p50, p99, maxUS, allocs)
		r.Set("ideal_rps", w4IdealRPS)
		r.Set("ratio_vs_ideal", round(rps/w4IdealRPS, 3))
		r.Set("sleep_1ms_mean_us", 1132.4)
		r.Set("achievable_rps", 226069.0)
		r.Set("ratio_vs_achievable", round(rps/226069, 3))
		return r
	}
	w4raw := w4(ImplRaw, 203_114.2, 1183.5, 2912.3, 22036.5, 2)
	w4raw.Note("a goroutine per request under a 256-slot channel semaphore, reply channel per caller")
	w4fs := w4("failsafe", 198_770.1, 1169.9, 3453.6, 9830.4, 14.05)
	w4fs.Note("lacks buffer(1024): no queue or actor boundary, each call runs bulkhead(256) on its caller's goroutine")
	add(MetricRPS, w4raw, w4(ImplTower, 212_402.6, 1151.2, 1699.1, 4730.9, 0.29), w4fs)

	w6 := func(impl string, ns, allocs float64) Result {
		r := seq("W6", impl, 1_000_000, ns, allocs)
		r.Set("attempts", uint64(1_249_999))
		return r
	}
	w6gk := w6("gokit", 1512.6, 12.47)
	w6gk.Note("lb.Retry(3) over a round robin of one sd.FixedEndpointer endpoint: go-kit's retry is tied to a balancer, " +
		"runs each attempt on a new goroutine and needs a whole-call timeout (context.WithTimeout, 1 min, never reached)")
	add(MetricNs, w6(ImplRaw, 4.1, 0), w6(ImplTower, 18.3, 0), w6("failsafe", 489.2, 16.5), w6gk)

	w7 := func(impl string, ok int64, goodput, p50, p99, maxUS, allocs float64, late int, heap uint64) Result {
		const attempts = 128_000
		shed := attempts - ok
		r := Result{Workload: "W7", Impl: impl, Calls: attempts, OK: ok, Errors: shed, Secs: 2.0193,
			NsPerCall: 2.0193e9 / attempts, RPS: attempts / 2.0193, P50us: ptr(p50), P99us: ptr(p99),
			Latency: curveOf(p50, p99, maxUS, ok)}
		r.Set("allocs_per_call", allocs)
		r.Set("shed", shed)
		r.Set("failed", int64(0))
		r.Set("goodput_rps", goodput)
		r.Set("shed_share", round(float64(shed)/attempts, 4))
		r.Set("offered_rps", 63_790.2)
		r.Set("late_batches", late)
		r.Set("peak_heap_bytes", heap)
		r.Set("heap_base_bytes", uint64(731_208))
		r.Set("peak_goroutines", uint64(163))
		r.Set("max_us", maxUS)
		r.Set("ideal_goodput_rps", w7IdealGoodput)
		r.Set("ideal_shed_share", 0.5)
		r.Set("ratio_vs_ideal", round(goodput/w7IdealGoodput, 3))
		r.Set("sleep_1ms_mean_us", 1165.5)
		r.Set("achievable_rps", 27457.0)
		r.Set("ratio_vs_achievable", round(goodput/27457, 3))
		r.Series = []Series{
			{Title: "goodput (ok calls per second; ideal 32,000)", Unit: "calls/s", Labels: []string{"goodput"}, Values: []float64{goodput}},
			{Title: "share of attempts shed (ideal 0.5)", Labels: []string{"shed"}, Values: []float64{float64(shed) / attempts}},
			{Title: "peak heap in use during the run", Unit: "MiB", Labels: []string{"peak heap"}, Values: []float64{float64(heap) / (1 << 20)}},
		}
		return r
	}
	w7raw := w7(ImplRaw, 47_473, 23_510.4, 1207.3, 1602.6, 1603.6, 2.28, 6, 910_336)
	w7raw.Note("a goroutine per caller; a 32-slot channel semaphore taken with a non-blocking select, shed when full")
	w7fs := w7("failsafe", 33_255, 16_468.8, 1437.7, 4218.9, 4235.3, 16.26, 7, 1_852_256)
	w7fs.Note("no load-shed policy: a bulkhead(32) with zero max wait rejects with ErrFull when full")
	add(MetricGoodput, w7raw, w7(ImplTower, 41_664, 20_633.4, 1199.1, 2160.6, 2299.9, 3.03, 2, 916_288), w7fs)
	return rs
}

func sampleEnv() env {
	return env{GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", GOMAXPROCS: 2, NumCPU: 2, Scale: 1,
		Started: time.Date(2026, 12, 2, 14, 48, 22, 0, time.UTC)}
}

// renderSample renders the report of the sample results.
func renderSample(t *testing.T) (string, []Result) {
	t.Helper()
	rs := sampleResults()
	var b bytes.Buffer
	require.NoError(t, writeReport(&b, sampleEnv(), sampleWorkloads(), rs))
	if path := os.Getenv(sampleReportEnv); path != "" {
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		t.Logf("sample report written to %s", path)
	}
	return b.String(), rs
}

var (
	tdRe  = regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	expRe = regexp.MustCompile(`\d[eE][+-]\d`) // as %g and %e write them
)

func TestSampleReport(t *testing.T) {
	page, rs := renderSample(t)

	t.Run("self-contained: no script, nothing loaded from elsewhere", func(t *testing.T) {
		assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
		for _, s := range []string{"<script", "src=", "<link", "http://", "https://", "@import", "url("} {
			if s == "http://" {
				// the SVG namespace is a name, not a fetch
				assert.False(t, strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), s), s)
				continue
			}
			assert.False(t, strings.Contains(page, s), s)
		}
	})

	t.Run("one section per workload, pointing to the bench's README", func(t *testing.T) {
		for _, w := range sampleWorkloads() {
			assert.Contains(t, page, `<h2 id="`+w.ID+`">`+w.ID+" "+w.Name+"</h2>")
		}
		assert.Contains(t, page, "bench/README.md")
		assert.False(t, strings.Contains(page, "BENCH.md"))
	})

	t.Run("no number is written with an exponent", func(t *testing.T) {
		assert.Empty(t, expRe.FindAllString(page, -1))
	})

	t.Run("numbers are written for people", func(t *testing.T) {
		assert.Contains(t, page, ">23,510<", "goodput in calls/s, thousands separated")
		assert.Contains(t, page, "20,633 calls/s", "bar text")
		assert.Contains(t, page, ">0.645×<", "ratio to the ideal, three digits")
		assert.Contains(t, page, ">1.60<", "the raw floor's W7 p99 in ms")
		assert.Contains(t, page, "ideal goodput 32,000 calls/s", "a constant in the line under the table")
		assert.Contains(t, page, "Only in one row: raw: server goroutines 2.", "a field of one row in a line, not a column of dashes")
	})

	t.Run("notes and errors are footnotes, not table cells", func(t *testing.T) {
		var notes int
		for _, r := range rs {
			v, ok := r.Get("note")
			if !ok {
				continue
			}
			notes++
			note := escaped(t, v.(string))
			assert.Contains(t, page, note, "%s %s: the note is shown", r.Workload, r.Impl)
			for _, m := range tdRe.FindAllStringSubmatch(page, -1) {
				assert.NotContains(t, m[1], note, "%s %s: the note is not in a cell", r.Workload, r.Impl)
			}
		}
		require.Positive(t, notes)
		assert.Equal(t, notes, strings.Count(page, "<sup><a href=\"#"), "one footnote mark per note")
		assert.False(t, strings.Contains(page, `title="note"`), "no note column")
	})

	t.Run("no cell wraps: tables scroll in their own box", func(t *testing.T) {
		assert.Contains(t, page, "white-space: nowrap")
		assert.Contains(t, page, "overflow-x: auto")
		assert.Equal(t, strings.Count(page, "<table>"), strings.Count(page, `<div class="scroll"><table>`))
	})
}

// escaped returns s as html/template writes it in text.
func escaped(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, template.Must(template.New("").Parse("{{.}}")).Execute(&b, s))
	return b.String()
}

func TestSampleReportOneUnitPerColumn(t *testing.T) {
	rs := sampleResults()
	for _, w := range sampleWorkloads() {
		var mine []Result
		for _, r := range rs {
			if r.Workload == w.ID {
				mine = append(mine, r)
			}
		}
		tables, _, _, _ := resultTables(w, mine)
		require.NotEmpty(t, tables, w.ID)
		for _, tb := range tables {
			require.NotEmpty(t, tb.Rows)
			for c, col := range tb.Cols {
				if c == 0 {
					assert.Equal(t, "impl", col.Head)
					continue
				}
				for _, row := range tb.Rows {
					require.Len(t, row.Cells, len(tb.Cols)-1, "%s %s", w.ID, row.Impl)
					cell := row.Cells[c-1].Text
					if cell == "—" {
						continue
					}
					assert.Regexp(t, `^-?[0-9][0-9,]*(\.[0-9]+)?×?$`, cell, "%s %s %s: a bare number, its unit in the header", w.ID, col.Key, row.Impl)
					if col.Unit == "×" {
						assert.True(t, strings.HasSuffix(cell, "×"), "%s %s: a ratio column holds ratios only", w.ID, col.Key)
					} else {
						assert.NotContains(t, cell, "×", "%s %s: an absolute column holds no ratio", w.ID, col.Key)
					}
				}
				switch {
				case strings.HasSuffix(col.Key, "_us"), strings.Contains(col.Key, "ns_per"), col.Key == "secs":
					assert.Contains(t, []string{"ns", "µs", "ms", "s"}, col.Unit, "%s %s: a duration names its unit", w.ID, col.Key)
				case strings.HasSuffix(col.Key, "rps"):
					assert.Contains(t, col.Unit, "/s", "%s %s", w.ID, col.Key)
				case strings.HasPrefix(col.Key, "ratio_"):
					assert.Equal(t, "×", col.Unit, "%s %s", w.ID, col.Key)
				case strings.HasSuffix(col.Key, "_bytes"):
					assert.Contains(t, []string{"B", "KiB", "MiB", "GiB"}, col.Unit, "%s %s", w.ID, col.Key)
				}
			}
		}
	}
}

func TestSampleReportKeepsTheJSONLines(t *testing.T) {
	page, rs := renderSample(t)
	for _, r := range rs {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		assert.Contains(t, page, escaped(t, string(b)), "the JSON line as on stdout")
	}
}

func TestColumnUnits(t *testing.T) {
	t.Run("a latency column picks the unit of its smallest value", func(t *testing.T) {
		cf := formatColumn(colSpec{Kind: kindUs}, []any{1151.2, 1183.5, nil, 2912.3})
		assert.Equal(t, "ms", cf.unit)
		assert.Equal(t, "1.15", cf.format(1151.2))
		assert.Equal(t, "2.91", cf.format(2912.3))
		cf = formatColumn(colSpec{Kind: kindUs}, []any{0.6, 11.6})
		assert.Equal(t, "ns", cf.unit, "0.6 µs is 600 ns")
		assert.Equal(t, "11,600", cf.format(11.6))
	})
	t.Run("seconds and bytes", func(t *testing.T) {
		cf := formatColumn(colSpec{Kind: kindSecs}, []any{0.000428, 0.0012})
		assert.Equal(t, "µs", cf.unit)
		assert.Equal(t, "428", cf.format(0.000428))
		cf = formatColumn(colSpec{Kind: kindBytes}, []any{uint64(910_336), uint64(1_852_256)})
		assert.Equal(t, "KiB", cf.unit)
		assert.Equal(t, "1,809", cf.format(uint64(1_852_256)))
	})
	t.Run("rates, shares and ratios", func(t *testing.T) {
		assert.Equal(t, "1,289,818", formatColumn(colSpec{Kind: kindRate}, nil).format(1_289_818.4))
		assert.Equal(t, "66.8", formatColumn(colSpec{Kind: kindShare}, nil).format(0.6684))
		r := formatColumn(colSpec{Kind: kindRatio}, nil)
		assert.Equal(t, "0.734×", r.format(0.734))
		assert.Equal(t, "2.60×", r.format(2.6))
		assert.Equal(t, "719×", r.format(719.26))
	})
}

func TestHuman(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 23510.4: "23,510", 1.28e6: "1,280,000", 127.9: "128", 12.84: "12.8", 1.284: "1.28",
		0.734: "0.734", 0.00128: "0.00128", -1234.6: "-1,235", 1e21: "1,000,000,000,000,000,000,000",
	} {
		assert.Equal(t, want, human(v), "%v", v)
	}
	assert.Equal(t, "n/a", human(math.NaN()))
	assert.Equal(t, "0.0", withDecimals(-0.01, 1), "no negative zero")
}

func TestTableWritesNoExponents(t *testing.T) {
	r := Result{Workload: "W9", Impl: "tower", Calls: 1, OK: 1}
	r.Set("achievable_rps", 1.28e6)
	r.Set("tiny", 1e-5)
	var b bytes.Buffer
	writeTable(&b, []Result{r})
	assert.Contains(t, b.String(), "achievable_rps=1280000")
	assert.Contains(t, b.String(), "tiny=0.00001")
	assert.Empty(t, expRe.FindAllString(b.String(), -1))
}

func TestReportDrawsSeriesAndTables(t *testing.T) {
	w := &Workload{ID: "W5", Name: "balance-slow", Description: "desc <8 endpoints>", Metric: MetricRPS}
	r := Result{Workload: "W5", Impl: "tower", Calls: 10, OK: 10, RPS: 5, P50us: ptr(1), P99us: ptr(2),
		Latency: []LatencyPoint{{0, 1}, {90, 2}},
		Series:  []Series{{Title: "share of calls per endpoint", Unit: "%", Labels: []string{"ep0", "ep1"}, Values: []float64{10, 90}}}}
	r.Set("slow_share", 0.1)
	other := Result{Workload: "W9", Impl: "raw"} // not in ws: left out
	var b bytes.Buffer
	require.NoError(t, writeReport(&b, newEnv(1), []*Workload{w}, []Result{r, other}))
	page := b.String()
	assert.Contains(t, page, "W5 balance-slow: share of calls per endpoint")
	assert.Contains(t, page, "tower ep1")
	assert.Contains(t, page, `<th title="slow_share">slow share<span class="unit">%</span></th>`, "extra fields get a column, with a unit")
	assert.Contains(t, page, "desc &lt;8 endpoints&gt;", "text is escaped")
	assert.Equal(t, 1, strings.Count(page, `<h2 id="W`), "one section per workload with results")
}

func TestReportShowsErrorsAsFootnotes(t *testing.T) {
	w := &Workload{ID: "W3", Name: "buffer-par", Metric: MetricRPS}
	bad := Result{Workload: "W3", Impl: "tower", Calls: 10, Errors: 10}
	bad.Set("error", "stopping the pipeline: <context deadline exceeded>")
	var b bytes.Buffer
	require.NoError(t, writeReport(&b, newEnv(1), []*Workload{w}, []Result{bad, {Workload: "W3", Impl: ImplRaw, Calls: 10, OK: 10, RPS: 1}}))
	page := b.String()
	assert.Contains(t, page, `<li id="W3-n1" class="error"><b>tower</b> error: stopping the pipeline: &lt;context deadline exceeded&gt;</li>`)
	assert.Contains(t, page, `<td class="impl">tower<sup><a href="#W3-n1">1</a></sup></td>`)
	for _, m := range tdRe.FindAllStringSubmatch(page, -1) {
		assert.NotContains(t, m[1], "deadline")
	}
	assert.NotContains(t, page, "Same in every row", "one workload of two rows with nothing in common beyond the fixed fields")
}
