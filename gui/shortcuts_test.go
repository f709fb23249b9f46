package gui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// press sends Ctrl/Cmd+key to the window as the desktop driver does.
func press(u *UI, key fyne.KeyName) {
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault})
}

func TestShortcutsSwitchTabs(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{}))
	u.shops.loaded = true
	u.sms.started = true // nor of the SMS countries
	for _, c := range []struct {
		key fyne.KeyName
		tab int
	}{{fyne.Key3, 2}, {fyne.Key5, 4}, {fyne.Key2, 1}, {fyne.Key4, 3}, {fyne.Key1, 0}} {
		press(u, c.key)
		if got := u.tabs.SelectedIndex(); got != c.tab {
			t.Fatalf("Ctrl+%s selected tab %d, want %d", c.key, got, c.tab)
		}
	}
}

func TestShortcutSearchRefreshAndSettings(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{}))
	u.shops.loaded = true
	u.sms.started = true // no background load of countries racing the test driver
	u.tabs.SelectIndex(4)
	press(u, fyne.KeyF)
	if u.tabs.Selected() != u.catalog.item || u.win.Canvas().Focused() != u.catalog.search {
		t.Fatal("Ctrl+F did not focus the catalog search")
	}

	catalog, balance := 0, 0
	u.catalog.refresh.OnTapped = func() { catalog++ }
	u.balance.refresh.OnTapped = func() { balance++ }
	press(u, fyne.KeyR)
	u.tabs.Select(u.balance.item)
	press(u, fyne.KeyR)
	u.catalog.refresh.Disable()
	u.tabs.Select(u.catalog.item)
	press(u, fyne.KeyR) // already refreshing: not twice
	if catalog != 1 || balance != 1 {
		t.Fatalf("Ctrl+R refreshed the catalog %d and the balance %d times", catalog, balance)
	}

	press(u, fyne.KeyComma)
	if u.settings == nil || u.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Ctrl+, did not open Settings")
	}
	first := u.settings
	press(u, fyne.KeyComma)
	if u.settings != first || len(u.win.Canvas().Overlays().List()) != 1 {
		t.Fatal("a second Settings opened")
	}
}

func TestMainMenuCarriesTheShortcuts(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{}))
	for label, key := range map[string]fyne.KeyName{
		"Settings…": fyne.KeyComma, "Search the catalog": fyne.KeyF, "Refresh": fyne.KeyR,
		"Catalog": fyne.Key1, "Balance": fyne.Key5,
	} {
		it := menuItem(u.win.MainMenu(), label)
		if it == nil {
			t.Fatalf("no menu item %q", label)
		}
		sc, ok := it.Shortcut.(*desktop.CustomShortcut)
		if !ok || sc.KeyName != key || sc.Modifier != fyne.KeyModifierShortcutDefault {
			t.Fatalf("%q has shortcut %v", label, it.Shortcut)
		}
	}
	menuItem(u.win.MainMenu(), "Settings…").Action()
	if u.settings == nil {
		t.Fatal("the menu did not open Settings")
	}
}
