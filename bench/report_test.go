package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	assert.Contains(t, page, "<th>slow_share</th>", "extra fields get a column")
	assert.Contains(t, page, "desc &lt;8 endpoints&gt;", "text is escaped")
	assert.Equal(t, 1, strings.Count(page, `<h2 id="W`), "one section per workload with results")
}
