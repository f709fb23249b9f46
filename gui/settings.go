package gui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// Settings: a dialog over the main window (HstockPlus ▸ Settings…, Ctrl/Cmd+,) with Save and
// Cancel. Non-secret settings go to the preferences (Prefs); the API key goes to Deps.Secrets
// (the OS keyring, else the private file) and nowhere else. A new key, endpoint or language
// needs a new client: the settings are saved, then Deps.Reconnect is offered ("Restart now").

// testConnectionTimeout bounds a "Test connection".
const testConnectionTimeout = 30 * time.Second

// connectionForm is the endpoint, the API key and "Test connection", shared by Settings and
// the welcome's key form. UI goroutine only, except what async runs.
type connectionForm struct {
	ui       *UI
	endpoint *escEntry
	key      *escEntry
	test     *widget.Button
	result   *widget.Label
	// langCode is the language the test client is built with.
	langCode func() string
	// async runs fn off the UI goroutine (UI.background); tests make it synchronous.
	async func(fn func(ctx context.Context))
}

func newConnectionForm(u *UI, endpoint string, keyPlaceholder string) *connectionForm {
	f := &connectionForm{
		ui:       u,
		endpoint: newEscEntry(u.win),
		key:      newEscPasswordEntry(u.win),
		result:   widget.NewLabel(""),
		langCode: func() string { return u.Prefs().Lang },
		async:    u.background,
	}
	f.endpoint.SetText(endpoint)
	f.endpoint.SetPlaceHolder(client.DefaultEndpoint)
	f.key.SetPlaceHolder(keyPlaceholder)
	f.result.Wrapping = fyne.TextWrapWord
	f.result.Hide()
	f.test = widget.NewButtonWithIcon(tr.L("Test connection"), theme.MediaPlayIcon(), f.runTest)
	return f
}

// row is the Test connection button with its result beside it.
func (f *connectionForm) row() fyne.CanvasObject {
	return container.NewBorder(nil, nil, container.NewVBox(f.test), nil, f.result)
}

// keyWhere says where a saved API key is kept.
func (u *UI) keyWhere() string {
	switch k := u.deps.Keys; {
	case k != nil && k.InMemory():
		return tr.L("No OS keyring and no passphrase: the key is kept for this session only.")
	case k != nil && k.InFile():
		return tr.L("No OS keyring: the key is sealed under your passphrase in a file only you can read, never in the settings file.")
	}
	return tr.L("The key is kept in the OS keyring, never in the settings file.")
}

// say shows a result line under the form.
func (f *connectionForm) say(text string, imp widget.Importance) {
	f.result.Importance = imp
	f.result.SetText(text)
	f.result.Show()
}

// values reads and checks the endpoint and key entries. An empty key is allowed (keep the saved
// one); a key the client would refuse is not.
func (f *connectionForm) values() (endpoint, key string, err error) {
	endpoint = strings.TrimSpace(f.endpoint.Text)
	if err := checkEndpoint(endpoint); err != nil {
		return "", "", err
	}
	key = strings.TrimSpace(f.key.Text)
	if key != "" {
		if _, err := client.New(client.WithAPIKey(key)); err != nil {
			return "", "", errors.New(tr.L("The API key cannot contain spaces or control characters."))
		}
	}
	return endpoint, key, nil
}

// runTest asks the balance with the entered endpoint and key (the saved key when the entry is
// empty), off the UI goroutine, and shows the balance or what went wrong.
func (f *connectionForm) runTest() {
	endpoint, key, err := f.values()
	if err != nil {
		f.say(err.Error(), widget.DangerImportance)
		return
	}
	f.test.Disable()
	f.say(tr.L("Connecting…"), widget.MediumImportance)
	keys, lng := f.ui.deps.Keys, f.langCode()
	f.async(func(ctx context.Context) {
		k := key
		if k == "" && keys != nil {
			k, _ = keys.APIKey() // none saved: k stays ""
		}
		var (
			bal *client.Balance
			err error
		)
		if k == "" {
			err = errors.New(tr.L("Enter your API key first."))
		} else {
			bal, err = f.ui.checkConnection(ctx, endpoint, k, lng)
		}
		fyne.Do(func() {
			f.test.Enable()
			if err != nil {
				f.say(describeError(err), widget.DangerImportance)
				return
			}
			f.say(fmt.Sprintf(tr.L("Connected. Balance: %s %s"), bal.Balance, bal.Currency), widget.SuccessImportance)
		})
	})
}

