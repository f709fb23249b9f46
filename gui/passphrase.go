package gui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/assets"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// Without an OS keyring, the API key and the key of the local data are sealed under a passphrase
// the user chooses, and entered at each start. These are the window (before the main one) and
// the dialog (when a key is first saved from the window) that ask for it.

// PassphraseMode is what the passphrase window asks.
type PassphraseMode int

const (
	// PassphraseUnlock: enter the passphrase of the secrets file.
	PassphraseUnlock PassphraseMode = iota
	// PassphraseChoose: choose one for a new secrets file.
	PassphraseChoose
	// PassphraseMigrate: choose one for secrets an earlier version kept unprotected.
	PassphraseMigrate
)

// passphraseForm is the entries, the error line and the check of a passphrase.
type passphraseForm struct {
	choose       bool
	entry, again *escEntry
	errText      *widget.Label
}

// win is the window of the dialog the form is in (Esc in a field closes it), nil in a window of its own.
func newPassphraseForm(choose bool, win fyne.Window) *passphraseForm {
	f := &passphraseForm{choose: choose, entry: newEscPasswordEntry(win), again: newEscPasswordEntry(win), errText: widget.NewLabel("")}
	f.entry.SetPlaceHolder(tr.L("Passphrase"))
	f.again.SetPlaceHolder(tr.L("The same passphrase again"))
	f.errText.Importance = widget.DangerImportance
	f.errText.Wrapping = fyne.TextWrapWord
	f.errText.Hide()
	return f
}

func (f *passphraseForm) objects() []fyne.CanvasObject {
	if f.choose {
		return []fyne.CanvasObject{f.entry, f.again, f.errText}
	}
	return []fyne.CanvasObject{f.entry, f.errText}
}

// value checks what was typed: long enough and repeated when choosing.
func (f *passphraseForm) value() (string, error) {
	p := f.entry.Text
	switch {
	case !f.choose && p == "":
		return "", errors.New(tr.L("Enter your passphrase."))
	case f.choose && len([]rune(p)) < account.MinPassphrase:
		return "", fmt.Errorf(tr.L("A passphrase needs at least %d characters."), account.MinPassphrase)
	case f.choose && f.again.Text != p:
		return "", errors.New(tr.L("The two passphrases differ."))
	}
	return p, nil
}

func (f *passphraseForm) fail(err error) {
	f.errText.SetText(passphraseErrorText(err))
	f.errText.Show()
}

// passphraseErrorText says what went wrong with a passphrase.
func passphraseErrorText(err error) string {
	switch {
	case errors.Is(err, account.ErrWrongPassphrase):
		return tr.L("Wrong passphrase.")
	case errors.Is(err, account.ErrWeakPassphrase):
		return fmt.Sprintf(tr.L("A passphrase needs at least %d characters."), account.MinPassphrase)
	}
	return short(err.Error(), maxLine)
}

// PassphraseRequest is what AskPassphrase asks and does.
type PassphraseRequest struct {
	Mode PassphraseMode
	// Try is called off the UI goroutine with the passphrase (deriving the key takes a moment):
	// an error is shown and the passphrase asked again; nil closes the window and runs Next on
	// the UI goroutine.
	Try  func(passphrase string) error
	Next func()
	// Decline, when not nil, is offered as "this session only".
	Decline func()
	// Go runs Try off the UI goroutine (nil: a goroutine; tests run it inline).
	Go func(func())
}

