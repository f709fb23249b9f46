package gui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// fakeKeys is an in-memory KeyStore.
type fakeKeys struct {
	mu     sync.Mutex
	key    string
	setErr error
}

func newFakeKeys() *fakeKeys { return &fakeKeys{} }

func (f *fakeKeys) APIKey() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.key, nil
}

func (f *fakeKeys) SetAPIKey(key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.setErr != nil {
		return f.setErr
	}
	f.key = key
	return nil
}

func (f *fakeKeys) InFile() bool               { return false }
func (f *fakeKeys) InMemory() bool             { return false }
func (f *fakeKeys) NeedsPassphrase() bool      { return false }
func (f *fakeKeys) SetPassphrase(string) error { return nil }

func (f *fakeKeys) apiKey() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.key
}

// prefsApp is an app with the preferences of another: the same user starting the app again.
type prefsApp struct {
	fyne.App
	prefs fyne.Preferences
}

func (a prefsApp) Preferences() fyne.Preferences { return a.prefs }

// synchronous makes background work run inline, so that a test sees its result at once.
func synchronous(fn func(context.Context)) { fn(context.Background()) }

// sandboxEndpoint serves a fresh sandbox on loopback and returns its endpoint and key.
func sandboxEndpoint(t *testing.T) (endpoint, key string) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	api := newLoopbackClient(t, srv)
	return api.Endpoint(), srv.Key()
}

// allPrefValues is every value the preferences hold, as text.
func allPrefValues(t *testing.T, fp fyne.Preferences) map[string]string {
	t.Helper()
	r, ok := fp.(interface{ ReadValues(func(map[string]any)) })
	if !ok {
		t.Fatalf("%T cannot list its values", fp)
	}
	out := map[string]string{}
	r.ReadValues(func(m map[string]any) {
		for k, v := range m {
			out[k] = fmt.Sprint(v)
		}
	})
	return out
}

// findButton finds the visible button with text on the window or its overlays (dialogs).
func findButton(c fyne.Canvas, text string) *widget.Button {
	return findVisible(c, func(b *widget.Button) bool { return b.Text == text })
}

// findVisible finds the first visible object of type T that matches, on the window's overlays
// (dialogs) first, then its content.
func findVisible[T fyne.CanvasObject](c fyne.Canvas, match func(T) bool) T {
	var found T
	done := false
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if done || o == nil || !o.Visible() {
			return
		}
		if v, ok := o.(T); ok && match(v) {
			found, done = v, true
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	for _, o := range c.Overlays().List() {
		walk(o)
	}
	walk(c.Content())
	return found
}

func newSettingsUI(t *testing.T, a fyne.App, d Deps) *UI {
	t.Helper()
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, d))
	u.openSettings()
	if u.settings == nil {
		t.Fatal("settings did not open")
	}
	u.settings.conn.async = synchronous
	return u
}

func TestSettingsPersistAcrossRestart(t *testing.T) {
	a := test.NewTempApp(t)
	u := newSettingsUI(t, a, Deps{Keys: newFakeKeys()})
	s := u.settings
	s.notify.SetChecked(false)
	s.copyCreds.SetChecked(true)
	s.copyCodes.SetChecked(false)
	s.tray.SetChecked(false)
	s.lowBalance.SetText("12.50")
	s.theme.SetSelected(themeLabel(ThemeDark))
	s.lang.sel.SetSelected(langLabel("ja"))
	s.orderPoll.sel.SetSelected(pollLabel(30 * time.Second))
	s.smsPoll.sel.SetSelected(pollLabel(10 * time.Second))
	s.clearAfter.sel.SetSelected(clearLabel(time.Minute))
	test.Tap(s.save)
	if u.settings != nil {
		t.Fatalf("dialog still open: %q", s.errText.Text)
	}

	// The next start: a new app and window over the same preferences.
	a2 := prefsApp{App: test.NewTempApp(t), prefs: a.Preferences()}
	u2 := New(a2, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{}))
	p := u2.Prefs()
	if p.Notifications || !p.AutoCopyCredentials || p.AutoCopyCodes || p.CloseToTray || p.LowBalance.String() != "12.50" ||
		p.Theme != ThemeDark || p.Lang != "ja" || p.OrderPoll != 30*time.Second || p.SMSPoll != 10*time.Second ||
		p.ClearAfter != time.Minute {
		t.Fatalf("after restart: %+v", p)
	}
	u2.openSettings()
	s2 := u2.settings
	if s2.notify.Checked || s2.lowBalance.Text != "12.50" || s2.theme.Selected != themeLabel(ThemeDark) ||
		s2.lang.sel.Selected != langLabel("ja") || s2.clearAfter.value() != time.Minute || s2.showCode.Disabled() != true {
		t.Fatalf("the form does not show the saved settings")
	}
}

