package gui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// chartPoint is one value of a chart: a balance at a time, or a day's spending.
type chartPoint struct {
	At    time.Time
	Value client.Decimal
}

// chart draws a line (balance over time) or bars (spending per day) with Fyne's canvas, in the
// theme's colours so it reads in light and dark. Values stay exact decimals; only the final
// pixel position is a float. UI goroutine only.
type chart struct {
	widget.BaseWidget
	bars   bool
	points []chartPoint
	empty  string
}

func newChart(bars bool, empty string) *chart {
	c := &chart{bars: bars, empty: empty}
	c.ExtendBaseWidget(c)
	return c
}

func (c *chart) set(points []chartPoint) {
	c.points = points
	c.Refresh()
}

func (c *chart) CreateRenderer() fyne.WidgetRenderer { return &chartRenderer{c: c} }

type chartRenderer struct {
	c    *chart
	objs []fyne.CanvasObject
	size fyne.Size
}

func (r *chartRenderer) MinSize() fyne.Size { return fyne.NewSize(320, 180) }

func (r *chartRenderer) Layout(s fyne.Size) {
	r.size = s
	r.build()
}

func (r *chartRenderer) Refresh() {
	r.build()
	canvas.Refresh(r.c)
}

func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objs }

func (r *chartRenderer) Destroy() {}

const chartPad = 44 // room for the value labels on the left and the dates below

// build lays the chart out for the current size: axes, min and max labels, first and last
// dates, then the line or the bars.
func (r *chartRenderer) build() {
	fg := theme.Color(theme.ColorNameForeground)
	axis := theme.Color(theme.ColorNameSeparator)
	ink := theme.Color(theme.ColorNamePrimary)
	s, pts := r.size, r.c.points
	r.objs = r.objs[:0]
	if s.Width < 2*chartPad || s.Height < 2*chartPad {
		return
	}
	if len(pts) == 0 {
		t := canvas.NewText(r.c.empty, fg)
		t.Move(fyne.NewPos(chartPad, s.Height/2-10))
		r.objs = append(r.objs, t)
		return
	}
	lo, hi := pts[0].Value.Decimal, pts[0].Value.Decimal
	for _, p := range pts {
		lo, hi = decimal.Min(lo, p.Value.Decimal), decimal.Max(hi, p.Value.Decimal)
	}
	lo, hi = chartRange(lo, hi, r.c.bars)
	left, top := float32(chartPad), float32(8)
	w, h := s.Width-left-8, s.Height-top-chartPad/2
	y := func(v decimal.Decimal) float32 {
		f, _ := v.Sub(lo).Div(hi.Sub(lo)).Float64() // a pixel position, not money
		return top + h - float32(f)*h
	}
	line := func(x1, y1, x2, y2 float32, c color.Color, width float32) {
		l := canvas.NewLine(c)
		l.StrokeWidth = width
		l.Position1, l.Position2 = fyne.NewPos(x1, y1), fyne.NewPos(x2, y2)
		r.objs = append(r.objs, l)
	}
	text := func(s string, x, y float32, align fyne.TextAlign) {
		t := canvas.NewText(s, fg)
		t.TextSize = theme.CaptionTextSize()
		t.Alignment = align
		t.Move(fyne.NewPos(x, y))
		r.objs = append(r.objs, t)
	}
	line(left, top, left, top+h, axis, 1)
	line(left, top+h, left+w, top+h, axis, 1)
	text(hi.StringFixed(2), 2, top-6, fyne.TextAlignLeading)
	text(lo.StringFixed(2), 2, top+h-12, fyne.TextAlignLeading)

	first, last := pts[0].At, pts[len(pts)-1].At
	from, to := dateLabels(first, last)
	text(from, left, top+h+4, fyne.TextAlignLeading)
	if to != "" {
		text(to, left+w, top+h+4, fyne.TextAlignTrailing)
	}
	if r.c.bars {
		slot := w / float32(len(pts))
		for i, p := range pts {
			bar := canvas.NewRectangle(ink)
			bw := max(2, slot*0.7)
			x := left + float32(i)*slot + (slot-bw)/2
			yy := y(p.Value.Decimal)
			bar.Move(fyne.NewPos(x, yy))
			bar.Resize(fyne.NewSize(bw, top+h-yy))
			r.objs = append(r.objs, bar)
		}
		return
	}
	span := last.Sub(first)
	x := func(t time.Time) float32 {
		if span <= 0 {
			return left + w/2
		}
		return left + float32(t.Sub(first))/float32(span)*w
	}
	// A step line: a balance holds until the next point, then jumps.
	for i := 1; i < len(pts); i++ {
		x0, x1 := x(pts[i-1].At), x(pts[i].At)
		y0, y1 := y(pts[i-1].Value.Decimal), y(pts[i].Value.Decimal)
		line(x0, y0, x1, y0, ink, 2)
		line(x1, y0, x1, y1, ink, 2)
	}
	dot := canvas.NewCircle(ink)
	lx, ly := x(last), y(pts[len(pts)-1].Value.Decimal)
	dot.Move(fyne.NewPos(lx-3, ly-3))
	dot.Resize(fyne.NewSize(6, 6))
	r.objs = append(r.objs, dot)
}

// chartRange is the value range a chart shows: bars from zero to their highest; a balance line
// fitted to its own lowest and highest values with a margin (a 1.88 change of a 100.00 balance
// is a visible step, not a pixel), from zero only when it comes near it.
func chartRange(lo, hi decimal.Decimal, bars bool) (decimal.Decimal, decimal.Decimal) {
	if bars {
		lo = decimal.Min(lo, decimal.Zero)
	} else {
		margin := hi.Sub(lo).Div(decimal.NewFromInt(10))
		if margin.IsZero() {
			margin = decimal.Max(hi.Abs().Div(decimal.NewFromInt(10)), decimal.NewFromInt(1))
		}
		lo, hi = lo.Sub(margin), hi.Add(margin)
		if lo.IsNegative() && !hi.Sub(margin).Sub(margin).IsNegative() && lo.Add(margin).Sign() >= 0 {
			lo = decimal.Zero // a balance is not drawn below zero it never reached
		}
	}
	if hi.LessThanOrEqual(lo) {
		hi = lo.Add(decimal.NewFromInt(1))
	}
	return lo.Round(2), hi.Round(2)
}

// dateLabels are the labels of a chart's first and last times: dates, or clock times when both
// fall on one day; to is "" when it would repeat from.
func dateLabels(first, last time.Time) (from, to string) {
	first, last = first.Local(), last.Local()
	layout := tr.L("2 Jan") // a Go time layout, per language
	if first.Year() == last.Year() && first.YearDay() == last.YearDay() {
		layout = "15:04"
	}
	from, to = first.Format(layout), last.Format(layout)
	if to == from {
		to = ""
	}
	return from, to
}
