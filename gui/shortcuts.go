package gui

import (
	"fmt"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/internal/tr"
)

// Keyboard shortcuts (Ctrl on Windows and Linux, Cmd on macOS):
//
//	Ctrl+F      focus the catalog search
//	Ctrl+R      refresh: the balance on the Balance tab, else the catalog
//	Ctrl+1…5    select a tab
//	Ctrl+,      Settings
//	Esc         close the open dialog (gui/dialogs.go)
//
// Help ▸ Keyboard shortcuts lists them in the window.
// Each is registered on the window canvas and also carried by an item of the main menu
// (HstockPlus, View): the desktop driver gives menu shortcuts first pick, so they work even
// while a text entry (which takes every shortcut it is sent) has the focus.

// shortcut is one keyboard shortcut and what it does.
type shortcut struct {
	key    fyne.KeyName
	label  string // the menu item
	action func()
}

func (s shortcut) keys() *desktop.CustomShortcut {
	return &desktop.CustomShortcut{KeyName: s.key, Modifier: fyne.KeyModifierShortcutDefault}
}

// shortcutList is every shortcut of the window, tab shortcuts last.
func (u *UI) shortcutList() (general, tabs []shortcut) {
	general = []shortcut{
		{fyne.KeyComma, tr.L("Settings…"), u.openSettings},
		{fyne.KeyF, tr.L("Search the catalog"), u.focusSearch},
		{fyne.KeyR, tr.L("Refresh"), u.refreshCurrent},
	}
	digits := []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5}
	for i, item := range u.tabs.Items {
		if i >= len(digits) {
			break
		}
		tabs = append(tabs, shortcut{digits[i], item.Text, func() { u.tabs.SelectIndex(i) }})
	}
	return general, tabs
}

// installShortcuts registers the shortcuts on the window canvas and sets the main menu.
func (u *UI) installShortcuts() {
	general, tabs := u.shortcutList()
	item := func(s shortcut) *fyne.MenuItem {
		m := fyne.NewMenuItem(s.label, s.action)
		m.Shortcut = s.keys()
		return m
	}
	for _, s := range append(general, tabs...) {
		action := s.action
		u.win.Canvas().AddShortcut(s.keys(), func(fyne.Shortcut) { action() })
	}

	app := []*fyne.MenuItem{item(general[0]), fyne.NewMenuItem(tr.L("Mass order…"), u.openMassOrder)}
	if u.deps.FirstRun && u.deps.Demo {
		app = append(app, fyne.NewMenuItem(tr.L("Enter API key…"), u.showWelcomeKeyForm))
	}
	if u.deps.ResetDemo != nil {
		app = append(app, fyne.NewMenuItem(tr.L("Reset demo…"), u.confirmResetDemo))
	}
	view := []*fyne.MenuItem{item(general[1]), item(general[2]), fyne.NewMenuItemSeparator()}
	for _, s := range tabs {
		view = append(view, item(s))
	}
	help := []*fyne.MenuItem{fyne.NewMenuItem(tr.L("Keyboard shortcuts"), u.showShortcutsHelp)}
	if u.deps.OpenFolder != nil {
		for _, f := range []struct{ label, dir string }{
			{tr.L("Open log folder"), u.deps.LogDir},
			{tr.L("Open data folder"), u.deps.DataDir},
		} {
			if dir := f.dir; dir != "" {
				help = append(help, fyne.NewMenuItem(f.label, func() { u.openFolder(dir) }))
			}
		}
	}
	help = append(help, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(tr.L("About HstockPlus"), u.showAbout))
	u.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu(tr.L("HstockPlus"), app...),
		fyne.NewMenu(tr.L("View"), view...),
		fyne.NewMenu(tr.L("Help"), help...),
	))
}

// focusSearch selects the catalog and puts the cursor in its search.
func (u *UI) focusSearch() {
	u.tabs.Select(u.catalog.item)
	u.win.Canvas().Focus(u.catalog.search)
}

