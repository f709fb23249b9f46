package gui

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/watch"
)

// ordersTab lists the orders this app placed, newest first, from the local journal: there is no
// API call that lists a customer's orders. Unconfirmed attempts without an order id are listed
// first. The list is filtered by status and text; the pane on the right shows the selected
// order: its status history, its delivered accounts, and what can be done about an unconfirmed
// attempt.
type ordersTab struct {
	ui   *UI
	item *container.TabItem
	list *widget.List
	msg  *messageBox

	status *widget.Select // the status filter (statusFilters)
	search *widget.Entry  // the text filter: order number, service name, link
	count  *widget.Label
	detail *orderDetail

	// UI goroutine only.
	rows      []orderRow // everything, in display order
	visible   []orderRow // rows passing the filters
	selected  rowKey     // the selected row, kept across reloads and filters; zero: none
	restoring bool       // the list's selection is being set by the tab, not the user
	loaded    bool       // the journal was read at least once
}

// notPlacedReason is the journal error of an entry the user marked as not placed. Such entries
// stay listed (as "Not placed"); entries the server refused are not listed (nothing was bought,
// and the user was told at once).
const notPlacedReason = "marked not placed by the user"

// The status filters, in the order of the Select.
const (
	filterAll = iota
	filterActive
	filterCompleted
	filterPartial
	filterCanceled
	filterUnconfirmed
)

func statusFilters() []string {
	return []string{lang.L("All"), lang.L("Active"), lang.L("Completed"), lang.L("Partial"), lang.L("Canceled"), lang.L("Unconfirmed")}
}

// rowKind is where a row stands, for its badge and the status filter.
type rowKind int

const (
	kindSending     rowKind = iota // journaled, being sent right now
	kindUnconfirmed                // sent, no answer: it may or may not have been placed
	kindNotPlaced                  // unconfirmed, then marked not placed by the user
	kindPlaced                     // placed, no status yet
	kindActive                     // Pending, In progress, Processing or another non-final status
	kindCompleted
	kindPartial
	kindCanceled
)

// rowKey identifies a row across reloads: the order id, else the journal entry.
type rowKey struct {
	order int64
	spend uint64
}

// orderRow is one line of the list: a known order (with its journal entry when that is not
// settled as placed), or a journal entry with no order id.
type orderRow struct {
	order *cache.Order
	spend *cache.Spend
}

func (r orderRow) key() rowKey {
	if r.order != nil {
		return rowKey{order: r.order.ID}
	}
	return rowKey{spend: r.spend.ID}
}

func (r orderRow) kind() rowKind {
	if r.order != nil && r.order.Status != "" {
		// A status answer proves the order exists, whatever the journal says.
		return statusKind(r.order.Status)
	}
	if r.spend != nil && (r.order == nil || r.order.Unconfirmed) {
		switch r.spend.State {
		case cache.SpendSending:
			return kindSending
		case cache.SpendUnconfirmed:
			return kindUnconfirmed
		case cache.SpendFailed:
			return kindNotPlaced
		}
	}
	if r.order != nil && r.order.Unconfirmed {
		return kindUnconfirmed
	}
	return kindPlaced
}

func statusKind(s client.Status) rowKind {
	switch strings.ToLower(strings.TrimSpace(string(s))) {
	case "completed":
		return kindCompleted
	case "partial":
		return kindPartial
	case "canceled", "cancelled":
		return kindCanceled
	}
	return kindActive
}

// badge is the text and importance of a row's status badge.
func (r orderRow) badge() (string, widget.Importance) {
	switch k := r.kind(); k {
	case kindSending:
		return lang.L("Sending…"), widget.MediumImportance
	case kindUnconfirmed:
		return lang.L("Unconfirmed"), widget.WarningImportance
	case kindNotPlaced:
		return lang.L("Not placed"), widget.LowImportance
	case kindPlaced:
		return lang.L("Placed"), widget.MediumImportance
	default:
		st := string(r.order.Status)
		switch k {
		case kindCompleted:
			return st, widget.SuccessImportance
		case kindPartial:
			return st, widget.WarningImportance
		case kindCanceled:
			return st, widget.DangerImportance
		}
		return st, widget.HighImportance
	}
}

