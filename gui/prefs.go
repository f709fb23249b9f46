package gui

import (
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// Prefs are the user's non-secret settings. They live in fyne.App.Preferences() under the
// pref* keys below; the API key never does (it goes to the keyring: KeyStore). A Prefs value is a plain
// copy: the window keeps the current one behind an atomic pointer (UI.Prefs), so the poller may
// read it from its own goroutine.
type Prefs struct {
	// Endpoint is the API v2 endpoint (default client.DefaultEndpoint). The -api-url flag and
	// HSTOCKPLUS_API_URL override it.
	Endpoint string
	// Lang is the API language, one of client.SupportedLangs (default: the system locale's
	// closest, else "en"). The -lang flag and HSTOCKPLUS_LANG override it.
	Lang string
	// UILang is the language of the window, one of tr.Languages(); "" follows the system's.
	UILang string
	// OrderPoll and SMSPoll are how often orders and SMS numbers are checked; 0 is the poller's
	// own adaptive schedule (watch.DefaultSchedule: fast while new, slower with age).
	OrderPoll time.Duration
	SMSPoll   time.Duration
	// Notifications turns desktop notifications on (default true); ShowCodeInNotification puts
	// the SMS code in its notification (default false: masked).
	Notifications          bool
	ShowCodeInNotification bool
	// AutoCopyCodes copies a new SMS code to the clipboard (default true); AutoCopyCredentials
	// copies delivered credentials (default false).
	AutoCopyCodes       bool
	AutoCopyCredentials bool
	// ClearAfter clears a copied secret from the clipboard after this long (default 30 s; 0: never).
	ClearAfter time.Duration
	// LowBalance warns once when the balance falls below it (zero: never). Exact decimal.
	LowBalance client.Decimal
	// Theme is ThemeSystem, ThemeLight or ThemeDark.
	Theme string
	// CloseToTray keeps the app running in the tray when the window is closed (default true).
	CloseToTray bool
	// WelcomeDismissed: the first-run welcome was closed; it is not shown again by itself.
	WelcomeDismissed bool
}

// Themes.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// Preference keys. Durations are stored in whole seconds, the threshold as its decimal text.
const (
	prefEndpoint         = "api.endpoint"
	prefLang             = "api.lang"
	prefUILang           = "ui.lang"
	prefOrderPoll        = "poll.orders_seconds"
	prefSMSPoll          = "poll.sms_seconds"
	prefNotifications    = "notify.enabled"
	prefShowCode         = "notify.show_sms_code"
	prefAutoCopyCodes    = "clipboard.copy_sms_codes"
	prefAutoCopyCreds    = "clipboard.copy_credentials"
	prefClearAfter       = "clipboard.clear_after_seconds"
	prefLowBalance       = "balance.low_threshold"
	prefTheme            = "window.theme"
	prefCloseToTray      = "window.close_to_tray"
	prefWelcomeDismissed = "welcome.dismissed"
)

// Bounds of the settings (0 is always allowed for the polls, meaning automatic, and for
// ClearAfter, meaning never).
const (
	minOrderPoll  = 5 * time.Second
	maxOrderPoll  = time.Hour
	minSMSPoll    = 3 * time.Second
	maxSMSPoll    = 5 * time.Minute
	maxClearAfter = time.Hour
)

// DefaultPrefs are the settings of a new install; the language follows the system locale.
func DefaultPrefs() Prefs {
	return Prefs{
		Endpoint:      client.DefaultEndpoint,
		Lang:          SystemLang(),
		Notifications: true,
		AutoCopyCodes: true,
		ClearAfter:    30 * time.Second,
		Theme:         ThemeSystem,
		CloseToTray:   true,
	}
}

// LoadPrefs reads the settings from fp: DefaultPrefs for what is missing or invalid.
func LoadPrefs(fp fyne.Preferences) Prefs {
	p := DefaultPrefs()
	p.Load(fp)
	return p
}

// Load reads the settings saved in fp over p: a missing key keeps p's value, and so does an
// invalid one (a hand-edited or older preferences file never stops the app from starting).
func (p *Prefs) Load(fp fyne.Preferences) {
	if v := strings.TrimSpace(fp.String(prefEndpoint)); v != "" && checkEndpoint(v) == nil {
		p.Endpoint = v
	}
	if v, err := client.CanonicalLang(fp.String(prefLang)); err == nil && v != "" {
		p.Lang = v
	}
	if v := fp.String(prefUILang); v == "" || slices.Contains(tr.Languages(), v) {
		p.UILang = v
	}
	p.OrderPoll = loadSeconds(fp, prefOrderPoll, p.OrderPoll, minOrderPoll, maxOrderPoll)
	p.SMSPoll = loadSeconds(fp, prefSMSPoll, p.SMSPoll, minSMSPoll, maxSMSPoll)
	p.Notifications = fp.BoolWithFallback(prefNotifications, p.Notifications)
	p.ShowCodeInNotification = fp.BoolWithFallback(prefShowCode, p.ShowCodeInNotification)
	p.AutoCopyCodes = fp.BoolWithFallback(prefAutoCopyCodes, p.AutoCopyCodes)
	p.AutoCopyCredentials = fp.BoolWithFallback(prefAutoCopyCreds, p.AutoCopyCredentials)
	p.ClearAfter = loadSeconds(fp, prefClearAfter, p.ClearAfter, time.Second, maxClearAfter)
	if v := fp.StringWithFallback(prefLowBalance, "\x00"); v != "\x00" {
		if d, err := parseThreshold(v); err == nil {
			p.LowBalance = d
		}
	}
	switch v := fp.String(prefTheme); v {
	case ThemeSystem, ThemeLight, ThemeDark:
		p.Theme = v
	}
	p.CloseToTray = fp.BoolWithFallback(prefCloseToTray, p.CloseToTray)
	p.WelcomeDismissed = fp.BoolWithFallback(prefWelcomeDismissed, p.WelcomeDismissed)
}

// loadSeconds reads a duration in seconds: 0, or between lo and hi; else def.
func loadSeconds(fp fyne.Preferences, key string, def, lo, hi time.Duration) time.Duration {
	n := fp.IntWithFallback(key, -1)
	if n < 0 {
		return def
	}
	d := time.Duration(n) * time.Second
	if d != 0 && (d < lo || d > hi) {
		return def
	}
	return d
}

// Save writes every setting to fp.
func (p Prefs) Save(fp fyne.Preferences) {
	fp.SetString(prefEndpoint, p.Endpoint)
	fp.SetString(prefLang, p.Lang)
	fp.SetString(prefUILang, p.UILang)
	fp.SetInt(prefOrderPoll, int(p.OrderPoll/time.Second))
	fp.SetInt(prefSMSPoll, int(p.SMSPoll/time.Second))
	fp.SetBool(prefNotifications, p.Notifications)
	fp.SetBool(prefShowCode, p.ShowCodeInNotification)
	fp.SetBool(prefAutoCopyCodes, p.AutoCopyCodes)
	fp.SetBool(prefAutoCopyCreds, p.AutoCopyCredentials)
	fp.SetInt(prefClearAfter, int(p.ClearAfter/time.Second))
	threshold := ""
	if !p.LowBalance.IsZero() {
		threshold = p.LowBalance.String()
	}
	fp.SetString(prefLowBalance, threshold)
	fp.SetString(prefTheme, p.Theme)
	fp.SetBool(prefCloseToTray, p.CloseToTray)
	fp.SetBool(prefWelcomeDismissed, p.WelcomeDismissed)
}

// Validate says, in words, what is wrong with p (nil when nothing is).
func (p Prefs) Validate() error {
	if err := checkEndpoint(p.Endpoint); err != nil {
		return err
	}
	if c, err := client.CanonicalLang(p.Lang); err != nil || c == "" || c != p.Lang {
		return fmt.Errorf(tr.L("Unsupported language %q."), p.Lang)
	}
	if d := p.OrderPoll; d != 0 && (d < minOrderPoll || d > maxOrderPoll) {
		return fmt.Errorf(tr.L("Orders are checked every %s to %s."), minOrderPoll, maxOrderPoll)
	}
	if d := p.SMSPoll; d != 0 && (d < minSMSPoll || d > maxSMSPoll) {
		return fmt.Errorf(tr.L("SMS numbers are checked every %s to %s."), minSMSPoll, maxSMSPoll)
	}
	if p.ClearAfter < 0 || p.ClearAfter > maxClearAfter {
		return fmt.Errorf(tr.L("The clipboard is cleared after at most %s."), maxClearAfter)
	}
	if p.LowBalance.IsNegative() {
		return errors.New(tr.L("The low-balance warning cannot be negative."))
	}
	switch p.Theme {
	case ThemeSystem, ThemeLight, ThemeDark:
	default:
		return fmt.Errorf(tr.L("Unknown theme %q."), p.Theme)
	}
	return nil
}

// checkEndpoint says in words why s is not an endpoint the client accepts.
func checkEndpoint(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New(tr.L("Enter the API endpoint (e.g. https://hstockplus.com/api/v2)."))
	}
	if _, err := client.New(client.WithEndpoint(s)); err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return fmt.Errorf(tr.L("The API endpoint is not valid: %s."), msg)
	}
	return nil
}

