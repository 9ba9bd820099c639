package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// benchKeys are the fixed fields of every JSON line (bench/README.md), in their order.
var benchKeys = []string{"workload", "impl", "calls", "ok", "errors", "secs", "ns_per_call", "rps", "p50_us", "p99_us"}

// lineKeys returns the keys of one JSON object in the order they appear.
func lineKeys(t *testing.T, line []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
	}
	return keys
}

// parseLines decodes every stdout line into a map, checking each one's key order.
func parseLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Bytes()
		keys := lineKeys(t, line)
		require.GreaterOrEqual(t, len(keys), len(benchKeys), "line %s", line)
		assert.Equal(t, benchKeys, keys[:len(benchKeys)], "fixed fields first, in the documented order")
		var m map[string]any
		require.NoError(t, json.Unmarshal(line, &m))
		rows = append(rows, m)
	}
	return rows
}

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestResultJSON(t *testing.T) {
	t.Run("fixed fields come in the documented order, then extras in the order set", func(t *testing.T) {
		r := Result{Workload: "W3", Impl: "tower", Calls: 10, OK: 9, Errors: 1, Secs: 0.5,
			NsPerCall: 50, RPS: 20, P50us: ptr(1.25), P99us: ptr(9.5)}
		r.Set("allocs_per_call", 0.5)
		r.Set("note", "x")
		r.Set("allocs_per_call", 1.5) // replaces, keeps its place
		b, err := json.Marshal(r)
		require.NoError(t, err)
		assert.Equal(t, append(append([]string{}, benchKeys...), "allocs_per_call", "note"), lineKeys(t, b))
		assert.JSONEq(t, `{"workload":"W3","impl":"tower","calls":10,"ok":9,"errors":1,"secs":0.5,
			"ns_per_call":50,"rps":20,"p50_us":1.25,"p99_us":9.5,"allocs_per_call":1.5,"note":"x"}`, string(b))
	})
	t.Run("unmeasured percentiles are null", func(t *testing.T) {
		b, err := json.Marshal(Result{Workload: "W1", Impl: "raw"})
		require.NoError(t, err)
		assert.Contains(t, string(b), `"p50_us":null,"p99_us":null`)
	})
	t.Run("NaN and infinities become null rather than failing", func(t *testing.T) {
		r := Result{Secs: math.NaN()}
		r.Set("ratio_vs_raw", math.Inf(1))
		b, err := json.Marshal(r)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"secs":null`)
		assert.Contains(t, string(b), `"ratio_vs_raw":null`)
	})
	t.Run("an extra field may not shadow a fixed one", func(t *testing.T) {
		r := Result{}
		r.Set("rps", 1.0)
		_, err := json.Marshal(r)
		require.Error(t, err)
	})
	t.Run("notes are joined", func(t *testing.T) {
		var r Result
		r.Note("a")
		r.Note("b")
		v, _ := r.Get("note")
		assert.Equal(t, "a; b", v)
	})
}

func TestParseFlags(t *testing.T) {
	all, err := workloads()
	require.NoError(t, err)
	t.Run("defaults select everything at scale 1", func(t *testing.T) {
		o, err := parseFlags(nil, io.Discard, all)
		require.NoError(t, err)
		assert.Equal(t, options{workloads: "all", impls: "all", scale: 1}, o)
	})
	t.Run("double-dash flags are parsed", func(t *testing.T) {
		o, err := parseFlags([]string{"--workload", "w1,W3", "--scale=0.5", "--report", "r.html", "--list", "--impl", "raw"}, io.Discard, all)
		require.NoError(t, err)
		assert.Equal(t, options{workloads: "w1,W3", impls: "raw", scale: 0.5, report: "r.html", list: true}, o)
	})
	for _, bad := range []string{"0", "-1", "NaN", "+Inf", "x"} {
		t.Run("scale "+bad+" is refused", func(t *testing.T) {
			_, err := parseFlags([]string{"--scale", bad}, io.Discard, all)
			require.Error(t, err)
		})
	}
	t.Run("positional arguments are refused", func(t *testing.T) {
		_, err := parseFlags([]string{"W1"}, io.Discard, all)
		require.ErrorContains(t, err, `unexpected argument "W1"`)
	})
	t.Run("help prints the usage with flags and workloads", func(t *testing.T) {
		var b bytes.Buffer
		_, err := parseFlags([]string{"--help"}, &b, all)
		require.True(t, errors.Is(err, flag.ErrHelp))
		for _, s := range []string{"--workload", "--scale", "--report", "--list", "--impl", "W1", "W3", "ratio_vs_raw"} {
			assert.Contains(t, b.String(), s)
		}
	})
}

func TestRunExitCodes(t *testing.T) {
	t.Run("help exits 0", func(t *testing.T) {
		code, out, errs := runCmd(t, "-h")
		assert.Equal(t, 0, code)
		assert.Empty(t, out)
		assert.Contains(t, errs, "Usage:")
	})
	t.Run("an unknown workload exits 2 and names the known ones", func(t *testing.T) {
		code, out, errs := runCmd(t, "--workload", "W99")
		assert.Equal(t, 2, code)
		assert.Empty(t, out)
		assert.Contains(t, errs, `unknown workload "W99"`)
		assert.Contains(t, errs, "W1,")
	})
	t.Run("an unknown implementation exits 2", func(t *testing.T) {
		code, _, errs := runCmd(t, "--impl", "nosuch")
		assert.Equal(t, 2, code)
		assert.Contains(t, errs, `unknown implementation "nosuch"`)
	})
	t.Run("list prints every workload and runs nothing", func(t *testing.T) {
		code, out, _ := runCmd(t, "--list")
		assert.Equal(t, 0, code)
		all, err := workloads()
		require.NoError(t, err)
		for _, w := range all {
			assert.Contains(t, out, w.ID+" ")
			for _, im := range w.Impls {
				assert.Contains(t, out, im.Name)
			}
		}
		assert.NotContains(t, out, `"workload"`)
	})
}

func TestTinyRunOfEveryWorkload(t *testing.T) {
	all, err := workloads()
	require.NoError(t, err)
	for _, w := range all {
		t.Run(w.ID+" answers every call correctly on every implementation", func(t *testing.T) {
			code, out, errs := runCmd(t, "--workload", w.ID, "--scale", "0.001")
			require.Equal(t, 0, code, errs)
			rows := parseLines(t, out)
			require.Len(t, rows, len(w.Impls))
			want := float64(scaled(w.Calls, 0.001))
			for i, row := range rows {
				assert.Equal(t, w.ID, row["workload"])
				assert.Equal(t, w.Impls[i].Name, row["impl"])
				assert.Equal(t, want, row["calls"], "calls scaled")
				if shed, open := row["shed"]; open {
					// An open loop under overload: every attempt either succeeds or
					// is shed; nothing fails otherwise.
					assert.Equal(t, row["calls"], row["ok"].(float64)+shed.(float64), "ok + shed == attempts for %s", row["impl"])
					assert.Equal(t, shed, row["errors"], "the only errors are sheds")
					assert.Equal(t, 0.0, row["failed"])
					assert.Greater(t, row["ok"], 0.0)
				} else {
					assert.Equal(t, row["calls"], row["ok"], "ok == calls for %s", row["impl"])
					assert.Equal(t, 0.0, row["errors"])
				}
				assert.Greater(t, row["secs"], 0.0)
				assert.Greater(t, row["rps"], 0.0)
				assert.Greater(t, row["ns_per_call"], 0.0)
				assert.Contains(t, row, "allocs_per_call")
				if w.Metric != MetricNs {
					assert.NotNil(t, row["p50_us"], "parallel workloads time every call")
					assert.LessOrEqual(t, row["p50_us"], row["p99_us"])
				} else {
					assert.Nil(t, row["p50_us"], "sequential workloads read no clock per call")
				}
				if row["impl"] == ImplRaw {
					assert.NotContains(t, row, "ratio_vs_raw")
				} else {
					assert.Contains(t, row, "ratio_vs_raw")
					assert.Equal(t, string(w.Metric), row["ratio_of"])
				}
			}
			// The table names every row.
			for _, im := range w.Impls {
				assert.Contains(t, errs, im.Name)
			}
		})
	}
}

var (
	rowsMu    sync.Mutex
	rowsCache = map[string]map[string]map[string]any{}
)

// rowsByImpl runs one workload at scale and returns its rows by implementation. A
// run is made once per workload and scale and shared by the tests that read it.
func rowsByImpl(t *testing.T, id, scale string) map[string]map[string]any {
	t.Helper()
	rowsMu.Lock()
	defer rowsMu.Unlock()
	if by, ok := rowsCache[id+"@"+scale]; ok {
		return by
	}
	code, out, errs := runCmd(t, "--workload", id, "--scale", scale)
	require.Equal(t, 0, code, errs)
	by := map[string]map[string]any{}
	for _, row := range parseLines(t, out) {
		by[row["impl"].(string)] = row
	}
	rowsCache[id+"@"+scale] = by
	return by
}

func TestW3RowsSayWhatTheyMeasure(t *testing.T) {
	rows := rowsByImpl(t, "W3", "0.001")
	require.Len(t, rows, 4)
	assert.NotContains(t, rows[ImplTower], "note", "tower runs the whole stack")
	assert.Contains(t, rows["tower-buffer"]["note"], "buffer(1024) alone")
	assert.Contains(t, rows["failsafe"]["note"], "lacks buffer")
	assert.Contains(t, rows[ImplRaw], "workers", "the raw floor reports its server goroutines")
	assert.GreaterOrEqual(t, rows[ImplRaw]["workers"], 1.0)
}

func TestPeersSayWhatTheyLack(t *testing.T) {
	for _, c := range []struct{ id, impl, says string }{
		{"W2", "gokit", "no concurrency limit"},
		{"W2", "failsafe", "by hand"},
		{"W2", ImplRaw, "context.WithTimeout"},
		{"W4", "failsafe", "lacks buffer"},
		{"W6", "gokit", "lb.Retry"},
		{"W7", "failsafe", "zero max wait"},
	} {
		t.Run(c.id+" "+c.impl, func(t *testing.T) {
			rows := rowsByImpl(t, c.id, "0.001")
			require.Contains(t, rows, c.impl)
			assert.Contains(t, rows[c.impl]["note"], c.says)
		})
	}
}

func TestW4ReportsTheIdeal(t *testing.T) {
	for impl, row := range rowsByImpl(t, "W4", "0.001") {
		assert.Equal(t, 256000.0, row["ideal_rps"], impl)
		assert.InDelta(t, row["rps"].(float64)/256000, row["ratio_vs_ideal"], 0.001, impl)
	}
}

func TestW6EveryImplementationMakesTheSameAttempts(t *testing.T) {
	rows := rowsByImpl(t, "W6", "0.001")
	require.Len(t, rows, 4)
	// 1,000 calls over an echo that fails its 5th, 10th, ... call: each failure
	// costs one more attempt, and the 1,249th attempt is the 1,000th success.
	for impl, row := range rows {
		assert.Equal(t, 1000.0, row["ok"], impl)
		assert.Equal(t, 1249.0, row["attempts"], "%s retries failures only, once each", impl)
	}
}

func TestW7ShedsTheExcess(t *testing.T) {
	// 1,280 attempts, 64 per millisecond, against 32 calls of 1 ms in flight: about
	// half must be shed.
	rows := rowsByImpl(t, "W7", "0.01")
	require.Len(t, rows, 5) // tower, tower-queue, tower-priority, failsafe, raw
	assert.Contains(t, rows["tower-priority"], "shed_share_high")
	assert.Contains(t, rows["tower-priority"], "shed_share_low")
	for impl, row := range rows {
		assert.Equal(t, 1280.0, row["calls"], impl)
		assert.Equal(t, row["calls"], row["ok"].(float64)+row["shed"].(float64), impl)
		assert.Greater(t, row["shed"], 0.0, "%s sheds under overload", impl)
		assert.Greater(t, row["ok"], 0.0, impl)
		assert.Equal(t, 32000.0, row["ideal_goodput_rps"], impl)
		assert.Equal(t, 0.5, row["ideal_shed_share"], impl)
		assert.Greater(t, row["peak_heap_bytes"], 0.0, impl)
		assert.Greater(t, row["heap_base_bytes"], 0.0, impl)
		if impl != ImplRaw {
			assert.Equal(t, "goodput_rps", row["ratio_of"], impl)
		}
	}
}

func TestReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	code, out, errs := runCmd(t, "--scale", "0.001", "--report", path)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "report written to "+path)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	page := string(b)
	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
	assert.Contains(t, page, "<svg")
	assert.Contains(t, page, "<polyline", "a latency curve is drawn")
	assert.Contains(t, page, "<rect", "throughput bars are drawn")
	assert.NotContains(t, page, "<script", "no JavaScript")
	assert.NotContains(t, page, "src=", "nothing loaded from elsewhere")
	assert.NotContains(t, page, "<link", "nothing loaded from elsewhere")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		assert.Contains(t, page, m["workload"].(string))
	}
}

func TestReportFileError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "r.html")
	code, _, errs := runCmd(t, "--workload", "W1", "--scale", "0.0001", "--report", path)
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "bench: report:")
}
