package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPctLabel(t *testing.T) {
	for tt, want := range map[float64]string{0: "0%", 1: "90%", 2: "99%", 3: "99.9%", 5: "99.999%"} {
		assert.Equal(t, want, pctLabel(tt))
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		assert.Equal(t, want, thousands(n))
	}
}

func TestChartsEscapeText(t *testing.T) {
	s := barChart("a<b", []bar{{Label: "x&y", Value: 1, Text: "1", Colour: "#000"}})
	assert.Contains(t, s, "a&lt;b")
	assert.Contains(t, s, "x&amp;y")
	s = percentileChart("p", []curve{{Label: "<i>", Colour: "#000", Points: []LatencyPoint{{0, 1}, {90, 2}, {99.9, 50}}}})
	assert.True(t, strings.HasPrefix(s, "<svg"))
	assert.Contains(t, s, "&lt;i&gt;")
	assert.Contains(t, s, "99.9%")
}
