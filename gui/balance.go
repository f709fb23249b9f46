package gui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/watch"
)

// balanceTab shows the account balance with a refresh action.
type balanceTab struct {
	ui      *UI
	item    *container.TabItem
	amount  *widget.Label
	updated *widget.Label
	errText *widget.Label
	refresh *widget.Button
	known   *client.Balance // last balance seen, fresh or saved; UI goroutine only
}

func newBalanceTab(u *UI) *balanceTab {
	t := &balanceTab{
		ui:      u,
		amount:  widget.NewLabelWithStyle("…", fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		updated: widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Italic: true}),
		errText: widget.NewLabel(""),
	}
	t.amount.SizeName = theme.SizeNameHeadingText
	t.errText.Wrapping = fyne.TextWrapWord
	t.errText.Importance = widget.DangerImportance
	t.errText.Hide()
	t.refresh = widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), func() {
		t.refresh.Disable()
		u.background(t.load)
	})
	title := widget.NewLabelWithStyle(lang.L("Balance"), fyne.TextAlignCenter, fyne.TextStyle{})
	body := container.NewVBox(title, t.amount, t.updated, container.NewCenter(t.refresh), t.errText)
	t.item = container.NewTabItemWithIcon(lang.L("Balance"), theme.AccountIcon(), container.NewCenter(body))
	return t
}

// loadSaved shows the last balance the store knows, marked with its time. Off the UI goroutine.
func (t *balanceTab) loadSaved() {
	st := t.ui.deps.Store
	if st == nil {
		return
	}
	p, err := st.LastBalance()
	if err != nil {
		return
	}
	fyne.Do(func() {
		if t.amount.Text != "…" { // a fresh answer came first
			return
		}
		t.known = &client.Balance{Balance: p.Balance, Currency: p.Currency}
		t.show(p.Balance.String()+" "+p.Currency, fmt.Sprintf(lang.L("Saved %s"), formatWhen(p.At)))
	})
}

// show puts a balance on screen and in the status bar. UI goroutine only.
func (t *balanceTab) show(amount, when string) {
	t.amount.SetText(amount)
	t.updated.SetText(when)
	t.ui.status.setBalance(amount)
	// The order forms show the estimate beside the balance: bring them up to date.
	for _, d := range []*serviceDetail{t.ui.catalog.detail, t.ui.shops.detail} {
		if d != nil {
			d.updateEstimate()
		}
	}
}

// load fetches the balance; it runs off the UI goroutine and applies the result with fyne.Do.
func (t *balanceTab) load(ctx context.Context) {
	b, err := t.ui.deps.API.Balance(ctx)
	if err == nil {
		t.ui.deps.Logf("balance: %s %s", b.Balance, b.Currency)
		if st := t.ui.deps.Store; st != nil {
			if _, err := st.RecordBalance(*b, time.Now()); err != nil {
				t.ui.deps.Logf("balance: not saved: %v", err)
			}
		}
	} else {
		t.ui.deps.Logf("balance: %v", err)
	}
	fyne.Do(func() {
		t.refresh.Enable()
		if err != nil {
			t.errText.SetText(describeError(err))
			t.errText.Show()
			return
		}
		t.errText.Hide()
		t.known = b
		t.show(fmt.Sprintf("%s %s", b.Balance, b.Currency), fmt.Sprintf(lang.L("Updated %s"), time.Now().Format("15:04:05")))
	})
}

// onEvent shows a balance the poller read. UI goroutine only.
func (t *balanceTab) onEvent(ev watch.Event) {
	if ev.Kind != watch.KindBalance || ev.Currency == "" {
		return
	}
	b := client.Balance{Balance: ev.Balance, Currency: ev.Currency}
	t.known = &b
	t.errText.Hide()
	t.show(fmt.Sprintf("%s %s", b.Balance, b.Currency), fmt.Sprintf(lang.L("Updated %s"), formatWhen(ev.At)))
}