// checkConnection asks the balance of the account of endpoint and key. Off the UI goroutine.
// The key is never logged; client errors are already redacted. Only the endpoint's host is: the
// typed text may carry credentials the client then refuses.
func (u *UI) checkConnection(ctx context.Context, endpoint, key, lng string) (*client.Balance, error) {
	ua := "hstockplus"
	if u.deps.Version != "" {
		ua += "/" + u.deps.Version
	}
	b, err := account.TestConnection(ctx, endpoint, key, lng, ua, testConnectionTimeout)
	if err != nil {
		u.deps.Logf("test connection to %s: %v", hostOf(endpoint), err)
		return nil, err
	}
	u.deps.Logf("test connection to %s: ok", hostOf(endpoint))
	return b, nil
}

// saveKey stores a new API key in Deps.Secrets. Off the UI goroutine: the keyring may prompt.
func (u *UI) saveKey(key string) error {
	if u.deps.Keys == nil {
		return errors.New(tr.L("The API key cannot be saved: no keyring or private file is available."))
	}
	if err := u.deps.Keys.SetAPIKey(key); err != nil {
		u.deps.Logf("API key: not saved: %v", err)
		return fmt.Errorf(tr.L("The API key could not be saved: %v"), err)
	}
	return nil
}

// choice is a Select over fixed values, each with its label.
type choice[T comparable] struct {
	sel    *guardedSelect
	values []T
	labels []string
}

// newChoice offers values (current added if it is not among them), labelled by label.
func newChoice[T comparable](values []T, current T, label func(T) string) *choice[T] {
	if !slices.Contains(values, current) {
		values = append(slices.Clone(values), current)
	}
	c := &choice[T]{values: values}
	for _, v := range values {
		c.labels = append(c.labels, label(v))
	}
	c.sel = newSelect(c.labels, nil)
	c.sel.SetSelectedIndex(slices.Index(values, current))
	return c
}

func (c *choice[T]) value() T {
	i := c.sel.SelectedIndex()
	if i < 0 {
		i = 0
	}
	return c.values[i]
}

// shortDuration is "10 s", "5 min", "1 h".
func shortDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf(tr.L("%d h"), d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf(tr.L("%d min"), d/time.Minute)
	}
	return fmt.Sprintf(tr.L("%d s"), d/time.Second)
}

func pollLabel(d time.Duration) string {
	if d == 0 {
		return tr.L("Automatic (faster while new)")
	}
	return fmt.Sprintf(tr.L("Every %s"), shortDuration(d))
}

func clearLabel(d time.Duration) string {
	if d == 0 {
		return tr.L("Never")
	}
	return fmt.Sprintf(tr.L("After %s"), shortDuration(d))
}

// settingsDialog is the open Settings dialog. UI goroutine only.
type settingsDialog struct {
	ui    *UI
	dlg   *dialog.CustomDialog
	saved Prefs // the settings when it opened
	done  bool  // Save went through: closing keeps the theme

	conn       *connectionForm
	lang       *choice[string]
	orderPoll  *choice[time.Duration]
	smsPoll    *choice[time.Duration]
	clearAfter *choice[time.Duration]
	notify     *widget.Check
	showCode   *widget.Check
	copyCodes  *widget.Check
	copyCreds  *widget.Check
	lowBalance *escEntry
	theme      *widget.RadioGroup
	uiLang     *choice[string]
	tray       *widget.Check
	noTray     *widget.Label // "No system tray on this desktop"
	tabs       *container.AppTabs
	errText    *widget.Label
	save       *widget.Button
	cancel     *widget.Button
}

var themeChoices = []string{ThemeSystem, ThemeLight, ThemeDark}

func themeLabel(name string) string {
	switch name {
	case ThemeLight:
		return tr.L("Light")
	case ThemeDark:
		return tr.L("Dark")
	}
	return tr.L("Same as the system")
}

