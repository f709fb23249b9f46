package gui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/watch"
)

// ordersTab lists the orders this app placed, newest first, from the local journal: there is no
// API call that lists a customer's orders. Unconfirmed attempts are listed first.
type ordersTab struct {
	ui   *UI
	item *container.TabItem
	rows []orderRow // UI goroutine only
	list *widget.List
	msg  *messageBox
}

// orderRow is one line of the list: a known order, or a journal entry with no order id.
type orderRow struct {
	order *cache.Order
	spend *cache.Spend
}

func newOrdersTab(u *UI) *ordersTab {
	t := &ordersTab{ui: u, msg: newMessageBox()}
	t.list = widget.NewList(
		func() int { return len(t.rows) },
		func() fyne.CanvasObject {
			title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title.Truncation = fyne.TextTruncateEllipsis
			sub := widget.NewLabel("")
			sub.Truncation = fyne.TextTruncateEllipsis
			sub.SizeName = theme.SizeNameCaptionText
			status := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
			return newColumns([]float32{0, 220}, container.NewVBox(title, sub), status)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(t.rows) {
				setOrderRow(o, t.rows[id])
			}
		},
	)
	t.msg.show(lang.L("No orders yet. Orders you place from the Catalog or a Shop appear here, with their status and delivered accounts."), "", nil)
	t.item = container.NewTabItemWithIcon(lang.L("Orders"), theme.ListIcon(), container.NewStack(t.list, t.msg.root))
	return t
}

// reload reads the journal off the UI goroutine and shows it. UI goroutine only.
func (t *ordersTab) reload() {
	st := t.ui.deps.Store
	if st == nil {
		return
	}
	t.ui.background(func(context.Context) {
		orders, err := st.Orders(cache.Query{})
		if err != nil {
			t.ui.deps.Logf("orders: %v", err)
			return
		}
		spends, err := st.Spends(cache.SpendUnconfirmed, cache.SpendSending)
		if err != nil {
			t.ui.deps.Logf("orders: %v", err)
			return
		}
		var rows []orderRow
		for i := range spends {
			if spends[i].Action == cache.ActionAdd && len(spends[i].Orders) == 0 {
				rows = append(rows, orderRow{spend: &spends[i]})
			}
		}
		for i := range orders {
			rows = append(rows, orderRow{order: &orders[i]})
		}
		fyne.Do(func() {
			t.rows = rows
			if len(rows) > 0 {
				t.msg.root.Hide()
			}
			t.list.Refresh()
		})
	})
}

func setOrderRow(o fyne.CanvasObject, r orderRow) {
	cols := o.(*fyne.Container).Objects
	texts := cols[0].(*fyne.Container).Objects
	title, sub, status := texts[0].(*widget.Label), texts[1].(*widget.Label), cols[1].(*widget.Label)
	if r.spend != nil {
		s := r.spend
		title.SetText(fmt.Sprintf(lang.L("%s × %s"), s.Label, groupDigits(s.Add.Quantity)))
		sub.SetText(fmt.Sprintf(lang.L("%s · outcome unknown: check your balance · %s"), formatWhen(s.CreatedAt), s.Error))
		status.SetText(lang.L("Unconfirmed"))
		status.Importance = widget.WarningImportance
		status.Refresh()
		return
	}
	ord := r.order
	title.SetText(fmt.Sprintf("#%s  %s × %s", strconv.FormatInt(ord.ID, 10), ord.Label, groupDigits(ord.Quantity)))
	parts := []string{formatWhen(ord.PlacedAt)}
	if ord.Link != "" {
		parts = append(parts, ord.Link)
	}
	if ord.Status != "" && ord.Quantity > 0 {
		parts = append(parts, fmt.Sprintf(lang.L("%s of %s done"), groupDigits(ord.Quantity-ord.Remains), groupDigits(ord.Quantity)))
	}
	if !ord.Charge.IsZero() {
		parts = append(parts, fmt.Sprintf(lang.L("charged %s %s"), ord.Charge, ord.Currency))
	} else if !ord.Estimate.IsZero() {
		parts = append(parts, fmt.Sprintf(lang.L("≈ %s"), ord.Estimate.StringFixed(4)))
	}
	if ord.Delivered > 0 {
		parts = append(parts, fmt.Sprintf(lang.L("%d accounts delivered"), ord.Delivered))
	}
	sub.SetText(strings.Join(parts, " · "))
	st := string(ord.Status)
	switch {
	case ord.Unconfirmed:
		st, status.Importance = lang.L("Unconfirmed"), widget.WarningImportance
	case st == "":
		st, status.Importance = lang.L("Placed"), widget.MediumImportance
	case ord.Status == "Completed":
		status.Importance = widget.SuccessImportance
	case ord.Status == "Canceled" || ord.Status == "Cancelled":
		status.Importance = widget.DangerImportance
	case ord.Status == "Partial":
		status.Importance = widget.WarningImportance
	default:
		status.Importance = widget.HighImportance
	}
	status.SetText(st)
}

// onEvent re-reads the journal when the poller reports a change. UI goroutine only.
func (t *ordersTab) onEvent(watch.Event) { t.reload() }
