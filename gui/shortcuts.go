package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
)

// Keyboard shortcuts (Ctrl on Windows and Linux, Cmd on macOS):
//
//	Ctrl+F      focus the catalog search
//	Ctrl+R      refresh: the balance on the Balance tab, else the catalog
//	Ctrl+1…5    select a tab
//	Ctrl+,      Settings
//
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
		{fyne.KeyComma, lang.L("Settings…"), u.openSettings},
		{fyne.KeyF, lang.L("Search the catalog"), u.focusSearch},
		{fyne.KeyR, lang.L("Refresh"), u.refreshCurrent},
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

	app := []*fyne.MenuItem{item(general[0])}
	if u.deps.FirstRun && u.deps.Demo {
		app = append(app, fyne.NewMenuItem(lang.L("Enter API key…"), u.showWelcomeKeyForm))
	}
	if u.deps.ResetDemo != nil {
		app = append(app, fyne.NewMenuItem(lang.L("Reset demo…"), u.confirmResetDemo))
	}
	view := []*fyne.MenuItem{item(general[1]), item(general[2]), fyne.NewMenuItemSeparator()}
	for _, s := range tabs {
		view = append(view, item(s))
	}
	u.win.SetMainMenu(fyne.NewMainMenu(
		fyne.NewMenu(lang.L("HstockPlus"), app...),
		fyne.NewMenu(lang.L("View"), view...),
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
	showConfirm(lang.L("Reset the demo?"),
		lang.L("The demo's simulated account starts afresh: its balance, orders, delivered accounts and numbers are removed, and HstockPlus restarts. Nothing real is touched."),
		func(ok bool) {
			if ok && u.deps.ResetDemo != nil {
				u.deps.ResetDemo()
			}
		}, u.win)
}
