package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// tableExtraSkip are extra fields the table shows in their own column or below it.
var tableExtraSkip = map[string]bool{
	"allocs_per_call": true, "ratio_vs_raw": true, "ratio_of": true, "note": true, "error": true,
}

// writeTable writes the results as an aligned table, notes and errors listed below.
func writeTable(w io.Writer, rs []Result) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	wl, wi := len("workload"), len("impl")
	for _, r := range rs {
		wl, wi = max(wl, len(r.Workload)), max(wi, len(r.Impl))
	}
	// The name columns are padded here, left-aligned; tabwriter right-aligns the
	// numbers; the extra fields trail, unaligned.
	fmt.Fprintf(tw, "%-*s  %-*s\tcalls\tok\terrors\tsecs\tns/call\trps\tp50 µs\tp99 µs\tvs raw\tallocs/call\t  extra\n", wl, "workload", wi, "impl")
	var notes []string
	for _, r := range rs {
		var extra []string
		for _, f := range r.Extra {
			if !tableExtraSkip[f.Key] {
				extra = append(extra, fmt.Sprintf("%s=%v", f.Key, f.Value))
			}
		}
		ratio := "-"
		if v, ok := r.Get("ratio_vs_raw"); ok {
			ratio = fmt.Sprintf("%.2fx", v)
			switch of, _ := r.Get("ratio_of"); of {
			case string(MetricNs):
				ratio += " ns"
			case string(MetricGoodput):
				ratio += " good"
			default:
				ratio += " rps"
			}
		}
		allocs := "-"
		if v, ok := r.Get("allocs_per_call"); ok {
			allocs = fmt.Sprintf("%.2f", v)
		}
		fmt.Fprintf(tw, "%-*s  %-*s\t%s\t%s\t%s\t%.3f\t%.1f\t%s\t%s\t%s\t%s\t%s\t  %s\n",
			wl, r.Workload, wi, r.Impl, thousands(r.Calls), thousands(r.OK), thousands(r.Errors),
			r.Secs, r.NsPerCall, thousands(int64(r.RPS+0.5)), us(r.P50us), us(r.P99us),
			ratio, allocs, strings.Join(extra, " "))
		for _, key := range []string{"note", "error"} {
			if v, ok := r.Get(key); ok {
				notes = append(notes, fmt.Sprintf("  %s %s %s: %v", r.Workload, r.Impl, key, v))
			}
		}
	}
	tw.Flush()
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
	fmt.Fprintln(w, "  vs raw: ns ratio for sequential workloads (lower is better), rps ratio for parallel ones, goodput (good) for open loops (higher is better)")
}

func us(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'f', 1, 64)
}

// thousands formats n with comma separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