// AskPassphrase shows the window that unlocks the secrets (PassphraseUnlock) or protects them
// under a new passphrase (PassphraseChoose, PassphraseMigrate), before anything else opens. Quit
// ends the app.
func AskPassphrase(a fyne.App, r PassphraseRequest) {
	mode, try, next, decline := r.Mode, r.Try, r.Next, r.Decline
	run := r.Go
	if run == nil {
		run = func(f func()) { go f() }
	}
	w := a.NewWindow(tr.L("HstockPlus — passphrase"))
	w.SetIcon(assets.Icon)
	form := newPassphraseForm(mode != PassphraseUnlock, nil)
	var intro, action string
	switch mode {
	case PassphraseUnlock:
		intro = tr.L("There is no OS keyring on this computer, so your API key and your saved data are sealed under your passphrase. Enter it to open HstockPlus.")
		action = tr.L("Unlock")
	case PassphraseChoose:
		intro = tr.L("There is no OS keyring on this computer. Choose a passphrase to seal your API key and your saved data (orders, delivered accounts, codes): you will enter it each time HstockPlus starts. It cannot be recovered — without it, the saved data cannot be read.")
		action = tr.L("Set passphrase")
	case PassphraseMigrate:
		intro = tr.L("An earlier version kept your API key in a file protected only by its permissions. Choose a passphrase to seal it and your saved data: you will enter it each time HstockPlus starts. It cannot be recovered.")
		action = tr.L("Set passphrase")
	}
	text := widget.NewLabel(intro)
	text.Wrapping = fyne.TextWrapWord
	var ok *widget.Button
	submit := func() {
		p, err := form.value()
		if err != nil {
			form.fail(err)
			return
		}
		ok.Disable()
		form.errText.Hide()
		run(func() {
			err := try(p)
			fyne.Do(func() {
				ok.Enable()
				if err != nil {
					form.fail(err)
					form.entry.SetText("")
					w.Canvas().Focus(form.entry)
					return
				}
				w.Hide()
				next()
				w.Close()
			})
		})
	}
	ok = widget.NewButtonWithIcon(action, theme.ConfirmIcon(), submit)
	ok.Importance = widget.HighImportance
	form.entry.OnSubmitted = func(string) { submit() }
	form.again.OnSubmitted = func(string) { submit() }
	buttons := []fyne.CanvasObject{widget.NewButtonWithIcon(tr.L("Quit"), theme.CancelIcon(), a.Quit)}
	if decline != nil {
		buttons = append(buttons, widget.NewButton(tr.L("This session only (nothing saved)"), func() {
			w.Hide()
			decline()
			w.Close()
		}))
	}
	buttons = append(buttons, ok)
	body := container.NewVBox(append([]fyne.CanvasObject{text}, form.objects()...)...)
	w.SetContent(container.NewPadded(container.NewBorder(nil, container.NewHBox(buttons...), nil, nil, body)))
	w.Resize(fyne.NewSize(560, 300))
	// Not the master window (closing that quits the app even after the main window opened): a
	// user closing it quits explicitly.
	w.SetCloseIntercept(a.Quit)
	w.Show()
	w.Canvas().Focus(form.entry)
}

// choosePassphraseThen asks, in the main window, for a passphrase to seal the secrets under
// before a key is first saved without an OS keyring, sets it, then calls then(nil) — or
// then(err) when the user cancelled (errPassphraseCancelled) or it failed. UI goroutine only.
func (u *UI) choosePassphraseThen(then func(error)) {
	keys := u.deps.Keys
	if keys == nil || !keys.NeedsPassphrase() {
		then(nil)
		return
	}
	form := newPassphraseForm(true, u.win)
	text := widget.NewLabel(tr.L("There is no OS keyring on this computer. Choose a passphrase to seal your API key and your saved data: you will enter it each time HstockPlus starts. It cannot be recovered."))
	text.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(append([]fyne.CanvasObject{text}, form.objects()...)...)
	var d *dialog.CustomDialog
	done := false // then has been called
	set := widget.NewButtonWithIcon(tr.L("Set passphrase"), theme.ConfirmIcon(), nil)
	set.Importance = widget.HighImportance
	cancel := widget.NewButton(tr.L("Cancel"), func() { d.Hide() }) // OnClosed cancels
	set.OnTapped = func() {
		p, err := form.value()
		if err != nil {
			form.fail(err)
			return
		}
		set.Disable()
		u.async(func() {
			err := keys.SetPassphrase(p)
			fyne.Do(func() {
				set.Enable()
				if err != nil {
					form.fail(err)
					return
				}
				done = true
				d.Hide()
				then(nil)
			})
		})
	}
	d = dialog.NewCustomWithoutButtons(tr.L("Protect your key with a passphrase"), container.NewBorder(nil, container.NewHBox(cancel, set), nil, nil, content), u.win)
	d.Resize(fyne.NewSize(520, 0))
	d.SetOnClosed(func() { // Cancel, Esc
		if !done {
			done = true
			then(errPassphraseCancelled)
		}
	})
	showDialog(d, u.win)
}

// errPassphraseCancelled: the user did not set the passphrase a key needs to be saved.
var errPassphraseCancelled = errors.New("no passphrase was set, so the key was not saved")

// OfferKeyring tells that an OS keyring answers now, while the secrets are sealed in the file
// under the passphrase, and moves them there if the user agrees (move runs off the UI
// goroutine). UI goroutine only.
func (u *UI) OfferKeyring(move func() error) {
	showConfirm(tr.L("An OS keyring is available"),
		tr.L("Your API key and the key of your saved data are sealed under your passphrase in a file. This computer now has an OS keyring: move them there? The passphrase will no longer be asked."),
		func(ok bool) {
			if !ok {
				return
			}
			u.async(func() {
				err := move()
				fyne.Do(func() {
					if err != nil {
						showError(fmt.Errorf(tr.L("They stay in the file: %s"), short(err.Error(), maxLine)), u.win)
						return
					}
					u.status.keyNote.SetText("")
					showInformation(tr.L("Moved to the keyring"), tr.L("Your secrets are in the OS keyring now; the file is gone."), u.win)
				})
			})
		}, u.win)
}
