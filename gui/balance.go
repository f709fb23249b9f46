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
)

// balanceTab shows the account balance with a refresh action.
type balanceTab struct {
	ui      *UI
	item    *container.TabItem
	amount  *widget.Label
	updated *widget.Label
	errText *widget.Label
	refresh *widget.Button
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

// load fetches the balance; it runs off the UI goroutine and applies the result with fyne.Do.
func (t *balanceTab) load(ctx context.Context) {
	b, err := t.ui.deps.API.Balance(ctx)
	if err == nil {
		t.ui.deps.Logf("balance: %s %s", b.Balance, b.Currency)
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
		t.amount.SetText(fmt.Sprintf("%s %s", b.Balance, b.Currency))
		t.updated.SetText(fmt.Sprintf(lang.L("Updated %s"), time.Now().Format("15:04:05")))
	})
}
