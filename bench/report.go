package main

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"strings"
)

// The HTML report: one page, inline CSS and SVG, no script and no network.
//
// It is laid out for a browser window of about 1,400 px: every table scrolls inside
// its own box if it is wider than the page; notes and errors are footnotes under
// the table, not a column; every numeric column has one unit, named in its header,
// ratios (×) apart from absolute figures; numbers are written for people (23,510,
// 1.28, 0.734), never with an exponent. The JSON lines it ends with are those of
// stdout, unchanged.

type reportData struct {
	Env       env
	Args      string
	Workloads []reportWorkload
	JSONLines string
	JSONCount int
}

type reportWorkload struct {
	ID, Name, Description string
	Tables                []htmlTable
	Legend                []string // one line each, under the tables
	Same                  []string // fields equal in every row, "name value unit"
	Only                  []string // fields of one row only, "impl: name value unit"
	Notes                 []footnote
	Charts                []template.HTML
}

// htmlTable is one table of the report: a row of column groups, a row of column
// names with their units, then one row per implementation.
type htmlTable struct {
	Caption string
	Groups  []htmlGroup
	Cols    []htmlCol
	Rows    []htmlRow
}

type htmlGroup struct {
	Name string
	Span int
}

type htmlCol struct {
	Head  string
	Unit  string // the one unit of every cell below, "" for counts
	Key   string // the JSON field, shown as the header's tooltip
	Class string
}

type htmlRow struct {
	Impl  string
	Marks []mark // footnotes of this row
	Cells []htmlCell
}

type htmlCell struct {
	Text  string
	Class string
}

type mark struct {
	N    int
	Href string
}

type footnote struct {
	ID    string // anchor
	N     int
	Impl  string
	Kind  string // "note" or "error"
	Text  string
	Error bool
}

