package main

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"
)

// The HTML report: one page, inline CSS and SVG, no script and no network.

type reportData struct {
	Env       env
	Args      string
	Workloads []reportWorkload
	JSONLines string
}

type reportWorkload struct {
	ID, Name, Description string
	Header                []string
	Rows                  [][]string
	Charts                []template.HTML
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
	sec.Header, sec.Rows = resultTable(rs)

	var tput, cost []bar
	var curves []curve
	for _, r := range rs {
		c := pal.colour(r.Impl)
		tput = append(tput, bar{Label: r.Impl, Value: r.RPS, Text: thousands(int64(r.RPS+0.5)) + " calls/s", Colour: c})
		cost = append(cost, bar{Label: r.Impl, Value: r.NsPerCall, Text: fmt.Sprintf("%.1f ns/call", r.NsPerCall), Colour: c})
		if len(r.Latency) > 0 {
			curves = append(curves, curve{Label: r.Impl, Colour: c, Points: r.Latency})
		}
	}
	title := fmt.Sprintf("%s %s: throughput (calls per second, higher is better)", wl.ID, wl.Name)
	sec.Charts = append(sec.Charts, template.HTML(barChart(title, tput)))
	if wl.Metric == MetricNs {
		title = fmt.Sprintf("%s %s: cost per call (ns, lower is better)", wl.ID, wl.Name)
		sec.Charts = append(sec.Charts, template.HTML(barChart(title, cost)))
	}
	if len(curves) > 0 {
		title = fmt.Sprintf("%s %s: latency distribution per implementation (every call)", wl.ID, wl.Name)
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
					Text: strings.TrimSpace(fmt.Sprintf("%.4g %s", se.Values[i], se.Unit)), Colour: pal.colour(r.Impl),
				})
			}
		}
	}
	for _, t := range titles {
		sec.Charts = append(sec.Charts, template.HTML(barChart(wl.ID+" "+wl.Name+": "+t, byTitle[t])))
	}
	return sec
}

// resultTable returns the column names (fixed, then every extra key seen) and one row
// of formatted cells per result.
func resultTable(rs []Result) ([]string, [][]string) {
	header := []string{"impl", "calls", "ok", "errors", "secs", "ns/call", "rps", "p50 µs", "p99 µs"}
	var extraKeys []string
	seen := map[string]bool{}
	for _, r := range rs {
		for _, f := range r.Extra {
			if !seen[f.Key] {
				seen[f.Key] = true
				extraKeys = append(extraKeys, f.Key)
			}
		}
	}
	header = append(header, extraKeys...)
	var rows [][]string
	for _, r := range rs {
		row := []string{
			r.Impl, thousands(r.Calls), thousands(r.OK), thousands(r.Errors),
			fmt.Sprintf("%.3f", r.Secs), fmt.Sprintf("%.1f", r.NsPerCall),
			thousands(int64(r.RPS + 0.5)), us(r.P50us), us(r.P99us),
		}
		for _, k := range extraKeys {
			v, ok := r.Get(k)
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, fmt.Sprint(v))
		}
		rows = append(rows, row)
	}
	return header, rows
}

var reportTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tower bench report</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; color: #202124; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #dadce0; }
table { border-collapse: collapse; margin: 0.8em 0; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; vertical-align: top; }
th { background: #f1f3f4; } td:first-child, th:first-child { text-align: left; }
td.wide { text-align: left; max-width: 28em; }
svg { display: block; margin: 1em 0; }
svg .title { font-weight: 600; font-size: 14px; }
svg .label, svg .value, svg .tick, svg .axis { font-size: 12px; fill: #3c4043; }
svg .grid { stroke: #dadce0; stroke-width: 1; } svg .grid.minor { stroke: #f1f3f4; }
pre { background: #f8f9fa; padding: 1em; overflow-x: auto; font-size: 12px; }
.meta { color: #5f6368; }
</style>
</head>
<body>
<h1>tower bench report</h1>
<p class="meta">{{.Env.GoVersion}} {{.Env.OS}}/{{.Env.Arch}}, GOMAXPROCS={{.Env.GOMAXPROCS}}, NumCPU={{.Env.NumCPU}},
scale={{.Env.Scale}}, started {{.Env.Started.Format "2006-01-02 15:04:05 MST"}}.<br>
Command: <code>{{.Args}}</code></p>
<p>Workloads and their rules are those of BENCH.md. Sequential workloads time an untimed loop
(no clock read per call), so they have no percentiles. ratio_vs_raw is the headline metric over the
raw-Go floor's: ns_per_call for sequential workloads (lower is better), rps for parallel ones (higher is better).</p>
{{range .Workloads}}
<h2 id="{{.ID}}">{{.ID}} {{.Name}}</h2>
<p>{{.Description}}</p>
<table>
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td{{if gt (len .) 24}} class="wide"{{end}}>{{.}}</td>{{end}}</tr>
{{end}}</table>
{{range .Charts}}{{.}}
{{end}}
{{end}}
<h2>JSON lines</h2>
<pre>{{.JSONLines}}</pre>
</body>
</html>
`))
