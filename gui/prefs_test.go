package gui

import (
	"image/color"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/hstockplus/hstockplus/client"
)

func TestPrefsDefaults(t *testing.T) {
	a := test.NewTempApp(t)
	p := LoadPrefs(a.Preferences())
	if p.Endpoint != client.DefaultEndpoint || !p.AutoCopyCodes || p.AutoCopyCredentials ||
		p.ClearAfter != 30*time.Second || !p.CloseToTray || p.Theme != ThemeSystem || !p.Notifications ||
		p.ShowCodeInNotification || p.OrderPoll != 0 || p.SMSPoll != 0 || !p.LowBalance.IsZero() || p.WelcomeDismissed {
		t.Fatalf("defaults = %+v", p)
	}
	if !slices.Contains(client.SupportedLangs(), p.Lang) {
		t.Fatalf("default language %q is not supported", p.Lang)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

func TestPrefsSaveLoadRoundTrip(t *testing.T) {
	a := test.NewTempApp(t)
	want := Prefs{
		Endpoint: "https://panel.example/api/v2", Lang: "pt-BR", OrderPoll: time.Minute, SMSPoll: 5 * time.Second,
		Notifications: false, ShowCodeInNotification: true, AutoCopyCodes: false, AutoCopyCredentials: true,
		ClearAfter: 0, LowBalance: client.MustDecimal("12.50"), Theme: ThemeDark, CloseToTray: false, WelcomeDismissed: true,
	}
	want.Save(a.Preferences())
	got := LoadPrefs(a.Preferences())
	if got.LowBalance.String() != "12.50" {
		t.Fatalf("threshold = %s, want exactly 12.50", got.LowBalance)
	}
	got.LowBalance, want.LowBalance = client.Decimal{}, client.Decimal{}
	if got != want {
		t.Fatalf("loaded %+v\nsaved  %+v", got, want)
	}
}

func TestPrefsLoadIgnoresInvalidValues(t *testing.T) {
	a := test.NewTempApp(t)
	fp := a.Preferences()
	fp.SetString(prefEndpoint, "http://not-loopback.example/api/v2")
	fp.SetString(prefLang, "xx")
	fp.SetInt(prefOrderPoll, 1) // below the minimum
	fp.SetInt(prefClearAfter, -5)
	fp.SetString(prefLowBalance, "lots")
	fp.SetString(prefTheme, "purple")
	p, def := LoadPrefs(fp), DefaultPrefs()
	if p.Endpoint != def.Endpoint || p.Lang != def.Lang || p.OrderPoll != 0 || p.ClearAfter != def.ClearAfter ||
		!p.LowBalance.IsZero() || p.Theme != ThemeSystem {
		t.Fatalf("invalid saved values leaked through: %+v", p)
	}
}

func TestPrefsValidate(t *testing.T) {
	for name, mod := range map[string]func(*Prefs){
		"http endpoint":      func(p *Prefs) { p.Endpoint = "http://example.com/api/v2" },
		"no endpoint":        func(p *Prefs) { p.Endpoint = "" },
		"language":           func(p *Prefs) { p.Lang = "klingon" },
		"negative threshold": func(p *Prefs) { p.LowBalance = client.MustDecimal("-1") },
		"order poll":         func(p *Prefs) { p.OrderPoll = time.Second },
		"sms poll":           func(p *Prefs) { p.SMSPoll = time.Hour },
		"clear after":        func(p *Prefs) { p.ClearAfter = -time.Second },
		"theme":              func(p *Prefs) { p.Theme = "neon" },
	} {
		p := DefaultPrefs()
		mod(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p := DefaultPrefs()
	p.Endpoint = "http://127.0.0.1:8731/api/v2" // a local sandbox
	if err := p.Validate(); err != nil {
		t.Fatalf("loopback sandbox refused: %v", err)
	}
}

func TestParseThreshold(t *testing.T) {
	for in, want := range map[string]string{"": "0", " 5 ": "5", "0.50": "0.50", "12.345": "12.345", "1,5": "1.5"} {
		d, err := parseThreshold(in)
		if err != nil || d.String() != want {
			t.Errorf("parseThreshold(%q) = %s, %v; want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"abc", "-1", "1.234,5", "NaN", "5 USD"} {
		if _, err := parseThreshold(in); err == nil {
			t.Errorf("parseThreshold(%q) accepted", in)
		}
	}
}

func TestClosestLang(t *testing.T) {
	for in, want := range map[string]string{
		"en-US": "en", "pt-BR": "pt-BR", "pt-PT": "pt", "ja-JP": "ja", "zh-CN-Hans": "zh", "zh-TW": "zh",
		"bn": "bn-BD", "bn-IN": "bn-BD", "bn-BD": "bn-BD", "de_DE.UTF-8": "de", "ur-PK": "ur", "ar-EG": "ar",
		"ko-KR": "ko", "vi-VN": "vi", "hi-IN": "hi", "ru": "ru", "es-419": "es", "fr-CA": "fr",
		"nl-NL": "en", "": "en", "C": "en",
	} {
		if got := closestLang(in); got != want {
			t.Errorf("closestLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEveryLanguageHasAName(t *testing.T) {
	langs := client.SupportedLangs()
	if len(langs) != 15 {
		t.Fatalf("%d languages, SPEC has 15", len(langs))
	}
	for _, c := range langs {
		if langNames[c] == "" {
			t.Errorf("no name for %s", c)
		}
	}
}

// TestPrefsReadFromAnotherGoroutine: the poller reads UI.Prefs while the window saves.
func TestPrefsReadFromAnotherGoroutine(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{}, Deps{}))
	var got []Prefs
	u.OnPrefsChange(func(p Prefs) { got = append(got, p) })
	get := u.Prefs // the getter the poller is given
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 1000 {
			_ = get().LowBalance.String()
		}
	}()
	for i := range 50 {
		p := u.Prefs()
		p.LowBalance = client.DecimalFromInt(int64(i))
		u.setPrefs(p)
	}
	wg.Wait()
	if len(got) != 50 || got[49].LowBalance.String() != "49" || get().LowBalance.String() != "49" {
		t.Fatalf("callbacks %d, last %+v", len(got), get())
	}
}

func TestThemeForcesVariant(t *testing.T) {
	bg := func(th fyne.Theme, asked fyne.ThemeVariant) color.Color {
		return th.Color(theme.ColorNameBackground, asked)
	}
	dark, light := themeFor(ThemeDark), themeFor(ThemeLight)
	def := theme.DefaultTheme()
	if bg(dark, theme.VariantLight) != bg(def, theme.VariantDark) || bg(light, theme.VariantDark) != bg(def, theme.VariantLight) {
		t.Fatal("the override does not force its variant")
	}
	if themeFor(ThemeSystem) != def {
		t.Fatal("system is not the default theme")
	}
}