// writeReportFile writes the report to path.
func writeReportFile(path string, e env, ws []*Workload, rs []Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeReport(f, e, ws, rs); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeReport writes the report for the workloads ws, with the results rs.
func writeReport(w io.Writer, e env, ws []*Workload, rs []Result) error {
	pal := newPalette()
	d := reportData{Env: e, Args: strings.Join(append([]string{"bench"}, os.Args[1:]...), " ")}
	var lines []string
	for _, r := range rs {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		lines = append(lines, string(b))
	}
	d.JSONLines = strings.Join(lines, "\n")
	d.JSONCount = len(lines)
	for _, wl := range ws {
		var mine []Result
		for _, r := range rs {
			if r.Workload == wl.ID {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			continue
		}
		d.Workloads = append(d.Workloads, workloadSection(wl, mine, pal))
	}
	return reportTmpl.Execute(w, d)
}

func workloadSection(wl *Workload, rs []Result, pal *palette) reportWorkload {
	sec := reportWorkload{ID: wl.ID, Name: wl.Name, Description: wl.Description}
	sec.Tables, sec.Same, sec.Only, sec.Notes = resultTables(wl, rs)
	sec.Legend = legend(wl, rs)

	rateUnit := "calls/s"
	if wl.Metric == MetricGoodput {
		rateUnit = "attempts/s"
	}
	var tput, cost []bar
	var curves []curve
	for _, r := range rs {
		c := pal.colour(r.Impl)
		tput = append(tput, bar{Label: r.Impl, Value: r.RPS, Text: human(r.RPS) + " " + rateUnit, Colour: c})
		cost = append(cost, bar{Label: r.Impl, Value: r.NsPerCall, Text: human(r.NsPerCall) + " ns/call", Colour: c})
		if len(r.Latency) > 0 {
			curves = append(curves, curve{Label: r.Impl, Colour: c, Points: r.Latency})
		}
	}
	title := fmt.Sprintf("%s %s: throughput (%s, higher is better)", wl.ID, wl.Name, rateUnit)
	if wl.Metric == MetricGoodput {
		title = fmt.Sprintf("%s %s: offered load (%s)", wl.ID, wl.Name, rateUnit)
	}
	sec.Charts = append(sec.Charts, template.HTML(barChart(title, tput)))
	if wl.Metric == MetricNs {
		title = fmt.Sprintf("%s %s: cost per call (ns, lower is better)", wl.ID, wl.Name)
		sec.Charts = append(sec.Charts, template.HTML(barChart(title, cost)))
	}
	if len(curves) > 0 {
		title = fmt.Sprintf("%s %s: latency distribution (every call)", wl.ID, wl.Name)
		sec.Charts = append(sec.Charts, template.HTML(percentileChart(title, curves)))
	}
	// Series: one chart per title, a bar per (implementation, label).
	var titles []string
	byTitle := map[string][]bar{}
	for _, r := range rs {
		for _, se := range r.Series {
			if _, ok := byTitle[se.Title]; !ok {
				titles = append(titles, se.Title)
			}
			for i, l := range se.Labels {
				if i >= len(se.Values) {
					break
				}
				byTitle[se.Title] = append(byTitle[se.Title], bar{
					Label: r.Impl + " " + l, Value: se.Values[i],
					Text: strings.TrimSpace(human(se.Values[i]) + " " + se.Unit), Colour: pal.colour(r.Impl),
				})
			}
		}
	}
	for _, t := range titles {
		sec.Charts = append(sec.Charts, template.HTML(barChart(wl.ID+" "+wl.Name+": "+t, byTitle[t])))
	}
	return sec
}

// legend explains the columns of a workload's tables, in a line or two.
func legend(wl *Workload, rs []Result) []string {
	var out []string
	switch wl.Metric {
	case MetricNs:
		out = append(out, "vs raw: this row's cost per call over the raw floor's (lower is better). "+
			"Sequential: one caller, an untimed loop with no clock read per call, so no percentiles.")
	case MetricGoodput:
		out = append(out, "vs raw: this row's goodput (calls that succeeded, per second) over the raw floor's (higher is better). "+
			"Open loop: attempts arrive on a schedule; errors are the attempts shed or failed; latency is of the calls that succeeded.")
	default:
		out = append(out, "vs raw: this row's throughput over the raw floor's (higher is better). "+
			"Latency is of every call, from the caller's side.")
	}
	has := func(key string) bool {
		for i := range rs {
			if _, ok := rs[i].Get(key); ok {
				return true
			}
		}
		return false
	}
	var more []string
	if has("ratio_vs_ideal") {
		more = append(more, "vs ideal: the headline over the ideal below")
	}
	if has("ratio_vs_achievable") {
		more = append(more, "vs achievable: over what this machine's measured time.Sleep(1ms) allows")
	}
	more = append(more, "bold: the headline figure")
	out = append(out, strings.Join(more, "; ")+".")
	return out
}

// Column kinds: how a column's values are read and shown.
type colKind int

const (
	kindCount  colKind = iota // integers, thousands separated, no unit
	kindRatio                 // a ratio, shown as 0.734×; three significant digits a cell
	kindNs                    // a duration in ns; the column picks ns, µs, ms or s
	kindUs                    // a duration in µs; likewise
	kindSecs                  // a duration in s; likewise
	kindRate                  // per second, whole numbers
	kindBytes                 // bytes; the column picks B, KiB, MiB or GiB
	kindShare                 // a fraction, shown in %
	kindNumber                // any other number, decimals fixed by the column
	kindText                  // a string
)

// colSpec is a column of a result table before its unit is picked.
type colSpec struct {
	Key   string
	Head  string
	Group string
	Kind  colKind
	Unit  string // for kindRate, kindNumber: the unit to show
	Class string
}

// knownFields names the extra fields the workloads set, with their kind; others are
// named after their key and typed by its suffix (see specFor).
var knownFields = map[string]colSpec{
	"allocs_per_call":        {Head: "allocs", Kind: kindNumber, Unit: "per call"},
	"max_us":                 {Head: "max", Kind: kindUs},
	"workers":                {Head: "server goroutines", Kind: kindCount},
	"attempts":               {Head: "attempts", Kind: kindCount},
	"ideal_rps":              {Head: "ideal", Kind: kindRate, Unit: "calls/s"},
	"ideal_goodput_rps":      {Head: "ideal goodput", Kind: kindRate, Unit: "calls/s"},
	"ideal_shed_share":       {Head: "ideal shed share", Kind: kindShare},
	"sleep_1ms_mean_us":      {Head: "time.Sleep(1ms) mean", Kind: kindUs},
	"achievable_rps":         {Head: "achievable", Kind: kindRate, Unit: "calls/s"},
	"shed":                   {Head: "shed", Kind: kindCount},
	"failed":                 {Head: "failed", Kind: kindCount},
	"goodput_rps":            {Head: "goodput", Kind: kindRate, Unit: "calls/s"},
	"shed_share":             {Head: "shed share", Kind: kindShare},
	"offered_rps":            {Head: "offered", Kind: kindRate, Unit: "attempts/s"},
	"late_batches":           {Head: "late batches", Kind: kindCount},
	"peak_heap_bytes":        {Head: "peak heap", Kind: kindBytes},
	"heap_base_bytes":        {Head: "heap at start", Kind: kindBytes},
	"peak_goroutines":        {Head: "peak goroutines", Kind: kindCount},
	"bare_ns_per_call":       {Head: "bare call", Kind: kindNs},
	"ns_per_stage_over_bare": {Head: "per stage over bare", Kind: kindNs},
}

// notInTables are the extra fields shown elsewhere: in a footnote, or in the header
// of the ratio column.
var notInTables = map[string]bool{"note": true, "error": true, "ratio_of": true}

// specFor returns the column of an extra field.
func specFor(key string, rs []Result) colSpec {
	if s, ok := knownFields[key]; ok {
		s.Key = key
		return s
	}
	s := colSpec{Key: key, Head: strings.ReplaceAll(key, "_", " "), Kind: kindNumber}
	trim := func(suffix string) { s.Head = strings.ReplaceAll(strings.TrimSuffix(key, suffix), "_", " ") }
	switch {
	case strings.HasPrefix(key, "ratio_"):
		s.Kind, s.Head = kindRatio, strings.ReplaceAll(strings.TrimPrefix(key, "ratio_"), "_", " ")
	case strings.HasSuffix(key, "_us"):
		s.Kind = kindUs
		trim("_us")
	case strings.HasSuffix(key, "_ns"):
		s.Kind = kindNs
		trim("_ns")
	case strings.HasSuffix(key, "_rps"):
		s.Kind, s.Unit = kindRate, "calls/s"
		trim("_rps")
	case strings.HasSuffix(key, "_bytes"):
		s.Kind = kindBytes
		trim("_bytes")
	case strings.HasSuffix(key, "_share"):
		s.Kind = kindShare
	default:
		text, integer := false, true
		for i := range rs {
			if v, ok := rs[i].Get(key); ok {
				if _, isNum := number(v); !isNum {
					text = true
				}
				if _, isInt := intValue(v); !isInt {
					integer = false
				}
			}
		}
		switch {
		case text:
			s.Kind = kindText
		case integer:
			s.Kind = kindCount
		}
	}
	return s
}

// resultTables returns the tables of a workload: the figures every workload has,
// with the ratios first; then the workload's own fields, if any vary between rows.
// Fields equal in every row are listed in same instead, and notes and errors are
// footnotes.
func resultTables(wl *Workload, rs []Result) (tables []htmlTable, same, only []string, notes []footnote) {
	calls, rate := "calls", "calls/s"
	if wl.Metric == MetricGoodput {
		calls, rate = "attempts", "attempts/s"
	}
	main := []colSpec{
		{Key: "ratio_vs_raw", Head: "vs raw", Group: "ratios", Kind: kindRatio},
		{Key: "ratio_vs_ideal", Head: "vs ideal", Group: "ratios", Kind: kindRatio},
		{Key: "ratio_vs_achievable", Head: "vs achievable", Group: "ratios", Kind: kindRatio},
		{Key: "calls", Head: calls, Group: "counts", Kind: kindCount},
		{Key: "ok", Head: "ok", Group: "counts", Kind: kindCount},
		{Key: "errors", Head: "errors", Group: "counts", Kind: kindCount},
		{Key: "secs", Head: "wall time", Group: "time and rate", Kind: kindSecs},
		{Key: "ns_per_call", Head: "per call", Group: "time and rate", Kind: kindNs},
		{Key: "rps", Head: "throughput", Group: "time and rate", Kind: kindRate, Unit: rate},
	}
	inMain := map[string]bool{}
	for _, c := range main {
		inMain[c.Key] = true
	}
	if wl.Metric != MetricNs && wl.Metric != MetricRPS {
		// The headline is an extra field (W7: goodput): beside the throughput.
		s := specFor(string(wl.Metric), rs)
		s.Group = "time and rate"
		main = append(main, s)
		inMain[s.Key] = true
	}
	for _, c := range []colSpec{
		{Key: "p50_us", Head: "p50", Group: "latency", Kind: kindUs},
		{Key: "p99_us", Head: "p99", Group: "latency", Kind: kindUs},
		{Key: "max_us", Head: "max", Group: "latency", Kind: kindUs},
		{Key: "allocs_per_call", Head: "allocs", Group: "memory", Kind: kindNumber, Unit: "per call"},
	} {
		main = append(main, c)
		inMain[c.Key] = true
	}
	for i := range main {
		if main[i].Key == string(wl.Metric) {
			main[i].Class = "headline"
		}
	}

	// Every other extra field, in the order first seen.
	var own []colSpec
	seen := map[string]bool{}
	for _, r := range rs {
		for _, f := range r.Extra {
			if seen[f.Key] || inMain[f.Key] || notInTables[f.Key] {
				continue
			}
			seen[f.Key] = true
			s := specFor(f.Key, rs)
			if len(rs) > 1 && sameInEvery(rs, f.Key) {
				v, _ := rs[0].Get(f.Key)
				same = append(same, s.Head+" "+formatOne(s, v))
				continue
			}
			if i, ok := onlyIn(rs, f.Key); ok && len(rs) > 1 {
				v, _ := rs[i].Get(f.Key)
				only = append(only, rs[i].Impl+": "+s.Head+" "+formatOne(s, v))
				continue
			}
			own = append(own, s)
		}
	}

	// Footnotes: notes and errors, numbered in row order.
	marks := make([][]mark, len(rs))
	for i := range rs {
		for _, key := range []string{"error", "note"} {
			v, ok := rs[i].Get(key)
			if !ok {
				continue
			}
			n := len(notes) + 1
			id := fmt.Sprintf("%s-n%d", wl.ID, n)
			notes = append(notes, footnote{ID: id, N: n, Impl: rs[i].Impl, Kind: key, Text: fmt.Sprint(v), Error: key == "error"})
			marks[i] = append(marks[i], mark{N: n, Href: "#" + id})
		}
	}

	tables = append(tables, buildTable("", main, rs, marks))
	if len(own) > 0 {
		tables = append(tables, buildTable(wl.ID+" "+wl.Name+": the workload's own fields", own, rs, nil))
	}
	return tables, same, only, notes
}

// onlyIn returns the one row that has key, if only one has.
func onlyIn(rs []Result, key string) (int, bool) {
	at := -1
	for i := range rs {
		if _, ok := rs[i].Get(key); ok {
			if at >= 0 {
				return 0, false
			}
			at = i
		}
	}
	return at, at >= 0
}

// sameInEvery reports whether every row has key, with one value.
func sameInEvery(rs []Result, key string) bool {
	first, ok := rs[0].Get(key)
	if !ok {
		return false
	}
	for i := range rs[1:] {
		v, ok := rs[i+1].Get(key)
		if !ok || fmt.Sprint(v) != fmt.Sprint(first) {
			return false
		}
	}
	return true
}

// cellValue returns the value of a column's field in r.
func cellValue(r *Result, key string) (any, bool) {
	switch key {
	case "calls":
		return r.Calls, true
	case "ok":
		return r.OK, true
	case "errors":
		return r.Errors, true
	case "secs":
		return r.Secs, true
	case "ns_per_call":
		return r.NsPerCall, true
	case "rps":
		return r.RPS, true
	case "p50_us":
		if r.P50us == nil {
			return nil, false
		}
		return *r.P50us, true
	case "p99_us":
		if r.P99us == nil {
			return nil, false
		}
		return *r.P99us, true
	}
	return r.Get(key)
}

// number returns v as a float64 if it is a number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint:
		return float64(n), true
	}
	return 0, false
}

