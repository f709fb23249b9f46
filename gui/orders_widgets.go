package gui

// The Orders tab's row widgets: two lines of text, the progress, the charge, the status badge.

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/internal/tr"
)

// newOrderRow: the order number and service over the link and times; the progress; the charge;
// the status badge.
func newOrderRow() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	sub := widget.NewLabel("")
	sub.Truncation = fyne.TextTruncateEllipsis
	sub.SizeName = theme.SizeNameCaptionText
	qty := widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	qty.SizeName = theme.SizeNameCaptionText
	charge := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
	charge.Truncation = fyne.TextTruncateEllipsis
	return newColumns([]float32{0, 96, 104, 108},
		tightVBox(title, sub),
		tightVBox(qty, newThinBar()),
		charge,
		newBadge(),
	)
}

func setOrderRow(o fyne.CanvasObject, r orderRow, currency string) {
	cols := o.(*fyne.Container).Objects
	texts := cols[0].(*fyne.Container).Objects
	title, sub := texts[0].(*widget.Label), texts[1].(*widget.Label)
	prog := cols[1].(*fyne.Container).Objects
	qty, bar := prog[0].(*widget.Label), prog[1].(*fyne.Container)
	charge := cols[2].(*widget.Label)

	if r.order != nil {
		title.SetText(fmt.Sprintf("#%d  %s", r.order.ID, r.label()))
	} else {
		title.SetText(r.label())
	}
	parts := []string{fmt.Sprintf(tr.L("placed %s"), formatWhen(r.placed()))}
	switch r.kind() {
	case kindUnconfirmed, kindSending:
		if r.spend != nil && r.spend.Error != "" {
			parts = append(parts, short(r.spend.Error, maxLine))
		} else {
			parts = append(parts, tr.L("outcome unknown: check your balance"))
		}
	case kindNotPlaced:
		parts = append(parts, tr.L("marked not placed"))
	}
	if r.order != nil && !r.order.UpdatedAt.IsZero() {
		parts = append(parts, fmt.Sprintf(tr.L("updated %s"), formatWhen(r.order.UpdatedAt)))
	}
	if l := r.link(); l != "" {
		parts = append(parts, l) // last: a long link is what the ellipsis cuts
	}
	sub.SetText(strings.Join(parts, " · "))

	q := r.quantity()
	if r.order != nil && r.order.Status != "" && q > 0 {
		done := min(max(q-r.order.Remains, 0), q)
		setThinBar(bar, float32(done)/float32(q))
		bar.Show()
		qty.SetText(fmt.Sprintf(tr.L("%s of %s"), groupDigits(done), groupDigits(q)))
	} else {
		bar.Hide()
		qty.SetText(fmt.Sprintf("× %s", groupDigits(q)))
	}
	charge.SetText(r.chargeText(currency))
	text, imp := r.badge()
	setBadge(cols[3], text, imp)
}

// newBadge is a status pill: a dot in the importance's colour and the status in the text colour
// (readable in either theme) on a tint of that colour, aligned to the trailing edge.
func newBadge() *fyne.Container {
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = 6
	dot := canvas.NewCircle(color.Transparent)
	l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameCaptionText
	inner := container.New(&badgeLayout{}, dot, l)
	return container.NewHBox(layout.NewSpacer(), container.NewStack(bg, inner))
}

func setBadge(o fyne.CanvasObject, text string, imp widget.Importance) {
	pill := o.(*fyne.Container).Objects[1].(*fyne.Container)
	bg, inner := pill.Objects[0].(*canvas.Rectangle), pill.Objects[1].(*fyne.Container)
	dot, l := inner.Objects[0].(*canvas.Circle), inner.Objects[1].(*widget.Label)
	c := importanceColor(imp)
	r, g, b, _ := c.RGBA()
	bg.FillColor = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x40}
	dot.FillColor = c
	l.SetText(text)
	bg.Refresh()
	dot.Refresh()
}

func importanceColor(imp widget.Importance) color.Color {
	name := theme.ColorNameDisabled
	switch imp {
	case widget.SuccessImportance:
		name = theme.ColorNameSuccess
	case widget.WarningImportance:
		name = theme.ColorNameWarning
	case widget.DangerImportance:
		name = theme.ColorNameError
	case widget.HighImportance:
		name = theme.ColorNamePrimary
	case widget.MediumImportance:
		name = theme.ColorNameForeground
	}
	return theme.Color(name)
}

// badgeLayout puts an 8-pixel dot before the label, both centred vertically.
type badgeLayout struct{}

func (badgeLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	const d = 8
	p := theme.Padding() * 1.5
	objs[0].Move(fyne.NewPos(p, (size.Height-d)/2))
	objs[0].Resize(fyne.NewSize(d, d))
	objs[1].Move(fyne.NewPos(p+d, 0))
	objs[1].Resize(fyne.NewSize(size.Width-p-d, size.Height))
}

func (badgeLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[1].MinSize()
	return fyne.NewSize(m.Width+theme.Padding()*1.5+8, m.Height)
}

// newThinBar is a slim progress bar: a track and a fill of the primary colour.
func newThinBar() *fyne.Container {
	track := canvas.NewRectangle(theme.Color(theme.ColorNameInputBorder))
	track.CornerRadius = 2
	fill := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	fill.CornerRadius = 2
	return container.New(&thinBarLayout{}, track, fill)
}

func setThinBar(o *fyne.Container, frac float32) {
	o.Layout.(*thinBarLayout).frac = min(max(frac, 0), 1)
	o.Objects[0].(*canvas.Rectangle).FillColor = theme.Color(theme.ColorNameInputBorder)
	o.Objects[1].(*canvas.Rectangle).FillColor = theme.Color(theme.ColorNamePrimary)
	o.Refresh()
}

// thinBarLayout draws its track across the width, 4 high and inset by the padding, and its fill
// over frac of it.
type thinBarLayout struct{ frac float32 }

func (l *thinBarLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding() * 2
	w := max(size.Width-2*pad, 0)
	y := (size.Height - 4) / 2
	objs[0].Move(fyne.NewPos(pad, y))
	objs[0].Resize(fyne.NewSize(w, 4))
	objs[1].Move(fyne.NewPos(pad, y))
	objs[1].Resize(fyne.NewSize(w*l.frac, 4))
}

func (l *thinBarLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(20, 8) }
