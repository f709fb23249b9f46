package gui

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/internal/tr"
)

// The welcome: on the first run without an API key (Deps.FirstRun; the window is already on the
// demo sandbox) a dialog offers "Enter API key" — a key form with Test connection; "Save and
// connect" tests the key, stores it (Deps.Secrets) and calls Deps.Reconnect — or "Try the demo",
// which just closes it. Once closed, however, it is not shown again by itself
// (Prefs.WelcomeDismissed); while there is still no key, HstockPlus ▸ Enter API key… opens it.

// welcomeDialog is the open welcome. UI goroutine only.
type welcomeDialog struct {
	ui   *UI
	dlg  *dialog.CustomDialog
	body *fyne.Container // the current step
	conn *connectionForm

	intro   fyne.CanvasObject
	keyForm fyne.CanvasObject
	enter   *widget.Button // "Enter API key"
	demo    *widget.Button // "Try the demo"
	back    *widget.Button
	cancel  *widget.Button
	connect *widget.Button // "Save and connect"
	errText *widget.Label
}

// showWelcomeIfNeeded shows the welcome on a first run until it has been dismissed.
func (u *UI) showWelcomeIfNeeded() {
	if u.deps.FirstRun && u.deps.Demo && !u.Prefs().WelcomeDismissed {
		u.showWelcome()
	}
}

// showWelcome opens the welcome (or leaves the open one). UI goroutine only.
func (u *UI) showWelcome() {
	if u.welcome != nil {
		return
	}
	w := &welcomeDialog{ui: u}
	u.welcome = w

	title := widget.NewLabelWithStyle(tr.L("Welcome to HstockPlus"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	text := widget.NewLabel(tr.L("Browse the catalog, place orders and rent numbers for SMS codes from your desktop, and be told the moment an order is delivered or a code arrives.\n\nTo use your account, enter the API key from your HstockPlus account page. Or look around first in the demo: a simulated HstockPlus where nothing is charged."))
	text.Wrapping = fyne.TextWrapWord
	w.intro = container.NewVBox(title, text)

	w.conn = newConnectionForm(u, u.Prefs().Endpoint, tr.L("Paste your API key"))
	help := widget.NewLabel(tr.L("Your API key is on your HstockPlus account page.") + " " + u.keyWhere())
	help.Wrapping = fyne.TextWrapWord
	w.errText = widget.NewLabel("")
	w.errText.Wrapping = fyne.TextWrapWord
	w.errText.Importance = widget.DangerImportance
	w.errText.Hide()
	form := widget.NewForm(
		widget.NewFormItem(tr.L("API key"), w.conn.key),
		widget.NewFormItem(tr.L("API endpoint"), w.conn.endpoint),
		widget.NewFormItem("", w.conn.row()),
	)
	w.keyForm = container.NewVBox(help, form, w.errText)
	for _, e := range []*escEntry{w.conn.endpoint, w.conn.key} {
		e.OnChanged = func(string) { w.errText.Hide() }
	}

	w.enter = widget.NewButtonWithIcon(tr.L("Enter API key"), theme.LoginIcon(), w.showKeyForm)
	w.enter.Importance = widget.HighImportance
	w.demo = widget.NewButtonWithIcon(tr.L("Try the demo"), theme.MediaPlayIcon(), w.dlgHide)
	w.cancel = widget.NewButton(tr.L("Cancel"), w.dlgHide)
	w.back = widget.NewButtonWithIcon(tr.L("Back"), theme.NavigateBackIcon(), w.showIntro)
	w.connect = widget.NewButtonWithIcon(tr.L("Save and connect"), theme.ConfirmIcon(), w.saveAndConnect)
	w.connect.Importance = widget.HighImportance

	w.body = container.NewStack(w.intro)
	w.dlg = dialog.NewCustomWithoutButtons(tr.L("HstockPlus"), w.body, u.win)
	w.dlg.SetButtons([]fyne.CanvasObject{w.demo, w.enter})
	w.dlg.SetOnClosed(func() {
		u.welcome = nil
		if p := u.Prefs(); !p.WelcomeDismissed {
			p.WelcomeDismissed = true
			u.setPrefs(p)
		}
	})
	w.dlg.Resize(fyne.NewSize(560, 340))
	showDialog(w.dlg, u.win)
}

func (w *welcomeDialog) dlgHide() { w.dlg.Hide() }

func (w *welcomeDialog) showKeyForm() {
	w.body.Objects = []fyne.CanvasObject{w.keyForm}
	w.body.Refresh()
	w.dlg.SetButtons([]fyne.CanvasObject{w.cancel, w.back, w.connect})
	w.ui.win.Canvas().Focus(w.conn.key)
}

func (w *welcomeDialog) showIntro() {
	w.body.Objects = []fyne.CanvasObject{w.intro}
	w.body.Refresh()
	w.dlg.SetButtons([]fyne.CanvasObject{w.demo, w.enter})
}

func (w *welcomeDialog) fail(err error) {
	w.errText.SetText(err.Error())
	w.errText.Show()
}

// saveAndConnect tests the key, stores it and the endpoint, closes the welcome and reconnects.
// The test and the keyring run off the UI goroutine.
func (w *welcomeDialog) saveAndConnect() {
	endpoint, key, err := w.conn.values()
	if err == nil && key == "" {
		err = errors.New(tr.L("Enter your API key first."))
	}
	if err != nil {
		w.fail(err)
		return
	}
	w.errText.Hide()
	u := w.ui
	u.choosePassphraseThen(func(err error) {
		if err != nil {
			w.fail(err)
			return
		}
		w.connectWith(endpoint, key)
	})
}

// connectWith tests the key, saves it and reconnects. UI goroutine only.
func (w *welcomeDialog) connectWith(endpoint, key string) {
	w.connect.Disable()
	w.back.Disable()
	w.conn.say(tr.L("Connecting…"), widget.MediumImportance)
	lng := w.conn.langCode()
	u := w.ui
	w.conn.async(func(ctx context.Context) {
		bal, err := u.checkConnection(ctx, endpoint, key, lng)
		if err == nil {
			err = u.saveKey(key)
		} else {
			err = errors.New(describeError(err))
		}
		fyne.Do(func() {
			w.connect.Enable()
			w.back.Enable()
			if err != nil {
				w.conn.result.Hide()
				w.fail(err)
				return
			}
			w.conn.say(fmt.Sprintf(tr.L("Connected. Balance: %s %s"), bal.Balance, bal.Currency), widget.SuccessImportance)
			p := u.Prefs()
			p.Endpoint, p.WelcomeDismissed = endpoint, true
			u.setPrefs(p)
			w.dlg.Hide()
			u.reconnect(endpoint, key)
		})
	})
}