// parseThreshold reads the low-balance threshold: "" is zero (never), else a non-negative
// exact decimal.
func parseThreshold(s string) (client.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return client.Decimal{}, nil
	}
	d, err := client.ParseDecimal(tr.ParseAmount(s))
	if err != nil {
		return client.Decimal{}, fmt.Errorf(tr.L("The low-balance warning must be an amount like 5.00, not %q."), s)
	}
	if d.IsNegative() {
		return client.Decimal{}, errors.New(tr.L("The low-balance warning cannot be negative."))
	}
	return d, nil
}

// SystemLang is the supported API language closest to the system locale, else "en".
func SystemLang() string { return closestLang(lang.SystemLocale().String()) }

// closestLang maps a locale ("pt-BR", "ja-JP", "zh-CN-Hans", "bn", "en_US.UTF-8") to the closest
// of client.SupportedLangs: the language and region when both are supported (pt-BR, bn-BD),
// else the language alone; Bengali is only offered as bn-BD. Unknown: "en".
func closestLang(locale string) string {
	l := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(locale), "_", "-"))
	if i := strings.IndexAny(l, ".@"); i >= 0 {
		l = l[:i]
	}
	parts := strings.Split(l, "-")
	if len(parts) >= 2 {
		if c, err := client.CanonicalLang(parts[0] + "-" + parts[1]); err == nil && c != "" {
			return c
		}
	}
	if parts[0] == "bn" {
		return "bn-BD"
	}
	if c, err := client.CanonicalLang(parts[0]); err == nil && c != "" {
		return c
	}
	return "en"
}