// intValue returns v as an int64 if it is an integer type.
func intValue(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case uint64:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint:
		return int64(n), true
	}
	return 0, false
}

// scaleUnit is a unit a column can pick: values in the field's base unit are divided
// by div.
type scaleUnit struct {
	name string
	div  float64
}

var (
	durationUnits = []scaleUnit{{"ns", 1}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}}
	byteUnits     = []scaleUnit{{"B", 1}, {"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}}
)

// toBase converts a value of a duration kind to ns; other kinds are unchanged.
func toBase(k colKind, v float64) float64 {
	switch k {
	case kindUs:
		return v * 1e3
	case kindSecs:
		return v * 1e9
	}
	return v
}

// pickUnit returns the largest unit in which the smallest non-zero value is at least
// 1, and the decimals that show that value with about three significant digits.
func pickUnit(units []scaleUnit, vals []float64) (scaleUnit, int) {
	lo := math.Inf(1)
	for _, v := range vals {
		if a := math.Abs(v); a > 0 && !math.IsInf(a, 0) && !math.IsNaN(a) {
			lo = math.Min(lo, a)
		}
	}
	if math.IsInf(lo, 1) {
		return units[0], 0
	}
	u := units[0]
	for _, c := range units {
		if lo/c.div >= 1 {
			u = c
		}
	}
	return u, sigDecimals(lo / u.div)
}

// columnFormat is what a column's cells share: the unit and a formatter.
type columnFormat struct {
	unit   string
	format func(v any) string
}

// formatColumn picks the one unit of a column from all its values.
func formatColumn(s colSpec, vals []any) columnFormat {
	var fs []float64
	for _, v := range vals {
		if f, ok := number(v); ok {
			fs = append(fs, toBase(s.Kind, f))
		}
	}
	plain := func(v any) string { return fmt.Sprint(v) }
	switch s.Kind {
	case kindText:
		return columnFormat{format: plain}
	case kindCount:
		return columnFormat{unit: s.Unit, format: func(v any) string {
			if n, ok := intValue(v); ok {
				return thousands(n)
			}
			if f, ok := number(v); ok {
				return withDecimals(f, 0)
			}
			return plain(v)
		}}
	case kindRatio:
		return columnFormat{unit: "×", format: func(v any) string {
			if f, ok := number(v); ok {
				return human(f) + "×"
			}
			return plain(v)
		}}
	case kindRate:
		unit := s.Unit
		if unit == "" {
			unit = "per s"
		}
		return columnFormat{unit: unit, format: func(v any) string {
			if f, ok := number(v); ok {
				return withDecimals(f, 0)
			}
			return plain(v)
		}}
	case kindShare:
		dec := 1
		return columnFormat{unit: "%", format: func(v any) string {
			if f, ok := number(v); ok {
				return withDecimals(f*100, dec)
			}
			return plain(v)
		}}
	case kindNs, kindUs, kindSecs, kindBytes:
		units := durationUnits
		if s.Kind == kindBytes {
			units = byteUnits
		}
		u, dec := pickUnit(units, fs)
		return columnFormat{unit: u.name, format: func(v any) string {
			if f, ok := number(v); ok {
				return withDecimals(toBase(s.Kind, f)/u.div, dec)
			}
			return plain(v)
		}}
	}
	// kindNumber: decimals from the smallest non-zero value.
	_, dec := pickUnit([]scaleUnit{{"", 1}}, fs)
	return columnFormat{unit: s.Unit, format: func(v any) string {
		if f, ok := number(v); ok {
			return withDecimals(f, dec)
		}
		return plain(v)
	}}
}

// formatOne formats a single value with its unit, for the line of fields equal in
// every row.
func formatOne(s colSpec, v any) string {
	cf := formatColumn(s, []any{v})
	text := cf.format(v)
	switch cf.unit {
	case "", "×":
		return text
	case "%":
		return text + "%"
	}
	return text + " " + cf.unit
}

// buildTable formats the columns cols of the rows rs; a column no row has a value
// for is left out.
func buildTable(caption string, cols []colSpec, rs []Result, marks [][]mark) htmlTable {
	t := htmlTable{Caption: caption}
	t.Cols = append(t.Cols, htmlCol{Head: "impl", Class: "impl"})
	t.Groups = append(t.Groups, htmlGroup{Span: 1})
	cells := make([][]htmlCell, len(rs))
	for _, s := range cols {
		vals := make([]any, len(rs))
		found := false
		for i := range rs {
			if v, ok := cellValue(&rs[i], s.Key); ok {
				vals[i] = v
				found = true
			}
		}
		if !found {
			continue
		}
		cf := formatColumn(s, vals)
		for i, v := range vals {
			c := htmlCell{Text: "—", Class: strings.TrimSpace(s.Class + " none")}
			if v != nil {
				c = htmlCell{Text: cf.format(v), Class: s.Class}
			}
			if s.Kind == kindText {
				c.Class = strings.TrimSpace(c.Class + " text")
			}
			cells[i] = append(cells[i], c)
		}
		t.Cols = append(t.Cols, htmlCol{Head: s.Head, Unit: cf.unit, Key: s.Key, Class: s.Class})
		if g := &t.Groups[len(t.Groups)-1]; g.Name == s.Group {
			g.Span++
		} else {
			t.Groups = append(t.Groups, htmlGroup{Name: s.Group, Span: 1})
		}
	}
	grouped := false
	for _, g := range t.Groups {
		grouped = grouped || g.Name != ""
	}
	if !grouped {
		t.Groups = nil
	}
	for i, r := range rs {
		row := htmlRow{Impl: r.Impl, Cells: cells[i]}
		if marks != nil {
			row.Marks = marks[i]
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

var reportTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tower bench report</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em auto; max-width: 1320px; color: #202124; padding: 0 1.5em; }
h1 { font-size: 1.6em; margin-bottom: 0.3em; }
h2 { font-size: 1.25em; margin: 2.2em 0 0.3em; border-bottom: 1px solid #dadce0; padding-bottom: 0.2em; }
.desc { margin: 0.3em 0 0.6em; }
.meta, .legend, .same { color: #5f6368; }
.legend, .same { margin: 0.2em 0; font-size: 13px; }
nav { margin: 0.6em 0 1em; } nav a { margin-right: 1em; white-space: nowrap; }
.scroll { overflow-x: auto; max-width: 100%; margin: 0.6em 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { text-align: left; font-weight: 600; padding: 0.2em 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
thead th { background: #f1f3f4; font-weight: 600; vertical-align: bottom; }
thead tr.groups th { background: #e8eaed; font-weight: 500; font-size: 12px; color: #3c4043; text-align: center; border-left: 2px solid #fff; }
thead tr.groups th:empty { background: transparent; }
th .unit { display: block; font-weight: 400; font-size: 12px; color: #5f6368; }
td.impl, th.impl { text-align: left; }
td.text { text-align: left; }
td.headline { font-weight: 700; } th.headline { box-shadow: inset 0 -3px 0 #1a73e8; }
td.none { color: #9aa0a6; }
tbody tr:hover { background: #f8f9fa; }
sup a { text-decoration: none; color: #1a73e8; padding-left: 1px; }
ol.notes { margin: 0.4em 0 0.8em; padding-left: 2em; font-size: 13px; color: #3c4043; max-width: 110ch; }
ol.notes li { margin: 0.15em 0; } ol.notes li.error { color: #c5221f; }
ol.notes li:target { background: #fef7e0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 0.5em 2em; align-items: start; }
svg { display: block; margin: 0.8em 0; width: 100%; max-width: 680px; height: auto; }
svg .title { font-weight: 600; font-size: 14px; }
svg .label, svg .value, svg .tick, svg .axis { font-size: 12px; fill: #3c4043; }
svg .grid { stroke: #dadce0; stroke-width: 1; } svg .grid.minor { stroke: #f1f3f4; }
details { margin: 1em 0; } summary { cursor: pointer; }
pre { background: #f8f9fa; padding: 1em; overflow-x: auto; font-size: 12px; }
code { font-size: 0.95em; }
</style>
</head>
<body>
<h1>tower bench report</h1>
<p class="meta">{{.Env.GoVersion}} {{.Env.OS}}/{{.Env.Arch}}, GOMAXPROCS={{.Env.GOMAXPROCS}}, NumCPU={{.Env.NumCPU}},
scale={{.Env.Scale}}, started {{.Env.Started.Format "2006-01-02 15:04:05 MST"}}.<br>
Command: <code>{{.Args}}</code></p>
<p>Every workload, its rows and its fields are documented in <code>bench/README.md</code>.
Each table gives the ratios (×) first, then absolute figures, one unit per column (named under
the column's name; hover a header for its JSON field). Notes and errors are numbered footnotes under the table.</p>
<nav>{{range .Workloads}}<a href="#{{.ID}}">{{.ID}} {{.Name}}</a> {{end}}<a href="#json">JSON lines</a></nav>
{{range .Workloads}}
<section>
<h2 id="{{.ID}}">{{.ID}} {{.Name}}</h2>
<p class="desc">{{.Description}}</p>
{{range .Tables}}<div class="scroll"><table>
{{if .Caption}}<caption>{{.Caption}}</caption>{{end}}
<thead>
{{if .Groups}}<tr class="groups">{{range .Groups}}<th colspan="{{.Span}}">{{.Name}}</th>{{end}}</tr>{{end}}
<tr>{{range .Cols}}<th{{if .Class}} class="{{.Class}}"{{end}}{{if .Key}} title="{{.Key}}"{{end}}>{{.Head}}{{if .Unit}}<span class="unit">{{.Unit}}</span>{{end}}</th>{{end}}</tr>
</thead>
<tbody>
{{range .Rows}}<tr><td class="impl">{{.Impl}}{{range .Marks}}<sup><a href="{{.Href}}">{{.N}}</a></sup>{{end}}</td>{{range .Cells}}<td{{if .Class}} class="{{.Class}}"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody>
</table></div>
{{end}}{{range .Legend}}<p class="legend">{{.}}</p>
{{end}}{{if .Same}}<p class="same">Same in every row: {{range $i, $s := .Same}}{{if $i}} · {{end}}{{$s}}{{end}}.</p>
{{end}}{{if .Only}}<p class="same">Only in one row: {{range $i, $s := .Only}}{{if $i}} · {{end}}{{$s}}{{end}}.</p>
{{end}}{{if .Notes}}<ol class="notes">
{{range .Notes}}<li id="{{.ID}}"{{if .Error}} class="error"{{end}}><b>{{.Impl}}</b>{{if .Error}} error{{end}}: {{.Text}}</li>
{{end}}</ol>
{{end}}<div class="charts">
{{range .Charts}}<div>{{.}}</div>
{{end}}</div>
</section>
{{end}}
<h2 id="json">JSON lines</h2>
<details><summary>The {{.JSONCount}} lines of stdout, as printed</summary>
<pre>{{.JSONLines}}</pre>
</details>
</body>
</html>
`))
