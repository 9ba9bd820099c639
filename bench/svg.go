package main

import (
	"fmt"
	"html"
	"math"
	"strings"
	"unicode/utf8"
)

// Inline SVG charts for the HTML report: no library, no script, just markup.

// palette colours implementations: tower and raw have fixed colours, peers take the
// others in order of first appearance.
type palette struct{ by map[string]string }

var peerColours = []string{"#e8710a", "#1e8e3e", "#d93025", "#9334e6", "#8c564b", "#e52592", "#a8a800", "#12b5cb"}

func newPalette() *palette {
	return &palette{by: map[string]string{ImplTower: "#1a73e8", ImplRaw: "#80868b"}}
}

func (p *palette) colour(impl string) string {
	if c, ok := p.by[impl]; ok {
		return c
	}
	c := peerColours[(len(p.by)-2)%len(peerColours)]
	p.by[impl] = c
	return c
}

func esc(s string) string { return html.EscapeString(s) }

// bar is one bar of a horizontal bar chart.
type bar struct {
	Label  string
	Value  float64
	Text   string // shown after the bar
	Colour string
}

// barChart draws horizontal bars scaled to the largest value.
func barChart(title string, bars []bar) string {
	const (
		width  = 680
		rowH   = 26
		top    = 30
		bottom = 10
		charW  = 7 // about the width of a character of the 12px labels
	)
	// Room for the longest label on the left and the longest value on the right.
	left, right := 60, 60
	for _, b := range bars {
		left = max(left, charW*utf8.RuneCountInString(b.Label)+16)
		right = max(right, charW*utf8.RuneCountInString(b.Text)+12)
	}
	left, right = min(left, width/3), min(right, width/3)
	height := top + rowH*len(bars) + bottom
	hi := 0.0
	for _, b := range bars {
		hi = math.Max(hi, b.Value)
	}
	if hi <= 0 {
		hi = 1
	}
	span := float64(width - left - right)
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		width, height, width, height, esc(title))
	fmt.Fprintf(&s, `<text x="0" y="18" class="title">%s</text>`, esc(title))
	for i, b := range bars {
		y := top + i*rowH
		w := 0.0
		if b.Value > 0 {
			w = math.Max(1, b.Value/hi*span)
		}
		fmt.Fprintf(&s, `<text x="%d" y="%d" text-anchor="end" class="label">%s</text>`, left-8, y+17, esc(b.Label))
		fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
			left, y+4, w, rowH-8, b.Colour, esc(b.Label), esc(b.Text))
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" class="value">%s</text>`, float64(left)+w+6, y+17, esc(b.Text))
	}
	s.WriteString(`</svg>`)
	return s.String()
}

// curve is one implementation's percentile curve.
type curve struct {
	Label  string
	Colour string
	Points []LatencyPoint
}

// percentileChart draws latency (log scale) against percentile on the usual HDR
// axis, log10(1/(1-p)), so that 90%, 99%, 99.9% ... are evenly spaced.
func percentileChart(title string, curves []curve) string {
	const (
		width  = 680
		height = 360
		left   = 70
		right  = 150
		top    = 34
		bottom = 44
	)
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	tOf := func(p float64) float64 {
		if p >= 100 {
			return 7
		}
		return math.Log10(1 / (1 - p/100))
	}
	tMax, lo, hi := 1.0, math.Inf(1), math.Inf(-1)
	for _, c := range curves {
		for _, pt := range c.Points {
			tMax = math.Max(tMax, tOf(pt.Percentile))
			if pt.US > 0 {
				lo = math.Min(lo, pt.US)
				hi = math.Max(hi, pt.US)
			}
		}
	}
	tMax = math.Ceil(tMax)
	if math.IsInf(lo, 0) {
		lo, hi = 1, 10
	}
	yLo, yHi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if yHi <= yLo {
		yHi = yLo + 1
	}
	x := func(t float64) float64 { return float64(left) + t/tMax*pw }
	y := func(us float64) float64 {
		if us <= 0 {
			us = math.Pow(10, yLo)
		}
		return float64(top) + (yHi-math.Log10(us))/(yHi-yLo)*ph
	}

	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		width, height, width, height, esc(title))
	fmt.Fprintf(&s, `<text x="0" y="18" class="title">%s</text>`, esc(title))
	// Horizontal grid: decades, with 2 and 5 in between.
	for d := yLo; d <= yHi; d++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, d)
			if math.Log10(v) > yHi+1e-9 {
				break
			}
			cls := "grid minor"
			if m == 1 {
				cls = "grid"
				fmt.Fprintf(&s, `<text x="%d" y="%.1f" text-anchor="end" class="tick">%s</text>`, left-6, y(v)+4, esc(fmtUS(v)))
			}
			fmt.Fprintf(&s, `<line x1="%d" x2="%.1f" y1="%.1f" y2="%.1f" class="%s"/>`, left, float64(left)+pw, y(v), y(v), cls)
		}
	}
	// Vertical grid: 0%, 90%, 99%, ...
	for t := 0.0; t <= tMax; t++ {
		fmt.Fprintf(&s, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%.1f" class="grid"/>`, x(t), x(t), top, float64(top)+ph)
		fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" text-anchor="middle" class="tick">%s</text>`, x(t), float64(top)+ph+16, pctLabel(t))
	}
	fmt.Fprintf(&s, `<text x="%.1f" y="%d" text-anchor="middle" class="axis">percentile of calls</text>`, float64(left)+pw/2, height-6)
	fmt.Fprintf(&s, `<text x="14" y="%.1f" text-anchor="middle" class="axis" transform="rotate(-90 14 %.1f)">latency</text>`,
		float64(top)+ph/2, float64(top)+ph/2)
	for i, c := range curves {
		var pts []string
		for _, pt := range c.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(tOf(pt.Percentile)), y(pt.US)))
		}
		fmt.Fprintf(&s, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"><title>%s</title></polyline>`,
			c.Colour, strings.Join(pts, " "), esc(c.Label))
		ly := top + 10 + i*20
		lx := left + int(pw) + 16
		fmt.Fprintf(&s, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="3"/>`, lx, lx+20, ly, ly, c.Colour)
		fmt.Fprintf(&s, `<text x="%d" y="%d" class="label">%s</text>`, lx+26, ly+4, esc(c.Label))
	}
	s.WriteString(`</svg>`)
	return s.String()
}

// pctLabel labels the percentile axis at t = log10(1/(1-p)): 0%, 90%, 99%, 99.9%...
func pctLabel(t float64) string {
	switch {
	case t == 0:
		return "0%"
	case t == 1:
		return "90%"
	case t == 2:
		return "99%"
	default:
		return "99." + strings.Repeat("9", int(t)-2) + "%"
	}
}

// fmtUS formats a latency given in microseconds.
func fmtUS(us float64) string {
	switch {
	case us >= 1e6:
		return fmt.Sprintf("%g s", us/1e6)
	case us >= 1e3:
		return fmt.Sprintf("%g ms", us/1e3)
	case us >= 1:
		return fmt.Sprintf("%g µs", us)
	default:
		return fmt.Sprintf("%g ns", us*1e3)
	}
}