func TestSettingsKeyGoesToSecretsNeverToPreferences(t *testing.T) {
	a := test.NewTempApp(t)
	sec := newFakeKeys()
	var reconnected []string
	u := newSettingsUI(t, a, Deps{Keys: sec, Reconnect: func(endpoint, key string) error {
		reconnected = append(reconnected, endpoint, key)
		return nil
	}})
	const key = "k-7f3a9c21d8e4b6005aa1"
	if !u.settings.conn.key.Password {
		t.Fatal("the key entry is not masked")
	}
	test.Type(u.settings.conn.key, key)
	test.Tap(u.settings.save)
	if u.settings != nil {
		t.Fatalf("not saved: %q", u.settings.errText.Text)
	}
	if got := sec.apiKey(); got != key {
		t.Fatalf("keyring holds %q", got)
	}
	values := allPrefValues(t, a.Preferences())
	if len(values) == 0 {
		t.Fatal("nothing saved in the preferences")
	}
	for k, v := range values {
		if strings.Contains(v, key) {
			t.Fatalf("preference %s holds the API key", k)
		}
	}

	// A new key needs a new connection: offered, and done on "Restart now".
	restart := findButton(u.win.Canvas(), "Restart now")
	if restart == nil {
		t.Fatal("no restart offered after a new key")
	}
	test.Tap(restart)
	if len(reconnected) != 2 || reconnected[0] != client.DefaultEndpoint || reconnected[1] != key {
		t.Fatalf("Reconnect got %q", reconnected)
	}
}

func TestSettingsWithoutKeyChangeKeepsKeyAndConnection(t *testing.T) {
	a := test.NewTempApp(t)
	sec := newFakeKeys()
	_ = sec.SetAPIKey("old-key")
	calls := 0
	u := newSettingsUI(t, a, Deps{Keys: sec, Reconnect: func(string, string) error { calls++; return nil }})
	u.settings.copyCreds.SetChecked(true)
	test.Tap(u.settings.save)
	if sec.apiKey() != "old-key" || !u.Prefs().AutoCopyCredentials {
		t.Fatalf("key %q, prefs %+v", sec.apiKey(), u.Prefs())
	}
	if findButton(u.win.Canvas(), "Restart now") != nil || calls != 0 {
		t.Fatal("a restart was offered for a setting that does not need one")
	}
}

func TestSettingsRefuseInvalidThresholdAndURL(t *testing.T) {
	a := test.NewTempApp(t)
	sec := newFakeKeys()
	u := newSettingsUI(t, a, Deps{Keys: sec})
	before := u.Prefs()
	s := u.settings
	for _, c := range []struct{ endpoint, threshold, key, want string }{
		{client.DefaultEndpoint, "abc", "", "amount like 5.00"},
		{client.DefaultEndpoint, "-3", "", "cannot be negative"},
		{"http://hstockplus.example/api/v2", "", "", "https://"},
		{"not a url", "", "", "not valid"},
		{"", "", "", "Enter the API endpoint"},
		{client.DefaultEndpoint, "", "two words", "spaces"},
	} {
		s.conn.endpoint.SetText(c.endpoint)
		s.lowBalance.SetText(c.threshold)
		s.conn.key.SetText(c.key)
		test.Tap(s.save)
		if u.settings == nil {
			t.Fatalf("%+v: saved", c)
		}
		if !s.errText.Visible() || !strings.Contains(s.errText.Text, c.want) {
			t.Errorf("%+v: message %q", c, s.errText.Text)
		}
	}
	if u.Prefs() != before || sec.apiKey() != "" {
		t.Fatal("a refused form changed the settings")
	}
	// Fixed, it saves.
	s.conn.endpoint.SetText(client.DefaultEndpoint)
	s.lowBalance.SetText("7.25")
	s.conn.key.SetText("")
	test.Tap(s.save)
	if u.settings != nil || u.Prefs().LowBalance.String() != "7.25" {
		t.Fatalf("valid form not saved: %q", s.errText.Text)
	}
}

