package gui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// statusBar is the strip at the bottom of the window: connection, last sync, whether the checks
// fell behind, where the key is kept, balance. UI goroutine only.
type statusBar struct {
	root    *fyne.Container
	mode    *widget.Label
	synced  *widget.Label
	pace    *widget.Label // shown while the poller stretches its intervals
	keyNote *widget.Label
	balance *widget.Label
	demo    bool
}

func newStatusBar(u *UI) *statusBar {
	b := &statusBar{
		mode:    widget.NewLabel(""),
		synced:  widget.NewLabel(""),
		pace:    widget.NewLabel(""),
		keyNote: widget.NewLabel(""),
		balance: widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}),
		demo:    u.deps.Demo,
	}
	for _, l := range []*widget.Label{b.mode, b.synced, b.pace, b.keyNote, b.balance} {
		l.SizeName = theme.SizeNameCaptionText
	}
	switch k := u.deps.Keys; {
	case k == nil || u.deps.Demo:
	case k.InMemory():
		b.keyNote.SetText(tr.L("No OS keyring and no passphrase: nothing is kept after you quit"))
		b.keyNote.Importance = widget.WarningImportance
	case k.InFile():
		b.keyNote.SetText(tr.L("No OS keyring: your key and data are sealed under your passphrase"))
	}
	b.pace.Importance = widget.WarningImportance
	b.setPace(u.deps.Account.Pace())
	b.setConnecting()
	b.root = container.NewHBox(b.mode, widget.NewSeparator(), b.synced, b.pace, b.keyNote, layout.NewSpacer(), b.balance)
	return b
}

// setConnecting is the state before HstockPlus first answered: not "online" yet.
func (b *statusBar) setConnecting() {
	b.mode.SetText(tr.L("● Connecting…"))
	b.mode.Importance = widget.MediumImportance
	if b.demo {
		b.mode.SetText(tr.L("● Demo"))
		b.mode.Importance = widget.WarningImportance
	}
	b.mode.Refresh()
}

func (b *statusBar) setOnline(online bool) {
	switch {
	case b.demo && online:
		b.mode.SetText(tr.L("● Demo"))
		b.mode.Importance = widget.WarningImportance
	case online:
		b.mode.SetText(tr.L("● Online"))
		b.mode.Importance = widget.SuccessImportance
	default:
		b.mode.SetText(tr.L("● Offline"))
		b.mode.Importance = widget.DangerImportance
	}
	b.mode.Refresh()
}

func (b *statusBar) setSynced(t time.Time) {
	b.synced.SetText(fmt.Sprintf(tr.L("Catalog synced %s"), formatWhen(t)))
}

func (b *statusBar) setBalance(text string) { b.balance.SetText(text) }

// setPace says, while the poller checks less often than its schedule (more is open than the
// request limit allows), how often an order (else a number) is checked; hidden otherwise.
func (b *statusBar) setPace(p account.Pace) {
	switch {
	case !p.Slowed():
		b.pace.Hide()
		return
	case p.OrderEvery > 0:
		b.pace.SetText(fmt.Sprintf(tr.L("Checks slowed: every order every ~%s"), aboutDuration(p.OrderEvery)))
	case p.NumberEvery > 0:
		b.pace.SetText(fmt.Sprintf(tr.L("Checks slowed: every SMS number every ~%s"), aboutDuration(p.NumberEvery)))
	default:
		b.pace.Hide()
		return
	}
	b.pace.Show()
}

// aboutDuration is d rounded for "every ~…": to the minute, or to 5 s below a minute.
func aboutDuration(d time.Duration) string {
	if d >= time.Minute {
		return shortDuration(d.Round(time.Minute))
	}
	return shortDuration(max(d.Round(5*time.Second), 5*time.Second))
}

// formatWhen is a short local time: the clock today, else the date and the clock.
func formatWhen(t time.Time) string {
	t = t.Local()
	now := time.Now()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04")
	}
	return t.Format(tr.L("2 Jan 15:04")) // a Go time layout, per language
}
