package gui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func welcomeVisible(u *UI) bool {
	return u.welcome != nil && u.win.Canvas().Overlays().Top() != nil
}

func TestWelcomeOnFirstRunTryTheDemoAndNotAgain(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{Demo: true, FirstRun: true}))
	if !welcomeVisible(u) {
		t.Fatal("no welcome on the first run")
	}
	demo := findButton(u.win.Canvas(), "Try the demo")
	if demo == nil || findButton(u.win.Canvas(), "Enter API key") == nil {
		t.Fatal("the welcome lacks its two choices")
	}
	test.Tap(demo)
	if u.welcome != nil || u.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Try the demo did not close the welcome")
	}
	if !u.Prefs().WelcomeDismissed {
		t.Fatal("the dismissal is not remembered")
	}

	// Next start, still without a key: no welcome by itself, but the menu offers it.
	a2 := prefsApp{App: test.NewTempApp(t), prefs: a.Preferences()}
	u2 := New(a2, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{Demo: true, FirstRun: true}))
	if welcomeVisible(u2) {
		t.Fatal("the welcome came back after it was dismissed")
	}
	item := menuItem(u2.win.MainMenu(), "Enter API key…")
	if item == nil {
		t.Fatal("no way to ask for the key form while there is no key")
	}
	item.Action()
	if !welcomeVisible(u2) || u2.welcome.body.Objects[0] != u2.welcome.keyForm {
		t.Fatal("the menu did not open the key form")
	}
}

func TestNoWelcomeWithAKeyOrOutsideDemo(t *testing.T) {
	for _, d := range []Deps{{Demo: true}, {FirstRun: true}, {}} {
		a := test.NewTempApp(t)
		u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, d))
		if welcomeVisible(u) {
			t.Fatalf("welcome shown with %+v", d)
		}
		if menuItem(u.win.MainMenu(), "Enter API key…") != nil {
			t.Fatalf("key menu offered with %+v", d)
		}
	}
}

func TestWelcomeKeyFormConnectsToTheAccount(t *testing.T) {
	endpoint, key := sandboxEndpoint(t)
	a := test.NewTempApp(t)
	sec := newFakeKeys()
	var got []string
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{Demo: true, FirstRun: true, Keys: sec,
		Reconnect: func(e, k string) error { got = append(got, e, k); return nil }}))
	w := u.welcome
	w.conn.async = synchronous
	test.Tap(w.enter)
	if w.body.Objects[0] != w.keyForm || !w.connect.Visible() {
		t.Fatal("Enter API key did not show the key form")
	}
	w.conn.endpoint.SetText(endpoint)

	// A wrong key: said in words, nothing saved, still open.
	w.conn.key.SetText("wrong-key")
	test.Tap(w.connect)
	if !strings.Contains(w.errText.Text, "API key was refused") || sec.apiKey() != "" || len(got) != 0 || u.welcome == nil {
		t.Fatalf("wrong key: %q, saved %q, reconnect %q", w.errText.Text, sec.apiKey(), got)
	}

	// Test connection shows the balance first.
	w.conn.key.SetText(key)
	test.Tap(w.conn.test)
	if w.conn.result.Text != "Connected. Balance: 100.00 USD" {
		t.Fatalf("test connection: %q", w.conn.result.Text)
	}

	test.Tap(w.connect)
	if sec.apiKey() != key {
		t.Fatal("the key was not saved in the keyring")
	}
	if len(got) != 2 || got[0] != endpoint || got[1] != key {
		t.Fatalf("Reconnect got %q", got)
	}
	if u.welcome != nil || !u.Prefs().WelcomeDismissed || u.Prefs().Endpoint != endpoint {
		t.Fatalf("after connecting: welcome %v, prefs %+v", u.welcome != nil, u.Prefs())
	}
	for k, v := range allPrefValues(t, a.Preferences()) {
		if strings.Contains(v, key) {
			t.Fatalf("preference %s holds the API key", k)
		}
	}
}

func TestWelcomeBackReturnsToTheChoice(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{Demo: true, FirstRun: true}))
	w := u.welcome
	test.Tap(w.enter)
	test.Tap(w.connect) // no key typed
	if !strings.Contains(w.errText.Text, "Enter your API key") {
		t.Fatalf("empty key: %q", w.errText.Text)
	}
	test.Tap(w.back)
	if w.body.Objects[0] != w.intro || findButton(u.win.Canvas(), "Try the demo") == nil {
		t.Fatal("Back did not return to the choice")
	}
}

// menuItem finds the main menu item labelled label.
func menuItem(m *fyne.MainMenu, label string) *fyne.MenuItem {
	if m == nil {
		return nil
	}
	for _, menu := range m.Items {
		for _, it := range menu.Items {
			if it.Label == label {
				return it
			}
		}
	}
	return nil
}
