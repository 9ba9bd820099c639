package main

import (
	"fmt"
	"io"
	"math"
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
				extra = append(extra, f.Key+"="+plainValue(f.Value))
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

// plainValue formats an extra field's value for the table as %v does, except that a
// float is never written with an exponent (1.28e+06 is 1280000).
func plainValue(v any) string {
	switch f := v.(type) {
	case float64:
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Sprint(f)
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	case float32:
		return plainValue(float64(f))
	}
	return fmt.Sprint(v)
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
	if rest, neg := strings.CutPrefix(s, "-"); neg {
		return "-" + groupDigits(rest)
	}
	return groupDigits(s)
}

// groupDigits puts a comma between every three digits of a string of digits, from
// the right.
func groupDigits(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Numbers for people, used by the HTML report: no exponents, thousands separated,
// about three significant digits.

// human formats v with thousands separators and about three significant digits:
// 23,510 for 23510.4, 128 for 127.9, 12.8, 1.28, 0.128, 0.00128 (never an exponent).
func human(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return withDecimals(v, sigDecimals(v))
}

// sigDecimals is the number of decimals that shows about three significant digits
// of v: none from 100 up.
func sigDecimals(v float64) int {
	a := math.Abs(v)
	switch {
	case a == 0 || a >= 100:
		return 0
	case a >= 10:
		return 1
	case a >= 1:
		return 2
	}
	d := 2 - int(math.Floor(math.Log10(a)))
	return min(d, 9)
}

// withDecimals formats v with the given decimals and thousands separators in the integer
// part.
func withDecimals(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	whole = groupDigits(whole)
	if hasFrac {
		whole += "." + frac
	}
	if neg && strings.Trim(whole, "0.,") != "" {
		return "-" + whole
	}
	return whole
}
