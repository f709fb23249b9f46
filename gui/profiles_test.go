package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/client"
)

// fakeProfiles records what the Profiles dialog asks.
type fakeProfiles struct {
	entries  []ProfileEntry
	added    [][3]string
	renamed  map[string]string
	removed  []string
	switched []string
}

func (f *fakeProfiles) Entries() []ProfileEntry { return f.entries }
func (f *fakeProfiles) Switch(id string)        { f.switched = append(f.switched, id) }
func (f *fakeProfiles) Add(name, endpoint, key string) (string, error) {
	f.added = append(f.added, [3]string{name, endpoint, key})
	return "p9", nil
}
func (f *fakeProfiles) Rename(id, name string) error { f.renamed[id] = name; return nil }
func (f *fakeProfiles) Remove(id string, deleteData bool) error {
	f.removed = append(f.removed, id)
	return nil
}

// findEntry finds the visible entry (plain or Esc-aware) with placeholder ph, on the window or
// its dialogs.
func findEntry(c fyne.Canvas, ph string) *widget.Entry {
	if e := findVisible(c, func(e *widget.Entry) bool { return e.PlaceHolder == ph }); e != nil {
		return e
	}
	if e := findVisible(c, func(e *escEntry) bool { return e.PlaceHolder == ph }); e != nil {
		return &e.Entry
	}
	return nil
}

// The Profiles dialog lists the profiles; Add profile takes a name, an endpoint and a key, keeps
// the profile and shows it; Rename renames; the tray lists each profile with its balance and
// switches to it.
func TestProfilesDialogAddRenameAndTray(t *testing.T) {
	env := accounttest.New(t, failingAPI{})
	app := &trayApp{App: test.NewTempApp(t)}
	bal := client.Balance{Balance: client.MustDecimal("12.50"), Currency: "USD"}
	fp := &fakeProfiles{renamed: map[string]string{}, entries: []ProfileEntry{
		{ID: "main", Name: "Main", Active: true}, {ID: "p2", Name: "Reseller", Balance: &bal},
	}}
	d := testDeps(t, env.Svc, false)
	d.Profiles = fp
	u := New(app, d)
	u.async = func(f func()) { f() }
	c := u.win.Canvas()

	u.showProfiles()
	if findButton(c, "Add profile…") == nil || findButton(c, "Rename…") == nil {
		t.Fatal("the Profiles dialog lacks Add profile or Rename")
	}
	test.Tap(findButton(c, "Add profile…"))
	name := findEntry(c, "e.g. Second account")
	key := findEntry(c, "Paste the API key")
	if name == nil || key == nil {
		t.Fatal("the Add profile dialog lacks its fields")
	}
	test.Tap(findButton(c, "Add")) // nothing typed: told what is missing, nothing added
	if len(fp.added) != 0 {
		t.Fatalf("added %v without a name", fp.added)
	}
	test.Type(name, "Second")
	test.Type(key, "key-2")
	test.Tap(findButton(c, "Add"))
	if len(fp.added) != 1 || fp.added[0] != [3]string{"Second", client.DefaultEndpoint, "key-2"} {
		t.Fatalf("added %v", fp.added)
	}
	if len(fp.switched) != 1 || fp.switched[0] != "p9" {
		t.Fatalf("switched %v, want the new profile shown", fp.switched)
	}

	u.renameProfile(fp.entries[1])
	test.Tap(findButton(c, "Rename"))
	if fp.renamed["p2"] != "Reseller" {
		t.Fatalf("renamed %v", fp.renamed)
	}

	labels := menuLabels(u.trayMenu(trayState{}))
	for _, want := range []string{"Main", "Reseller · 12.50 USD"} {
		if !strings.Contains(labels, "\n"+want+"\n") {
			t.Errorf("tray lacks %q:\n%s", want, labels)
		}
	}
	for _, it := range u.trayMenu(trayState{}).Items {
		if it.Label == "Reseller · 12.50 USD" {
			it.Action()
		}
	}
	if len(fp.switched) != 2 || fp.switched[1] != "p2" {
		t.Fatalf("the tray did not switch: %v", fp.switched)
	}
}