// refreshCurrent refreshes what the current tab shows: the balance on the Balance tab, else
// the catalog. A refresh already running is not started twice.
func (u *UI) refreshCurrent() {
	b := u.catalog.refresh
	if u.tabs.Selected() == u.balance.item {
		b = u.balance.refresh
	}
	if b.Disabled() || b.OnTapped == nil {
		return
	}
	b.OnTapped()
}

// showWelcomeKeyForm opens the welcome at its key form (HstockPlus ▸ Enter API key…).
func (u *UI) showWelcomeKeyForm() {
	u.showWelcome()
	u.welcome.showKeyForm()
}

// confirmResetDemo asks before the demo starts afresh: its orders, numbers and balance go.
func (u *UI) confirmResetDemo() {
	showConfirm(tr.L("Reset the demo?"),
		tr.L("The demo's simulated account starts afresh: its balance, orders, delivered accounts and numbers are removed, and HstockPlus restarts. Nothing real is touched."),
		func(ok bool) {
			if ok && u.deps.ResetDemo != nil {
				u.deps.ResetDemo()
			}
		}, u.win)
}

// openFolder shows dir in the system's file manager; a failure is said in a dialog.
func (u *UI) openFolder(dir string) {
	if err := u.deps.OpenFolder(dir); err != nil {
		u.deps.Logf("open folder %s: %v", dir, err)
		showError(fmt.Errorf(tr.L("The folder %s could not be opened: %v"), dir, err), u.win)
	}
}

// keysText is how a shortcut is written on this system: "Ctrl+F", "Cmd+F" on macOS.
func (s shortcut) keysText() string {
	mod := "Ctrl"
	if runtime.GOOS == "darwin" {
		mod = "Cmd"
	}
	return mod + "+" + string(s.key)
}

// showShortcutsHelp lists every keyboard shortcut of the window.
func (u *UI) showShortcutsHelp() {
	general, tabs := u.shortcutList()
	form := container.New(layout.NewFormLayout())
	add := func(keys, what string) {
		form.Add(widget.NewLabelWithStyle(keys, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		form.Add(widget.NewLabel(what))
	}
	for _, s := range append(general, tabs...) {
		add(s.keysText(), s.label)
	}
	add("Esc", tr.L("Close the open dialog"))
	showCustom(tr.L("Keyboard shortcuts"), tr.L("Close"), form, u.win)
}

// showAbout says what the app is, its version and what it is connected to.
func (u *UI) showAbout() {
	lines := []string{fmt.Sprintf(tr.L("HstockPlus for desktop, version %s"), short(u.deps.Version, maxShort)),
		tr.L("The catalog, your orders, SMS numbers and balance of your HstockPlus account in one window, with a notification the moment an order is delivered or a code arrives.")}
	if u.deps.Demo {
		lines = append(lines, tr.L("Connected to: the demo (a simulated HstockPlus; nothing is charged)."))
	} else if ep := u.deps.Account.Endpoint(); ep != "" {
		lines = append(lines, fmt.Sprintf(tr.L("Connected to: %s"), short(ep, maxLine)))
	}
	text := widget.NewLabel(strings.Join(lines, "\n\n"))
	text.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(text)
	// The folders, selectable: a path to copy into a bug report or a file manager. Not cut short
	// broken anywhere: a path has no spaces to wrap at.
	var folders []string
	if u.deps.DataDir != "" {
		folders = append(folders, fmt.Sprintf(tr.L("Data folder: %s"), u.deps.DataDir))
	}
	if u.deps.LogDir != "" {
		folders = append(folders, fmt.Sprintf(tr.L("Log folder: %s"), u.deps.LogDir))
	}
	if len(folders) > 0 {
		paths := widget.NewLabel(strings.Join(folders, "\n"))
		paths.Selectable = true
		paths.Wrapping = fyne.TextWrapBreak
		content.Add(paths)
	}
	d := dialog.NewCustom(tr.L("About HstockPlus"), tr.L("Close"), content, u.win)
	d.Resize(fyne.NewSize(460, 0))
	showDialog(d, u.win)
}