func TestSettingsKeyringFailureKeepsTheDialog(t *testing.T) {
	a := test.NewTempApp(t)
	sec := newFakeKeys()
	sec.setErr = errors.New("keyring locked")
	u := newSettingsUI(t, a, Deps{Keys: sec})
	test.Type(u.settings.conn.key, "k-123")
	test.Tap(u.settings.save)
	if u.settings == nil || !strings.Contains(u.settings.errText.Text, "could not be saved") {
		t.Fatal("a key that could not be stored was reported as saved")
	}
}

func TestTestConnectionShowsBalanceOrRefusedKey(t *testing.T) {
	endpoint, key := sandboxEndpoint(t)
	a := test.NewTempApp(t)
	u := newSettingsUI(t, a, Deps{Keys: newFakeKeys()})
	f := u.settings.conn
	f.endpoint.SetText(endpoint)
	f.key.SetText(key)
	test.Tap(f.test)
	if !f.result.Visible() || f.result.Text != "Connected. Balance: 100.00 USD" || f.result.Importance != widget.SuccessImportance {
		t.Fatalf("result = %q", f.result.Text)
	}
	if f.test.Disabled() {
		t.Fatal("test button left disabled")
	}

	f.key.SetText("wrong-key")
	test.Tap(f.test)
	if !strings.Contains(f.result.Text, "API key was refused") || f.result.Importance != widget.DangerImportance {
		t.Fatalf("wrong key: result = %q", f.result.Text)
	}

	// An empty entry tests the saved key.
	f.key.SetText("")
	test.Tap(f.test)
	if !strings.Contains(f.result.Text, "Enter your API key") {
		t.Fatalf("no key at all: result = %q", f.result.Text)
	}
	_ = u.deps.Keys.SetAPIKey(key)
	test.Tap(f.test)
	if f.result.Text != "Connected. Balance: 100.00 USD" {
		t.Fatalf("saved key: result = %q", f.result.Text)
	}

	// A bad endpoint is refused before anything is sent.
	f.endpoint.SetText("ftp://example.com")
	test.Tap(f.test)
	if !strings.Contains(f.result.Text, "https://") {
		t.Fatalf("bad endpoint: result = %q", f.result.Text)
	}
}

func TestTestConnectionRunsOffTheUIGoroutine(t *testing.T) {
	a := test.NewTempApp(t)
	u := newSettingsUI(t, a, Deps{})
	f := u.settings.conn
	var queued func(context.Context)
	f.async = func(fn func(context.Context)) { queued = fn }
	f.key.SetText("k")
	test.Tap(f.test)
	if queued == nil || !f.test.Disabled() || f.result.Text != "Connecting…" {
		t.Fatal("the test did not go to the background")
	}
}

func TestSettingsThemePreviewAndCancel(t *testing.T) {
	a := test.NewTempApp(t)
	u := newSettingsUI(t, a, Deps{})
	bg := func() any { return a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight) }
	light := bg()
	u.settings.theme.SetSelected(themeLabel(ThemeDark))
	if bg() == light {
		t.Fatal("the theme is not previewed")
	}
	test.Tap(u.settings.cancel)
	if bg() != light || u.Prefs().Theme != ThemeSystem {
		t.Fatal("Cancel kept the previewed theme")
	}
	u.openSettings()
	u.settings.theme.SetSelected(themeLabel(ThemeDark))
	test.Tap(u.settings.save)
	if bg() == light || u.Prefs().Theme != ThemeDark {
		t.Fatal("the saved theme is not applied")
	}
}

func TestSettingsLanguageChoiceOffersAll15(t *testing.T) {
	a := test.NewTempApp(t)
	u := newSettingsUI(t, a, Deps{})
	opts := u.settings.lang.sel.Options
	if len(opts) != 15 {
		t.Fatalf("%d languages offered", len(opts))
	}
	for _, want := range []string{"English (en)", "Japanese — 日本語 (ja)", "Portuguese (Brazil) — Português (Brasil) (pt-BR)", "Bengali (Bangladesh) — বাংলা (bn-BD)"} {
		found := false
		for _, o := range opts {
			found = found || o == want
		}
		if !found {
			t.Errorf("%q not offered", want)
		}
	}
}
