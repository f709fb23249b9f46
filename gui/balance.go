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

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/cache"
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

	threshold *widget.Label
	history   *chart // balance over time
	spending  *chart // spent per day
}

// chartDays is how far back the charts look.
const chartDays = 30

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
	t.threshold = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	settings := widget.NewButtonWithIcon(lang.L("Change…"), theme.SettingsIcon(), func() { u.openSettings() })
	t.history = newChart(false, lang.L("No balance history yet: it is recorded each time the balance is read."))
	t.spending = newChart(true, lang.L("Nothing spent in the last 30 days."))
	head := container.NewVBox(title, t.amount, t.updated, container.NewCenter(t.refresh), t.errText,
		container.NewCenter(container.NewHBox(t.threshold, settings)))
	charts := container.NewGridWithColumns(2,
		container.NewBorder(widget.NewLabelWithStyle(fmt.Sprintf(lang.L("Balance, last %d days"), chartDays), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), nil, nil, nil, t.history),
		container.NewBorder(widget.NewLabelWithStyle(fmt.Sprintf(lang.L("Spent per day, last %d days"), chartDays), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), nil, nil, nil, t.spending),
	)
	t.item = container.NewTabItemWithIcon(lang.L("Balance"), theme.AccountIcon(), container.NewBorder(container.NewPadded(head), nil, nil, nil, container.NewPadded(charts)))
	u.OnPrefsChange(func(Prefs) { t.showThreshold() })
	t.showThreshold()
	return t
}

// showThreshold says below what the low-balance warning comes. UI goroutine only.
func (t *balanceTab) showThreshold() {
	p := t.ui.Prefs()
	if p.LowBalance.IsZero() {
		t.threshold.SetText(lang.L("No low-balance warning."))
		return
	}
	t.threshold.SetText(fmt.Sprintf(lang.L("Warning when the balance falls below %s %s."), p.LowBalance, t.ui.currency()))
}

// loadCharts reads the balance history and the journal's charges, off the UI goroutine.
func (t *balanceTab) loadCharts() {
	st := t.ui.deps.Store
	if st == nil {
		return
	}
	now := time.Now()
	since := now.AddDate(0, 0, -chartDays)
	var hist []chartPoint
	if pts, err := st.BalanceHistory(since, now); err == nil {
		for _, p := range pts {
			hist = append(hist, chartPoint{At: p.At, Value: p.Balance})
		}
		if len(hist) > 0 { // a balance holds until it changes: draw the last one up to now
			hist = append(hist, chartPoint{At: now, Value: hist[len(hist)-1].Value})
		}
	}
	orders, _ := st.Orders(cache.Query{Since: since})
	numbers, _ := st.SMSNumbers(cache.Query{Since: since})
	spent := spendingPerDay(orders, numbers, chartDays, now)
	fyne.Do(func() {
		t.history.set(hist)
		t.spending.set(spent)
	})
}

// spendingPerDay adds up, exactly, what orders and numbers were charged on each local day of the
// last days days (today included), oldest first. A charge counts on the day it was placed; an
// order with no reported charge yet counts nothing (its estimate is not a charge).
func spendingPerDay(orders []cache.Order, numbers []cache.SMSNumber, days int, now time.Time) []chartPoint {
	now = now.Local()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	first := today.AddDate(0, 0, -(days - 1))
	sums := make([]decimal.Decimal, days)
	add := func(at time.Time, charge client.Decimal) {
		at = at.Local()
		d := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.Local)
		i := int(d.Sub(first).Hours()/24 + 0.5)
		if i >= 0 && i < days {
			sums[i] = sums[i].Add(charge.Decimal)
		}
	}
	for _, o := range orders {
		add(o.PlacedAt, o.Charge)
	}
	for _, n := range numbers {
		add(n.PlacedAt, n.Charge)
	}
	out := make([]chartPoint, days)
	for i := range out {
		out[i] = chartPoint{At: first.AddDate(0, 0, i), Value: client.Decimal{Decimal: sums[i]}}
	}
	return out
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
	t.ui.async(t.loadCharts)
}
