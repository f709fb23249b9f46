package gui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/hstockplus/hstockplus/account"
)

func passphraseWindow(t *testing.T, a fyne.App) fyne.Window {
	t.Helper()
	for _, w := range a.Driver().AllWindows() {
		if strings.Contains(w.Title(), "passphrase") {
			return w
		}
	}
	t.Fatal("no passphrase window")
	return nil
}

func TestAskPassphraseUnlockTriesUntilRight(t *testing.T) {
	a := test.NewTempApp(t)
	var tried []string
	opened := false
	AskPassphrase(a, PassphraseRequest{Mode: PassphraseUnlock, Try: func(p string) error {
		tried = append(tried, p)
		if p != "right passphrase" {
			return account.ErrWrongPassphrase
		}
		return nil
	}, Next: func() { opened = true }, Go: func(f func()) { f() }})
	w := passphraseWindow(t, a)
	if b := findButton(w.Canvas(), "This session only (nothing saved)"); b != nil {
		t.Fatal("unlocking offers to skip the passphrase")
	}
	unlock := findButton(w.Canvas(), "Unlock")
	entry := focusedEntry(t, w)
	test.Tap(unlock) // empty: refused without trying
	if len(tried) != 0 || !strings.Contains(labelTexts(w.Content()), "Enter your passphrase") {
		t.Fatalf("empty passphrase tried %q", tried)
	}
	test.Type(entry, "wrong one")
	test.Tap(unlock)
	if !strings.Contains(labelTexts(w.Content()), "Wrong passphrase.") || opened || entry.Text != "" {
		t.Fatalf("opened %v, entry %q", opened, entry.Text)
	}
	test.Type(entry, "right passphrase")
	test.Tap(unlock)
	if !opened || len(tried) != 2 {
		t.Fatalf("tried %q", tried)
	}
}

func TestAskPassphraseChooseChecksAndOffersTheSession(t *testing.T) {
	a := test.NewTempApp(t)
	var chosen string
	declined := false
	AskPassphrase(a, PassphraseRequest{Mode: PassphraseChoose, Try: func(p string) error { chosen = p; return nil },
		Next: func() {}, Decline: func() { declined = true }, Go: func(f func()) { f() }})
	w := passphraseWindow(t, a)
	set := findButton(w.Canvas(), "Set passphrase")
	entry := focusedEntry(t, w)
	test.Type(entry, "short")
	test.Tap(set)
	if chosen != "" || !strings.Contains(labelTexts(w.Content()), "at least 8 characters") {
		t.Fatalf("a short passphrase: chosen %q", chosen)
	}
	entry.SetText("long enough phrase")
	test.Tap(set)
	if chosen != "" || !strings.Contains(labelTexts(w.Content()), "The two passphrases differ") {
		t.Fatal("an unrepeated passphrase was taken")
	}
	test.Tap(findButton(w.Canvas(), "This session only (nothing saved)"))
	if !declined || chosen != "" {
		t.Fatal("declining did not run the session-only path")
	}
}

func focusedEntry(t *testing.T, w fyne.Window) *escEntry {
	t.Helper()
	e, ok := w.Canvas().Focused().(*escEntry)
	if !ok {
		t.Fatalf("focused: %T", w.Canvas().Focused())
	}
	return e
}

// needsKeys is a KeyStore that wants a passphrase before the first key.
type needsKeys struct {
	fakeKeys
	passphrase string
}

func (k *needsKeys) NeedsPassphrase() bool { return k.passphrase == "" }
func (k *needsKeys) SetPassphrase(p string) error {
	if len(p) < account.MinPassphrase {
		return account.ErrWeakPassphrase
	}
	k.passphrase = p
	return nil
}
func (k *needsKeys) SetAPIKey(key string) error {
	if k.passphrase == "" {
		return errors.New("locked")
	}
	return k.fakeKeys.SetAPIKey(key)
}

// Without a keyring, the first key saved from Settings asks for a passphrase first.
func TestSettingsKeyWithoutKeyringAsksAPassphrase(t *testing.T) {
	a := test.NewTempApp(t)
	keys := &needsKeys{}
	u := newSettingsUI(t, a, Deps{Keys: keys, Reconnect: func(string, string) error { return nil }})
	u.settings.conn.key.SetText("new-key-123")
	test.Tap(u.settings.save)
	txt := overlayText(u.win)
	if !strings.Contains(txt, "Choose a passphrase") {
		t.Fatalf("no passphrase asked: %q", txt)
	}
	var pw []*escEntry
	visit(overlayRoot(u.win), func(o fyne.CanvasObject) {
		if e, ok := o.(*escEntry); ok && e.Password {
			pw = append(pw, e)
		}
	})
	if len(pw) != 2 {
		t.Fatalf("%d password entries", len(pw))
	}
	pw[0].SetText("a good passphrase")
	pw[1].SetText("a good passphrase")
	test.Tap(buttonOnScreen(t, u.win, "Set passphrase"))
	if keys.passphrase != "a good passphrase" || keys.apiKey() != "new-key-123" {
		t.Fatalf("passphrase %q, key %q", keys.passphrase, keys.apiKey())
	}
}
