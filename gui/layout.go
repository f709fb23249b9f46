package gui

import (
	"runtime/debug"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/internal/tr"
)

// columnsLayout lays its objects out left to right: each column has a fixed width, except those
// with width 0, which share what is left equally. Rows of a list built with it line up whatever
// their text, as a table would. A negative width -w fits its column to its content, at most w:
// for right-aligned figures, so that a row's text column gets every pixel they do not need.
type columnsLayout struct {
	widths []float32
}

func newColumns(widths []float32, objs ...fyne.CanvasObject) *fyne.Container {
	return fyne.NewContainerWithLayout(&columnsLayout{widths: widths}, objs...)
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	fixed, flex := float32(0), 0
	widths := make([]float32, len(objs))
	for i, o := range objs {
		w := l.width(i)
		if w < 0 {
			w = min(-w, o.MinSize().Width)
		}
		widths[i] = w
		if w > 0 {
			fixed += w
		} else {
			flex++
		}
	}
	share := float32(0)
	if flex > 0 {
		share = max(0, size.Width-fixed) / float32(flex)
	}
	x := float32(0)
	for i, o := range objs {
		w := widths[i]
		if w == 0 {
			w = share
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(x, (size.Height-h)/2))
		o.Resize(fyne.NewSize(w, h))
		x += w
	}
}

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		if w := l.width(i); w < 0 {
			s.Width += min(-w, m.Width)
		} else if w > 0 {
			s.Width += w
		} else {
			s.Width += m.Width
		}
		s.Height = max(s.Height, m.Height)
	}
	return s
}

func (l *columnsLayout) width(i int) float32 {
	if i < len(l.widths) {
		return l.widths[i]
	}
	return 0
}

// groupDigits writes n with thin separators between groups of three digits: 2400000 → "2,400,000".
func groupDigits(n int64) string { return tr.Group(strconv.FormatInt(n, 10)) }

// tightVBox stacks two lines of text with no gap between their label paddings, for list rows.
func tightVBox(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), objs...)
}

// releaseMemory hands the heap freed by a big transient job (decoding, indexing and saving a
// 100,000-row catalog allocates several times what it keeps) back to the OS at once, instead of
// keeping the peak resident for minutes. Off the UI goroutine: it runs a full GC.
func releaseMemory() { debug.FreeOSMemory() }

// onShow is content that runs fn each time it is shown: AppTabs shows a tab's content when the
// tab is selected. UI goroutine.
type onShow struct {
	widget.BaseWidget
	content fyne.CanvasObject
	fn      func()
}

func newOnShow(content fyne.CanvasObject, fn func()) *onShow {
	w := &onShow{content: content, fn: fn}
	w.ExtendBaseWidget(w)
	return w
}

func (w *onShow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(w.content) }

func (w *onShow) Show() {
	w.BaseWidget.Show()
	w.fn()
}

// fixedHeight lays its objects over the whole of its room and asks for the height of lines lines
// of text, whatever they hold: messages that come and go do not move what is below them.
type fixedHeight struct{ lines int }

func (l *fixedHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *fixedHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	line := fyne.MeasureText("Ag", theme.TextSize(), fyne.TextStyle{}).Height
	return fyne.NewSize(w, float32(l.lines)*line+2*theme.InnerPadding())
}

// guardedSelect is a Select that opens its drop-down only while it is on a canvas. Fyne 2.7.1
// panics in overlayRenderer.MinSize when a Select that was detached between the tap and the
// pop-up opens it (fyne-io/fyne#5965, guarded upstream after the 2.7.1 the module proxy serves).
type guardedSelect struct {
	widget.Select
	canvasOf func(fyne.CanvasObject) fyne.Canvas // nil: the driver's (tests detach it)
}

func newSelect(options []string, changed func(string)) *guardedSelect {
	s := &guardedSelect{}
	s.Options, s.OnChanged, s.PlaceHolder = options, changed, tr.L("(Select one)")
	s.ExtendBaseWidget(s)
	return s
}

// attached reports whether the Select is on a canvas now.
func (s *guardedSelect) attached() bool {
	if s.canvasOf != nil {
		return s.canvasOf(s) != nil
	}
	return fyne.CurrentApp().Driver().CanvasForObject(s) != nil
}

// Tapped opens the drop-down, if the Select is on a canvas.
func (s *guardedSelect) Tapped(ev *fyne.PointEvent) {
	if s.attached() {
		s.Select.Tapped(ev)
	}
}

// TypedKey opens the drop-down on Space, Up or Down, if the Select is on a canvas.
func (s *guardedSelect) TypedKey(ev *fyne.KeyEvent) {
	if s.attached() {
		s.Select.TypedKey(ev)
	}
}

// MinSize is wide enough for the widest option: a translated choice ("За всё время") is not cut
// to an ellipsis in a toolbar that would have room for it.
func (s *guardedSelect) MinSize() fyne.Size {
	m := s.Select.MinSize()
	w := float32(0)
	for _, o := range s.Options {
		w = max(w, fyne.MeasureText(o, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	m.Width = max(m.Width, w+theme.InnerPadding()*2+theme.Padding()*2+theme.IconInlineSize())
	return m
}
