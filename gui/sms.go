package gui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"github.com/hstockplus/hstockplus/watch"
)

// smsTab will rent numbers and show their codes; until then it explains what it is for.
type smsTab struct {
	item *container.TabItem
}

func newSMSTab(*UI) *smsTab {
	msg := newMessageBox()
	msg.show(lang.L("Rent a phone number for SMS verification. Numbers you rent and the codes they receive appear here."), "", nil)
	return &smsTab{item: container.NewTabItemWithIcon(lang.L("SMS"), theme.MailComposeIcon(), msg.root)}
}

// onEvent will refresh the numbers when the poller reports a change. UI goroutine only.
func (t *smsTab) onEvent(watch.Event) {}