// hasSavedKey: a key is (probably) kept already, so an empty key entry means "keep it".
func (u *UI) hasSavedKey() bool { return !u.deps.FirstRun || !u.deps.Demo }

// openSettings shows the Settings dialog (or leaves the open one). UI goroutine only.
func (u *UI) openSettings() {
	if u.settings != nil {
		return
	}
	p := u.Prefs()
	s := &settingsDialog{ui: u, saved: p}
	u.settings = s

	keyHint := tr.L("Paste your API key")
	if u.hasSavedKey() {
		keyHint = tr.L("Saved — leave empty to keep it")
	}
	s.conn = newConnectionForm(u, p.Endpoint, keyHint)
	s.lang = newChoice(client.SupportedLangs(), p.Lang, langLabel)
	s.conn.langCode = s.lang.value
	account := widget.NewForm(
		widget.NewFormItem(tr.L("API endpoint"), s.conn.endpoint),
		&widget.FormItem{Text: tr.L("API key"), Widget: s.conn.key, HintText: u.keyWhere()},
		widget.NewFormItem("", s.conn.row()),
		&widget.FormItem{Text: tr.L("Language"), Widget: s.lang.sel, HintText: tr.L("Language of service and product names")},
	)
	accountTab := fyne.CanvasObject(account)
	if u.deps.Demo {
		note := widget.NewLabel(tr.L("This window runs on the demo sandbox. The endpoint and key here are those of your HstockPlus account."))
		note.Wrapping = fyne.TextWrapWord
		note.Importance = widget.WarningImportance
		accountTab = container.NewVBox(note, account)
	}

	s.notify = widget.NewCheck(tr.L("Show desktop notifications"), nil)
	s.notify.SetChecked(p.Notifications)
	s.showCode = widget.NewCheck(tr.L("Show the SMS code in its notification"), nil)
	s.showCode.SetChecked(p.ShowCodeInNotification)
	s.notify.OnChanged = func(on bool) {
		if on {
			s.showCode.Enable()
		} else {
			s.showCode.Disable()
		}
	}
	s.notify.OnChanged(p.Notifications)
	s.orderPoll = newChoice([]time.Duration{0, 10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute}, p.OrderPoll, pollLabel)
	s.smsPoll = newChoice([]time.Duration{0, 3 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second}, p.SMSPoll, pollLabel)
	s.lowBalance = newEscEntry(u.win)
	if !p.LowBalance.IsZero() {
		s.lowBalance.SetText(p.LowBalance.String())
	}
	s.lowBalance.SetPlaceHolder(tr.L("e.g. 5.00"))
	notifications := widget.NewForm(
		widget.NewFormItem("", container.NewVBox(s.notify, s.showCode)),
		widget.NewFormItem(tr.L("Check orders"), s.orderPoll.sel),
		widget.NewFormItem(tr.L("Check SMS numbers"), s.smsPoll.sel),
		&widget.FormItem{Text: tr.L("Low balance below"), Widget: s.lowBalance, HintText: tr.L("Warn once when the balance falls below this amount. Empty: never.")},
	)

	s.copyCodes = widget.NewCheck(tr.L("Copy new SMS codes to the clipboard"), nil)
	s.copyCodes.SetChecked(p.AutoCopyCodes)
	s.copyCreds = widget.NewCheck(tr.L("Copy delivered accounts to the clipboard"), nil)
	s.copyCreds.SetChecked(p.AutoCopyCredentials)
	s.clearAfter = newChoice([]time.Duration{0, 10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute}, p.ClearAfter, clearLabel)
	clipboard := widget.NewForm(
		widget.NewFormItem("", container.NewVBox(s.copyCodes, s.copyCreds)),
		&widget.FormItem{Text: tr.L("Clear the clipboard"), Widget: s.clearAfter.sel, HintText: tr.L("Only if it still holds what HstockPlus copied.")},
	)

	var labels []string
	for _, t := range themeChoices {
		labels = append(labels, themeLabel(t))
	}
	s.theme = widget.NewRadioGroup(labels, nil)
	s.theme.Horizontal = true
	s.theme.Required = true
	s.theme.SetSelected(themeLabel(p.Theme))
	s.theme.OnChanged = func(string) { u.applyTheme(s.themeName()) } // a preview; Cancel puts it back
	s.tray = widget.NewCheck(tr.L("Keep running in the tray when the window is closed"), nil)
	s.tray.SetChecked(p.CloseToTray)
	s.noTray = widget.NewLabel(tr.L("No system tray on this desktop: closing the window minimises it to the taskbar instead."))
	s.noTray.Wrapping = fyne.TextWrapWord
	s.noTray.Importance = widget.WarningImportance
	s.showTrayHost(u.trayHost)
	s.uiLang = newChoice(append([]string{""}, tr.Languages()...), p.UILang, func(code string) string {
		if code == "" {
			return fmt.Sprintf(tr.L("System (%s)"), tr.Name(tr.System()))
		}
		return tr.Name(code)
	})
	window := widget.NewForm(
		&widget.FormItem{Text: tr.L("Interface language"), Widget: s.uiLang.sel, HintText: tr.L("HstockPlus restarts in it.")},
		widget.NewFormItem(tr.L("Theme"), s.theme),
		widget.NewFormItem("", container.NewVBox(s.tray, s.noTray)),
	)

	s.tabs = container.NewAppTabs(
		container.NewTabItem(tr.L("Account"), container.NewPadded(accountTab)),
		container.NewTabItem(tr.L("Notifications"), container.NewPadded(notifications)),
		container.NewTabItem(tr.L("Clipboard"), container.NewPadded(clipboard)),
		container.NewTabItem(tr.L("Window"), container.NewPadded(window)),
	)
	s.errText = widget.NewLabel("")
	s.errText.Wrapping = fyne.TextWrapWord
	s.errText.Importance = widget.DangerImportance
	s.errText.Hide()

	s.cancel = widget.NewButtonWithIcon(tr.L("Cancel"), theme.CancelIcon(), func() { s.dlg.Hide() })
	s.save = widget.NewButtonWithIcon(tr.L("Save"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	// An edit takes back the last complaint.
	for _, e := range []*escEntry{s.conn.endpoint, s.conn.key, s.lowBalance} {
		e.OnChanged = func(string) { s.errText.Hide() }
	}
	s.dlg = dialog.NewCustomWithoutButtons(tr.L("Settings"), container.NewBorder(nil, s.errText, nil, nil, s.tabs), u.win)
	s.dlg.SetButtons([]fyne.CanvasObject{s.cancel, s.save})
	s.dlg.SetOnClosed(func() {
		if !s.done {
			u.applyTheme(s.saved.Theme)
		}
		u.settings = nil
	})
	s.dlg.Resize(fyne.NewSize(680, 500))
	showDialog(s.dlg, u.win)
}

func (s *settingsDialog) themeName() string {
	for _, t := range themeChoices {
		if themeLabel(t) == s.theme.Selected {
			return t
		}
	}
	return ThemeSystem
}

// collect reads the form into Prefs and the new key ("" = keep the saved one), or says what
// is wrong.
func (s *settingsDialog) collect() (Prefs, string, error) {
	p := s.saved
	endpoint, key, err := s.conn.values()
	if err != nil {
		return p, "", err
	}
	threshold, err := parseThreshold(s.lowBalance.Text)
	if err != nil {
		return p, "", err
	}
	p.Endpoint = endpoint
	p.Lang = s.lang.value()
	p.OrderPoll, p.SMSPoll = s.orderPoll.value(), s.smsPoll.value()
	p.Notifications, p.ShowCodeInNotification = s.notify.Checked, s.showCode.Checked
	p.AutoCopyCodes, p.AutoCopyCredentials = s.copyCodes.Checked, s.copyCreds.Checked
	p.ClearAfter = s.clearAfter.value()
	p.LowBalance = threshold
	p.Theme = s.themeName()
	p.UILang = s.uiLang.value()
	p.Lang = followInterface(s.saved, p)
	p.CloseToTray = s.tray.Checked
	return p, key, p.Validate()
}

// fail shows why Save did not go through, on the tab that has the problem.
func (s *settingsDialog) fail(err error, tab int) {
	s.errText.SetText(err.Error())
	s.errText.Show()
	if tab >= 0 {
		s.tabs.SelectIndex(tab)
	}
}

// onSave checks the form, stores a new key in the keyring (off the UI goroutine: it may
// prompt), saves the settings and closes; a new key, endpoint or language offers a restart.
func (s *settingsDialog) onSave() {
	p, key, err := s.collect()
	if err != nil {
		tab := 0
		if _, terr := parseThreshold(s.lowBalance.Text); terr != nil {
			tab = 1
		}
		s.fail(err, tab)
		return
	}
	s.errText.Hide()
	reconnect := key != "" || p.Endpoint != s.saved.Endpoint || p.Lang != s.saved.Lang || p.UILang != s.saved.UILang
	if key == "" {
		s.finish(p, "", reconnect)
		return
	}
	s.ui.choosePassphraseThen(func(err error) {
		if err != nil {
			s.fail(err, 0)
			return
		}
		s.save.Disable()
		s.cancel.Disable()
		s.conn.async(func(context.Context) {
			err := s.ui.saveKey(key)
			fyne.Do(func() {
				s.save.Enable()
				s.cancel.Enable()
				if err != nil {
					s.fail(err, 0)
					return
				}
				s.finish(p, key, reconnect)
			})
		})
	})
}

func (s *settingsDialog) finish(p Prefs, key string, reconnect bool) {
	s.done = true
	s.ui.setPrefs(p)
	s.dlg.Hide()
	if reconnect {
		var changed []string
		if key != "" {
			changed = append(changed, tr.L("API key"))
		}
		if p.Endpoint != s.saved.Endpoint {
			changed = append(changed, tr.L("endpoint"))
		}
		if p.Lang != s.saved.Lang {
			changed = append(changed, tr.L("language"))
		}
		if p.UILang != s.saved.UILang {
			changed = append(changed, tr.L("interface language"))
		}
		s.ui.offerReconnect(p.Endpoint, key, strings.Join(changed, ", "))
	}
}

// offerReconnect asks to restart the connection with the saved settings (Deps.Reconnect);
// without a Reconnect it says a restart is needed. key is the new key, "" when unchanged;
// changed lists what changed, for the message.
func (u *UI) offerReconnect(endpoint, key, changed string) {
	if u.deps.Reconnect == nil {
		showInformation(tr.L("Restart needed"), fmt.Sprintf(tr.L("Saved. Restart HstockPlus to use the new %s."), changed), u.win)
		return
	}
	d := dialog.NewConfirm(tr.L("Restart HstockPlus?"),
		fmt.Sprintf(tr.L("Saved. HstockPlus restarts to use the new %s."), changed),
		func(ok bool) {
			if ok {
				u.reconnect(endpoint, key)
			}
		}, u.win)
	d.SetConfirmText(tr.L("Restart now"))
	d.SetDismissText(tr.L("Later"))
	showDialog(d, u.win)
}

// reconnect calls Deps.Reconnect and shows its error, if any.
func (u *UI) reconnect(endpoint, key string) {
	if u.deps.Reconnect == nil {
		showInformation(tr.L("Restart needed"), tr.L("Restart HstockPlus to use your account."), u.win)
		return
	}
	if err := u.deps.Reconnect(endpoint, key); err != nil {
		showError(fmt.Errorf(tr.L("Could not reconnect: %s"), describeError(err)), u.win)
	}
}

// followInterface is the catalog language after a save: when the interface language changes and
// the catalog language was left to match the old one, it moves to the new one's (when the API
// speaks it) — a user switching the window to Russian gets Russian service names too. A catalog
// language chosen on purpose, or changed in the same save, stays.
func followInterface(old, p Prefs) string {
	if p.UILang == old.UILang || p.Lang != old.Lang {
		return p.Lang
	}
	effective := func(ui string) string {
		if ui == "" {
			ui = tr.System()
		}
		return closestLang(ui)
	}
	if p.Lang != effective(old.UILang) {
		return p.Lang
	}
	return effective(p.UILang)
}

// showTrayHost says, under "Keep running in the tray", when the desktop shows no tray. UI
// goroutine.
func (s *settingsDialog) showTrayHost(present bool) {
	if present {
		s.noTray.Hide()
	} else {
		s.noTray.Show()
	}
}
