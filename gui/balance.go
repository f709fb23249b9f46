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

	"github.com/hstockplus/hstockplus/account"
)

// balanceTab shows the account balance with a refresh action.
type balanceTab struct {
	ui      *UI
	item    *container.TabItem
	amount  *widget.Label
	updated *widget.Label
	errText *widget.Label
	refresh *widget.Button
	svc     balanceService

	threshold *widget.Label
	history   *chart // balance over time
	spending  *chart // spent per day
}

// chartDays is how far back the charts look.
const chartDays = 30

func newBalanceTab(u *UI) *balanceTab {
	t := &balanceTab{
		ui:      u,
		svc:     u.deps.Account,
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
	c, err := t.svc.BalanceCharts(chartDays, time.Now())
	if err != nil {
		t.ui.deps.Logf("balance: charts: %v", err)
	}
	hist := make([]chartPoint, 0, len(c.History))
	for _, p := range c.History {
		hist = append(hist, chartPoint{At: p.At, Value: p.Balance})
	}
	spent := make([]chartPoint, 0, len(c.Spent))
	for _, d := range c.Spent {
		spent = append(spent, chartPoint{At: d.Day, Value: d.Total})
	}
	fyne.Do(func() {
		t.history.set(hist)
		t.spending.set(spent)
	})
}

// showSaved shows the balance as last read (the store's, before the poller's first answer),
// marked with its time. UI goroutine only.
func (t *balanceTab) showSaved() {
	r, ok := t.svc.Balance()
	if !ok {
		return
	}
	when := fmt.Sprintf(lang.L("Updated %s"), formatWhen(r.At))
	if r.Saved {
		when = fmt.Sprintf(lang.L("Saved %s"), formatWhen(r.At))
	}
	t.show(r.Balance.Balance.String()+" "+short(r.Balance.Currency, maxCurrency), when)
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
	if t.ui.sms != nil && t.ui.sms.total != nil {
		t.ui.sms.updateTotal()
	}
}

// load asks the service layer for the balance, off the UI goroutine. What it reads comes back
// as a KindBalance event (onEvent); an error is shown here.
func (t *balanceTab) load(ctx context.Context) {
	_, err := t.svc.RefreshBalance(ctx)
	if err != nil {
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
	})
}

// onEvent shows a balance the service layer read. UI goroutine only.
func (t *balanceTab) onEvent(ev account.Event) {
	if ev.Kind != account.KindBalance || ev.Currency == "" {
		return
	}
	t.errText.Hide()
	t.show(fmt.Sprintf("%s %s", ev.Balance, short(ev.Currency, maxCurrency)), fmt.Sprintf(lang.L("Updated %s"), formatWhen(ev.At)))
	t.ui.async(t.loadCharts)
}