func (r orderRow) matches(filter int, text string) bool {
	k := r.kind()
	switch filter {
	case filterActive:
		if k != kindActive && k != kindPlaced {
			return false
		}
	case filterCompleted:
		if k != kindCompleted {
			return false
		}
	case filterPartial:
		if k != kindPartial {
			return false
		}
	case filterCanceled:
		if k != kindCanceled {
			return false
		}
	case filterUnconfirmed:
		if k != kindUnconfirmed && k != kindSending {
			return false
		}
	}
	text = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "#")))
	if text == "" {
		return true
	}
	var hay []string
	if r.order != nil {
		hay = append(hay, strconv.FormatInt(r.order.ID, 10), r.order.Label, r.order.Link)
	}
	if r.spend != nil {
		hay = append(hay, r.spend.Label, r.spend.Add.Link)
	}
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), text) {
			return true
		}
	}
	return false
}

// label, quantity, link and placed are what the row knows, from the order or its journal entry.
func (r orderRow) label() string {
	if r.order != nil && r.order.Label != "" {
		return r.order.Label
	}
	if r.spend != nil && r.spend.Label != "" {
		return r.spend.Label
	}
	if r.order != nil && r.order.Service != 0 {
		return fmt.Sprintf(lang.L("Service #%d"), r.order.Service)
	}
	if r.spend != nil {
		return fmt.Sprintf(lang.L("Service #%d"), r.spend.Add.Service)
	}
	return lang.L("Order")
}

func (r orderRow) quantity() int64 {
	if r.order != nil {
		return r.order.Quantity
	}
	return r.spend.Add.Quantity
}

func (r orderRow) link() string {
	if r.order != nil {
		return r.order.Link
	}
	return r.spend.Add.Link
}

func (r orderRow) placed() time.Time {
	if r.order != nil {
		return r.order.PlacedAt
	}
	return r.spend.CreatedAt
}

func (r orderRow) estimate() client.Decimal {
	if r.order != nil {
		return r.order.Estimate
	}
	return r.spend.Estimate
}

// chargeText is the charge the server reported, or ≈ the estimate before the first status.
func (r orderRow) chargeText(currency string) string {
	if r.order != nil && r.order.Status != "" {
		cur := r.order.Currency
		if cur == "" {
			cur = currency
		}
		return fmt.Sprintf("%s %s", r.order.Charge, cur)
	}
	if e := r.estimate(); !e.IsZero() {
		return fmt.Sprintf(lang.L("≈ %s %s"), e.StringFixed(4), currency)
	}
	return ""
}

func newOrdersTab(u *UI) *ordersTab {
	t := &ordersTab{ui: u, msg: newMessageBox()}
	t.list = widget.NewList(
		func() int { return len(t.visible) },
		newOrderRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(t.visible) {
				setOrderRow(o, t.visible[id], u.currency())
			}
		},
	)
	t.list.OnSelected = func(id widget.ListItemID) {
		if t.restoring || id >= len(t.visible) {
			return
		}
		t.selected = t.visible[id].key()
		t.detail.show(t.visible[id], true)
	}
	t.list.OnUnselected = func(widget.ListItemID) {
		if t.restoring {
			return
		}
		t.selected = rowKey{}
		t.detail.clear()
	}
	t.status = widget.NewSelect(statusFilters(), func(string) { t.applyFilter() })
	t.status.SetSelectedIndex(filterAll)
	t.search = widget.NewEntry()
	t.search.SetPlaceHolder(lang.L("Search order number, service, link…"))
	t.search.OnChanged = func(string) { t.applyFilter() }
	t.count = widget.NewLabel("")
	t.detail = newOrderDetail(t)

	t.msg.show(lang.L("No orders yet. Orders you place from the Catalog or a Shop appear here, with their status and delivered accounts."), "", nil)
	bar := container.NewBorder(nil, nil, t.status, t.count, t.search)
	left := container.NewBorder(bar, nil, nil, nil, container.NewStack(t.list, t.msg.root))
	split := container.NewHSplit(left, t.detail.root)
	split.Offset = 0.6
	// The journal is read each time the tab is shown (the first time included), and on events.
	t.item = container.NewTabItemWithIcon(lang.L("Orders"), theme.ListIcon(), newOnShow(split, t.reload))
	return t
}

// reload reads the journal off the UI goroutine and shows it, keeping the selection. UI
// goroutine only.
func (t *ordersTab) reload() {
	st := t.ui.deps.Store
	if st == nil {
		return
	}
	t.ui.background(func(context.Context) {
		rows, err := readOrderRows(st)
		if err != nil {
			t.ui.deps.Logf("orders: %v", err)
			return
		}
		fyne.Do(func() { t.setRows(rows) })
	})
}

