package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// Result is one implementation's record for one workload: one JSON line on stdout,
// one row of the table, one series in the report.
//
// The fixed fields are those README.md documents ("JSON lines"), in that order.
// P50us and P99us are nil (JSON null) where a workload does not time calls one by
// one (the sequential ones).
// Extra fields follow in the order they were set.
type Result struct {
	Workload  string
	Impl      string
	Calls     int64
	OK        int64
	Errors    int64
	Secs      float64
	NsPerCall float64
	RPS       float64
	P50us     *float64
	P99us     *float64
	Extra     []Field

	// Not in the JSON line; used by the HTML report.
	Latency []LatencyPoint // percentile curve of per-call latency, if measured
	Series  []Series       // further bar charts (W5: share of calls per endpoint)
}

// Field is one extra key of a result line.
type Field struct {
	Key   string
	Value any
}

// LatencyPoint is one point of a percentile curve: Percentile in [0, 100], US the
// latency at or below which that share of calls finished.
type LatencyPoint struct {
	Percentile float64
	US         float64
}

// Series is a labelled set of values the report draws as a bar chart, one chart per
// Title across the implementations of a workload.
type Series struct {
	Title  string
	Unit   string
	Labels []string
	Values []float64
}

// Set sets an extra field, replacing an earlier value of the same key.
func (r *Result) Set(key string, value any) {
	for i := range r.Extra {
		if r.Extra[i].Key == key {
			r.Extra[i].Value = value
			return
		}
	}
	r.Extra = append(r.Extra, Field{Key: key, Value: value})
}

// Get returns an extra field's value.
func (r *Result) Get(key string) (any, bool) {
	for _, f := range r.Extra {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// Note appends to the "note" extra field, joining notes with "; ".
func (r *Result) Note(s string) {
	if v, ok := r.Get("note"); ok {
		if old, _ := v.(string); old != "" {
			s = old + "; " + s
		}
	}
	r.Set("note", s)
}

// fixedKeys are the fixed fields; an extra field may not reuse them.
var fixedKeys = map[string]bool{
	"workload": true, "impl": true, "calls": true, "ok": true, "errors": true, "secs": true,
	"ns_per_call": true, "rps": true, "p50_us": true, "p99_us": true,
}

// MarshalJSON writes the fixed fields in their documented order, then the extra
// fields.
func (r Result) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	put := func(key string, v any) error {
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(key)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(clean(v))
		if err != nil {
			return fmt.Errorf("field %s: %w", key, err)
		}
		b.Write(vb)
		return nil
	}
	var p50, p99 any
	if r.P50us != nil {
		p50 = round(*r.P50us, 3)
	}
	if r.P99us != nil {
		p99 = round(*r.P99us, 3)
	}
	fixed := []Field{
		{"workload", r.Workload}, {"impl", r.Impl},
		{"calls", r.Calls}, {"ok", r.OK}, {"errors", r.Errors},
		{"secs", round(r.Secs, 6)}, {"ns_per_call", round(r.NsPerCall, 3)},
		{"rps", round(r.RPS, 1)}, {"p50_us", p50}, {"p99_us", p99},
	}
	for _, f := range fixed {
		if err := put(f.Key, f.Value); err != nil {
			return nil, err
		}
	}
	for _, f := range r.Extra {
		if fixedKeys[f.Key] {
			return nil, fmt.Errorf("extra field %q shadows a fixed field", f.Key)
		}
		if err := put(f.Key, f.Value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// clean turns NaN and infinities (which JSON cannot carry) into null.
func clean(v any) any {
	if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return nil
	}
	return v
}

// round rounds f to the given number of decimals.
func round(f float64, decimals int) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	p := math.Pow10(decimals)
	return math.Round(f*p) / p
}

// ptr returns a pointer to f, for P50us and P99us.
func ptr(f float64) *float64 { return &f }
