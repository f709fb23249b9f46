package gui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// ordersTab lists the orders this app placed, newest first, from the local journal: there is no
// API call that lists a customer's orders. Unconfirmed attempts without an order id are listed
// first. The list is filtered by status and text; the pane on the right shows the selected
// order: its status history, its delivered accounts, and what can be done about an unconfirmed
// attempt.
type ordersTab struct {
	ui   *UI
	svc  ordersService
	item *container.TabItem
	list *widget.List
	msg  *messageBox

	status    *guardedSelect // the status filter (statusFilters)
	period    *guardedSelect // the date filter (periodFilters)
	exportAll *widget.Button
	search    *widget.Entry // the text filter: order number, service name, link
	count     *widget.Label
	detail    *orderDetail

	// UI goroutine only.
	orders    map[int64]account.Order  // the journal as last read, updated from events
	spends    map[uint64]account.Spend // entries without an order id, or of unconfirmed orders
	rows      []orderRow               // everything, in display order
	visible   []orderRow               // rows passing the filters
	selected  rowKey                   // the selected row, kept across reloads and filters; zero: none
	restoring bool                     // the list's selection is being set by the tab, not the user
	loaded    bool                     // the journal was read at least once
	loading   bool                     // a read of the journal is under way
}

func newOrdersTab(u *UI) *ordersTab {
	t := &ordersTab{ui: u, svc: u.deps.Account, msg: newMessageBox()}
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
	t.status = newSelect(statusFilters(), func(string) { t.applyFilter() })
	t.status.SetSelectedIndex(filterAll)
	t.period = newSelect(periodFilters(), func(string) { t.applyFilter() })
	t.period.SetSelectedIndex(periodAny)
	t.exportAll = widget.NewButtonWithIcon(tr.L("Export…"), theme.DocumentSaveIcon(), t.exportHistory)
	t.search = widget.NewEntry()
	t.search.SetPlaceHolder(tr.L("Search order number, service, link…"))
	t.search.OnChanged = func(string) { t.applyFilter() }
	t.count = widget.NewLabel("")
	t.detail = newOrderDetail(t)

	t.msg.show(tr.L("No orders yet. Orders you place from the Catalog or a Shop appear here, with their status and delivered accounts."), "", nil)
	// The count and Export sit under the list, so the search keeps the width its translated
	// hint needs beside the two filters.
	bar := container.NewBorder(nil, nil, container.NewHBox(t.status, t.period), nil, t.search)
	foot := container.NewHBox(t.count, layout.NewSpacer(), t.exportAll)
	left := container.NewBorder(bar, foot, nil, nil, container.NewStack(t.list, t.msg.root))
	split := container.NewHSplit(left, t.detail.root)
	split.Offset = 0.6
	// The journal is read each time the tab is shown (the first time included), and on events.
	t.item = container.NewTabItemWithIcon(tr.L("Orders"), theme.ListIcon(), newOnShow(split, t.ensureLoaded))
	return t
}

// ensureLoaded reads the journal the first time the tab is shown; events keep it up to date
// after that. UI goroutine only.
func (t *ordersTab) ensureLoaded() {
	if t.orders == nil && !t.loading {
		t.reload()
	}
}

// reload reads the journal off the UI goroutine and shows it, keeping the selection. UI
// goroutine only.
func (t *ordersTab) reload() {
	t.loading = true
	t.ui.background(func(context.Context) {
		j, err := t.svc.OrdersJournal()
		if err != nil {
			t.ui.deps.Logf("orders: %v", err)
			fyne.Do(func() { t.loading = false })
			return
		}
		fyne.Do(func() {
			t.loading = false
			t.orders = make(map[int64]account.Order, len(j.Orders))
			for _, o := range j.Orders {
				t.orders[o.ID] = o
			}
			t.spends = make(map[uint64]account.Spend, len(j.Spends))
			for _, sp := range j.Spends {
				t.spends[sp.ID] = sp
			}
			t.setRows(orderRows(t.orders, t.spends))
		})
	})
}

// onEvent updates the rows from an event of the service layer: the order or the journal entry
// as stored after the change. UI goroutine only.
func (t *ordersTab) onEvent(ev account.Event) {
	if t.orders == nil {
		return // never read: the first reload reads everything
	}
	changed := false
	if ev.Spend != nil && ev.Spend.Action == account.ActionAdd {
		t.spends[ev.Spend.ID] = *ev.Spend
		changed = true
	}
	if o := ev.OrderRec; o != nil {
		t.orders[o.ID] = *o
		changed = true
	}
	if changed {
		t.setRows(orderRows(t.orders, t.spends))
	}
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
	since := periodStart(t.period.SelectedIndex(), time.Now())
	t.visible = t.visible[:0:0]
	sel := -1
	for _, r := range t.rows {
		if r.matches(filter, text) && !r.placed().Before(since) {
			if r.key() == t.selected && t.selected != (rowKey{}) {
				sel = len(t.visible)
			}
			t.visible = append(t.visible, r)
		}
	}
	switch {
	case len(t.rows) == 0:
		t.msg.show(tr.L("No orders yet. Orders you place from the Catalog or a Shop appear here, with their status and delivered accounts."), "", nil)
		t.count.SetText("")
	case len(t.visible) == 0:
		t.msg.show(tr.L("No order matches the filter."), "", nil)
		t.count.SetText(fmt.Sprintf(tr.L("0 of %d"), len(t.rows)))
	default:
		t.msg.root.Hide()
		if len(t.visible) == len(t.rows) {
			t.count.SetText(fmt.Sprintf(tr.N("%d orders", len(t.rows)), len(t.rows)))
		} else {
			t.count.SetText(fmt.Sprintf(tr.L("%d of %d"), len(t.visible), len(t.rows)))
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

// The date filters, in the order of the Select.
const (
	periodAny = iota
	periodToday
	periodWeek
	periodMonth
)

func periodFilters() []string {
	return []string{tr.L("Any time"), tr.L("Today"), tr.L("Last 7 days"), tr.L("Last 30 days")}
}

// periodStart is the earliest placing time the date filter keeps (zero: any).
func periodStart(period int, now time.Time) time.Time {
	now = now.Local()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	switch period {
	case periodToday:
		return today
	case periodWeek:
		return today.AddDate(0, 0, -6)
	case periodMonth:
		return today.AddDate(0, 0, -29)
	}
	return time.Time{}
}

// exportHistory saves the orders shown (the filters apply) as CSV. UI goroutine only.
func (t *ordersTab) exportHistory() {
	var orders []account.Order
	for _, r := range t.visible {
		if r.order != nil {
			orders = append(orders, *r.order)
		}
	}
	if len(orders) == 0 {
		showInformation(tr.L("Nothing to export"), tr.L("No order is listed."), t.ui.win)
		return
	}
	data := account.ExportOrdersCSV(orders)
	win := t.ui.win
	fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(err, win)
			return
		}
		if w == nil {
			return // cancelled
		}
		name := exportPath(w.URI())
		if err := writeExport(w, data); err != nil {
			showError(fmt.Errorf(tr.L("could not save %s: %w"), name, err), win)
			return
		}
		showInformation(tr.L("Exported"), fmt.Sprintf(tr.N("Saved %d orders to %s.", len(orders)), len(orders), name), win)
	}, win)
	fd.SetFileName("hstockplus-orders.csv")
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	fd.Resize(fyne.NewSize(800, 560))
	showDialog(fd, win)
}