// readOrderRows reads what the Orders tab lists: unconfirmed (or sending) entries without an
// order id first, newest first; then orders and entries the user marked not placed, newest
// first. Off the UI goroutine.
func readOrderRows(st *cache.Store) ([]orderRow, error) {
	orders, err := st.Orders(cache.Query{})
	if err != nil {
		return nil, err
	}
	spends, err := st.Spends(cache.SpendUnconfirmed, cache.SpendSending, cache.SpendFailed)
	if err != nil {
		return nil, err
	}
	var head, rest []orderRow
	for i := range spends {
		sp := &spends[i]
		if sp.Action != cache.ActionAdd || len(sp.Orders) > 0 {
			continue
		}
		switch {
		case sp.State != cache.SpendFailed:
			head = append(head, orderRow{spend: sp})
		case sp.Error == notPlacedReason:
			rest = append(rest, orderRow{spend: sp})
		}
	}
	for i := range orders {
		r := orderRow{order: &orders[i]}
		if o := r.order; o.Unconfirmed && o.SpendID != 0 {
			if sp, err := st.Spend(o.SpendID); err == nil {
				r.spend = &sp
			}
		}
		rest = append(rest, r)
	}
	// Orders come newest first, as do the entries marked not placed: merge them by time.
	slices.SortStableFunc(rest, func(a, b orderRow) int { return b.placed().Compare(a.placed()) })
	return append(head, rest...), nil
}

// setRows shows rows. UI goroutine only.
func (t *ordersTab) setRows(rows []orderRow) {
	t.rows, t.loaded = rows, true
	t.applyFilter()
}

// applyFilter narrows the rows to the filters and restores the selection. UI goroutine only.
func (t *ordersTab) applyFilter() {
	if t.list == nil || t.search == nil || t.count == nil || t.detail == nil {
		return // still being built
	}
	filter, text := t.status.SelectedIndex(), t.search.Text
	t.visible = t.visible[:0:0]
	sel := -1
	for _, r := range t.rows {
		if r.matches(filter, text) {
			if r.key() == t.selected && t.selected != (rowKey{}) {
				sel = len(t.visible)
			}
			t.visible = append(t.visible, r)
		}
	}
	switch {
	case len(t.rows) == 0:
		t.msg.show(lang.L("No orders yet. Orders you place from the Catalog or a Shop appear here, with their status and delivered accounts."), "", nil)
		t.count.SetText("")
	case len(t.visible) == 0:
		t.msg.show(lang.L("No order matches the filter."), "", nil)
		t.count.SetText(fmt.Sprintf(lang.L("0 of %d"), len(t.rows)))
	default:
		t.msg.root.Hide()
		if len(t.visible) == len(t.rows) {
			t.count.SetText(fmt.Sprintf(lang.L("%d orders"), len(t.rows)))
		} else {
			t.count.SetText(fmt.Sprintf(lang.L("%d of %d"), len(t.visible), len(t.rows)))
		}
	}
	t.list.Refresh()
	t.restoring = true
	defer func() { t.restoring = false }()
	if sel >= 0 {
		t.list.Select(sel)
		t.detail.show(t.visible[sel], false)
	} else {
		t.list.UnselectAll()
		t.detail.clear()
	}
}

// selectKey selects the row of k (tests, and after an action). UI goroutine only.
func (t *ordersTab) selectKey(k rowKey) bool {
	for i, r := range t.visible {
		if r.key() == k {
			t.list.Select(i)
			return true
		}
	}
	return false
}

// onEvent re-reads the journal when the poller reports a change. UI goroutine only.
func (t *ordersTab) onEvent(watch.Event) { t.reload() }

// ---- rows ----

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
	parts := []string{fmt.Sprintf(lang.L("placed %s"), formatWhen(r.placed()))}
	switch r.kind() {
	case kindUnconfirmed, kindSending:
		if r.spend != nil && r.spend.Error != "" {
			parts = append(parts, r.spend.Error)
		} else {
			parts = append(parts, lang.L("outcome unknown: check your balance"))
		}
	case kindNotPlaced:
		parts = append(parts, lang.L("marked not placed"))
	}
	if r.order != nil && !r.order.UpdatedAt.IsZero() {
		parts = append(parts, fmt.Sprintf(lang.L("updated %s"), formatWhen(r.order.UpdatedAt)))
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
		qty.SetText(fmt.Sprintf(lang.L("%s of %s"), groupDigits(done), groupDigits(q)))
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
