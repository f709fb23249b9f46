package gui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Esc closes every dialog: each dialog of the window is shown through showDialog (or one of
// the show* helpers below, which mirror dialog.Show*), which keeps it on a per-window stack
// until it closes. Esc dismisses the top one — as its Cancel/Close would — whether nothing
// has the focus (the window canvas's key handler) or a text field of the dialog has it
// (escEntry: Fyne's entry swallows Esc).

var openDialogs = struct {
	sync.Mutex
	m map[fyne.Window][]dialog.Dialog
}{m: map[fyne.Window][]dialog.Dialog{}}

// showDialog shows d on win and keeps it on the window's stack until it closes.
func showDialog(d dialog.Dialog, win fyne.Window) {
	openDialogs.Lock()
	openDialogs.m[win] = append(openDialogs.m[win], d)
	openDialogs.Unlock()
	d.SetOnClosed(func() { forgetDialog(d, win) })
	d.Show()
}

func forgetDialog(d dialog.Dialog, win fyne.Window) {
	openDialogs.Lock()
	defer openDialogs.Unlock()
	list := openDialogs.m[win]
	for i := len(list) - 1; i >= 0; i-- {
		if list[i] == d {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(openDialogs.m, win)
		return
	}
	openDialogs.m[win] = list
}

// dismissTopDialog closes the newest open dialog of win without its affirmative action and
// says whether there was one.
func dismissTopDialog(win fyne.Window) bool {
	openDialogs.Lock()
	list := openDialogs.m[win]
	if len(list) == 0 {
		openDialogs.Unlock()
		return false
	}
	top := list[len(list)-1]
	openDialogs.Unlock()
	top.Dismiss() // its OnClosed forgets it
	return true
}

// openDialogCount is how many dialogs of win are open (tests).
func openDialogCount(win fyne.Window) int {
	openDialogs.Lock()
	defer openDialogs.Unlock()
	return len(openDialogs.m[win])
}

// escClosesDialogs makes Esc on win close its top dialog when no widget has the focus.
func escClosesDialogs(win fyne.Window) {
	win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			dismissTopDialog(win)
		}
	})
}

func showInformation(title, message string, win fyne.Window) {
	showDialog(dialog.NewInformation(title, message, win), win)
}

func showError(err error, win fyne.Window) {
	showDialog(dialog.NewError(err, win), win)
}

func showConfirm(title, message string, callback func(bool), win fyne.Window) {
	showDialog(dialog.NewConfirm(title, message, callback, win), win)
}

func showCustom(title, dismiss string, content fyne.CanvasObject, win fyne.Window) {
	showDialog(dialog.NewCustom(title, dismiss, content, win), win)
}

// escEntry is a text field of a dialog: Esc in it closes the window's top dialog (a plain
// entry would swallow the key). A password field gets its own show/hide button.
type escEntry struct {
	widget.Entry
	win fyne.Window
}

func newEscEntry(win fyne.Window) *escEntry {
	e := &escEntry{win: win}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

func newEscPasswordEntry(win fyne.Window) *escEntry {
	e := &escEntry{win: win}
	e.Password = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	e.ActionItem = newRevealButton(e)
	return e
}

// TypedKey closes the top dialog on Esc and otherwise types as an entry does.
func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.win != nil && dismissTopDialog(e.win) {
		return
	}
	e.Entry.TypedKey(k)
}

// newRevealButton shows and hides the text of the password field e.
func newRevealButton(e *escEntry) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon("", theme.VisibilityOffIcon(), func() {
		e.Password = !e.Password
		if e.Password {
			b.SetIcon(theme.VisibilityOffIcon())
		} else {
			b.SetIcon(theme.VisibilityIcon())
		}
		e.Refresh()
	})
	b.Importance = widget.LowImportance
	return b
}