// langNames names the API languages in English and in themselves.
var langNames = map[string]string{
	"en":    "English",
	"zh":    "Chinese — 中文",
	"es":    "Spanish — Español",
	"fr":    "French — Français",
	"de":    "German — Deutsch",
	"ja":    "Japanese — 日本語",
	"ko":    "Korean — 한국어",
	"pt":    "Portuguese — Português",
	"pt-BR": "Portuguese (Brazil) — Português (Brasil)",
	"ru":    "Russian — Русский",
	"ar":    "Arabic — العربية",
	"hi":    "Hindi — हिन्दी",
	"vi":    "Vietnamese — Tiếng Việt",
	"ur":    "Urdu — اردو",
	"bn-BD": "Bengali (Bangladesh) — বাংলা",
}

// langLabel is how a language is offered: its names and its code.
func langLabel(code string) string {
	if n, ok := langNames[code]; ok {
		return n + " (" + code + ")"
	}
	return code
}

// livePrefs holds the current settings: readable from any goroutine, changed on the UI
// goroutine (Set saves them and tells the OnChange callbacks).
type livePrefs struct {
	store fyne.Preferences
	cur   atomic.Pointer[Prefs]

	mu       sync.Mutex
	onChange []func(Prefs)
}

func newLivePrefs(fp fyne.Preferences) *livePrefs {
	l := &livePrefs{store: fp}
	p := LoadPrefs(fp)
	l.cur.Store(&p)
	return l
}

// Get returns a copy of the current settings. Any goroutine.
func (l *livePrefs) Get() Prefs { return *l.cur.Load() }

// Set saves p, makes it current and calls the OnChange callbacks with it, in order.
func (l *livePrefs) Set(p Prefs) {
	p.Save(l.store)
	l.cur.Store(&p)
	l.mu.Lock()
	fns := append([]func(Prefs){}, l.onChange...)
	l.mu.Unlock()
	for _, fn := range fns {
		fn(p)
	}
}

// OnChange adds fn to the callbacks Set calls.
func (l *livePrefs) OnChange(fn func(Prefs)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.onChange = append(l.onChange, fn)
}

// Prefs returns the current settings. It is safe from any goroutine: give the poller u.Prefs
// as its getter.
func (u *UI) Prefs() Prefs { return u.prefs.Get() }

// OnPrefsChange registers fn to be called, on the UI goroutine, each time the settings are
// saved. fn must not block; a background consumer (the poller) should just take the new
// values, or read them through UI.Prefs when it needs them.
func (u *UI) OnPrefsChange(fn func(Prefs)) { u.prefs.OnChange(fn) }

// setPrefs saves p and applies it. UI goroutine only.
func (u *UI) setPrefs(p Prefs) { u.prefs.Set(p) }

// variantTheme is the default theme forced to one variant (light or dark).
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// themeFor is the app theme of a Theme setting.
func themeFor(name string) fyne.Theme {
	switch name {
	case ThemeLight:
		return variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantLight}
	case ThemeDark:
		return variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantDark}
	}
	return theme.DefaultTheme()
}

// applyTheme sets the app's theme from a Theme setting. UI goroutine only.
func (u *UI) applyTheme(name string) {
	u.app.Settings().SetTheme(themeFor(name))
}

// initPrefs loads the settings and applies the theme, now and each time it is saved.
func (u *UI) initPrefs() {
	u.prefs = newLivePrefs(u.app.Preferences())
	applied := u.Prefs().Theme
	u.applyTheme(applied)
	u.OnPrefsChange(func(p Prefs) {
		if p.Theme != applied { // re-theming redraws every window: only when it changed
			applied = p.Theme
			u.applyTheme(p.Theme)
		}
	})
}
