package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/assets"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// ShowWrongKey explains that the local store cannot be opened with the key found, and offers the
// choice: quit (and find the right keyring or user account), or keep the old data aside and
// start with an empty store. Nothing is ever deleted.
func ShowWrongKey(a fyne.App, dir string, cause error, startAfresh func()) {
	w := a.NewWindow(tr.L("HstockPlus — cannot open your data"))
	w.SetIcon(assets.Icon)
	text := widget.NewLabel(fmt.Sprintf(tr.L("Your saved data in %s is encrypted with a key that is not in this keyring (another user account, a reset keyring, or a copied folder).\n\nQuit and sign in where the data was made, or keep the old data aside — untouched — and start with an empty store. Orders placed from the old store stay on your HstockPlus account."), dir))
	text.Wrapping = fyne.TextWrapWord
	detail := widget.NewLabel(cause.Error())
	detail.Wrapping = fyne.TextWrapWord
	detail.Importance = widget.LowImportance
	quit := widget.NewButtonWithIcon(tr.L("Quit"), theme.CancelIcon(), a.Quit)
	fresh := widget.NewButtonWithIcon(tr.L("Keep old data aside and start afresh"), theme.ConfirmIcon(), func() {
		w.Hide()
		startAfresh()
		w.Close()
	})
	fresh.Importance = widget.WarningImportance
	w.SetContent(container.NewPadded(container.NewBorder(nil, container.NewHBox(quit, fresh), nil, nil, container.NewVBox(text, detail))))
	w.Resize(fyne.NewSize(620, 300))
	// Not the master window (closing that quits the app even after the main window opened).
	w.SetCloseIntercept(a.Quit)
	w.Show()
}

// ShowFatal shows an error that stops the app from starting, with a Quit button.
func ShowFatal(a fyne.App, err error) {
	w := a.NewWindow(tr.L("HstockPlus cannot start"))
	w.SetIcon(assets.Icon)
	msg := widget.NewLabel(err.Error())
	msg.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewPadded(container.NewBorder(nil, container.NewCenter(widget.NewButton(tr.L("Quit"), a.Quit)), nil, nil, msg)))
	w.Resize(fyne.NewSize(520, 220))
	w.SetMaster()
	w.Show()
}
