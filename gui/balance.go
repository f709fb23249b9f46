package gui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/internal/tr"
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
	txs       []account.Transaction
	txList    *widget.List
	txMsg     *widget.Label
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
	t.refresh = widget.NewButtonWithIcon(tr.L("Refresh"), theme.ViewRefreshIcon(), func() {
		t.refresh.Disable()
		u.background(t.load)
	})
	title := widget.NewLabelWithStyle(tr.L("Balance"), fyne.TextAlignCenter, fyne.TextStyle{})
	t.threshold = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	settings := widget.NewButtonWithIcon(tr.L("Change…"), theme.SettingsIcon(), func() { u.openSettings() })
	t.history = newChart(false, tr.L("No balance history yet: it is recorded each time the balance is read."))
	t.spending = newChart(true, tr.L("Nothing spent in the last 30 days."))
	head := container.NewVBox(title, t.amount, t.updated, container.NewCenter(t.refresh), t.errText,
		container.NewCenter(container.NewHBox(t.threshold, settings)))
	charts := container.NewGridWithColumns(2,
		container.NewBorder(widget.NewLabelWithStyle(fmt.Sprintf(tr.L("Balance, last %d days"), chartDays), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), nil, nil, nil, t.history),
		container.NewBorder(widget.NewLabelWithStyle(fmt.Sprintf(tr.L("Spent per day, last %d days"), chartDays), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), nil, nil, nil, t.spending),
	)
	t.txList = widget.NewList(func() int { return len(t.txs) }, newTransactionRow, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(t.txs) {
			setTransactionRow(o, t.txs[id], u.currency())
		}
	})
	t.txMsg = widget.NewLabelWithStyle(tr.L("No charge in the last 30 days."), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	export := widget.NewButtonWithIcon(tr.L("Export…"), theme.DocumentSaveIcon(), t.exportTransactions)
	txHead := container.NewBorder(nil, nil, nil, export,
		widget.NewLabelWithStyle(fmt.Sprintf(tr.L("Transactions, last %d days"), chartDays), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	txs := container.NewBorder(txHead, nil, nil, nil, container.NewStack(t.txList, container.NewCenter(t.txMsg)))
	lower := container.NewVSplit(container.NewPadded(charts), container.NewPadded(txs))
	lower.Offset = 0.55
	t.item = container.NewTabItemWithIcon(tr.L("Balance"), theme.AccountIcon(), container.NewBorder(container.NewPadded(head), nil, nil, nil, lower))
	u.OnPrefsChange(func(Prefs) { t.showThreshold() })
	t.showThreshold()
	return t
}

// showThreshold says below what the low-balance warning comes. UI goroutine only.
func (t *balanceTab) showThreshold() {
	p := t.ui.Prefs()
	if p.LowBalance.IsZero() {
		t.threshold.SetText(tr.L("No low-balance warning."))
		return
	}
	t.threshold.SetText(fmt.Sprintf(tr.L("Warning when the balance falls below %s %s."), p.LowBalance, t.ui.currency()))
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
	txs, err := t.svc.Transactions(chartDays, time.Now())
	if err != nil {
		t.ui.deps.Logf("balance: transactions: %v", err)
	}
	fyne.Do(func() {
		t.history.set(hist)
		t.spending.set(spent)
		t.txs = txs
		t.txMsg.Hidden = len(txs) > 0
		t.txMsg.Refresh()
		t.txList.Refresh()
	})
}

// newTransactionRow: when and what over the order number; the amount; the balance after it.
func newTransactionRow() fyne.CanvasObject {
	what := widget.NewLabel("")
	what.Truncation = fyne.TextTruncateEllipsis
	amount := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
	balance := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
	balance.Importance = widget.LowImportance
	return newColumns([]float32{0, 130, 150}, what, amount, balance)
}

func setTransactionRow(o fyne.CanvasObject, tx account.Transaction, currency string) {
	cols := o.(*fyne.Container).Objects
	kind := fmt.Sprintf(tr.L("Order #%d"), tx.Order)
	if tx.Number {
		kind = fmt.Sprintf(tr.L("Number #%d"), tx.Order)
	}
	cols[0].(*widget.Label).SetText(formatWhen(tx.At) + " · " + kind + " · " + short(tx.Label, maxName))
	amount := tr.L("not charged yet")
	if tx.Known {
		amount = fmt.Sprintf("%s %s", money(tx.Amount), currency)
	}
	cols[1].(*widget.Label).SetText(amount)
	balance := ""
	if tx.BalanceKnown {
		balance = fmt.Sprintf(tr.L("→ %s %s"), money(tx.Balance), currency)
	}
	cols[2].(*widget.Label).SetText(balance)
}

// exportTransactions saves the transactions listed as CSV. UI goroutine only.
func (t *balanceTab) exportTransactions() {
	if len(t.txs) == 0 {
		showInformation(tr.L("Nothing to export"), tr.L("No charge in the last 30 days."), t.ui.win)
		return
	}
	data, n, win := account.ExportTransactionsCSV(t.txs), len(t.txs), t.ui.win
	fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(err, win)
			return
		}
		if w == nil {
			return
		}
		name := exportPath(w.URI())
		if err := writeExport(w, data); err != nil {
			showError(fmt.Errorf(tr.L("could not save %s: %w"), name, err), win)
			return
		}
		showInformation(tr.L("Exported"), fmt.Sprintf(tr.N("Saved %d transactions to %s.", n), n, name), win)
	}, win)
	fd.SetFileName("hstockplus-transactions.csv")
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	fd.Resize(fyne.NewSize(800, 560))
	showDialog(fd, win)
}

// showSaved shows the balance as last read (the store's, before the poller's first answer),
// marked with its time. UI goroutine only.
func (t *balanceTab) showSaved() {
	r, ok := t.svc.Balance()
	if !ok {
		return
	}
	when := fmt.Sprintf(tr.L("Updated %s"), formatWhen(r.At))
	if r.Saved {
		when = fmt.Sprintf(tr.L("Saved %s"), formatWhen(r.At))
	}
	t.show(money(r.Balance.Balance)+" "+short(r.Balance.Currency, maxCurrency), when)
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
	t.show(fmt.Sprintf("%s %s", money(ev.Balance), short(ev.Currency, maxCurrency)), fmt.Sprintf(tr.L("Updated %s"), formatWhen(ev.At)))
	t.ui.async(t.loadCharts)
}
