package gui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func pressEsc(w fyne.Window) {
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		return
	}
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

func TestEscClosesTheTopDialogThenTheNext(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{Demo: true}))
	confirmed := 0
	showInformation("first", "one", u.win)
	showConfirm("second", "two", func(ok bool) {
		if ok {
			confirmed++
		}
	}, u.win)
	if n := openDialogCount(u.win); n != 2 {
		t.Fatalf("%d dialogs open, want 2", n)
	}
	pressEsc(u.win)
	if n := openDialogCount(u.win); n != 1 || confirmed != 0 {
		t.Fatalf("after Esc: %d open, confirmed %d (Esc must cancel, not confirm)", n, confirmed)
	}
	pressEsc(u.win)
	if n := openDialogCount(u.win); n != 0 || u.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("after the second Esc: %d open, overlay %v", n, u.win.Canvas().Overlays().Top())
	}
	pressEsc(u.win) // nothing open: nothing happens
}

func TestEscInATextFieldClosesSettings(t *testing.T) {
	a := test.NewTempApp(t)
	u := newSettingsUI(t, a, Deps{})
	if openDialogCount(u.win) != 1 {
		t.Fatalf("settings not on the dialog stack: %d", openDialogCount(u.win))
	}
	u.win.Canvas().Focus(u.settings.conn.endpoint)
	test.Type(u.settings.conn.endpoint, "x")
	pressEsc(u.win)
	if openDialogCount(u.win) != 0 || u.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Esc in the endpoint field left Settings open")
	}
}

func TestEnterAPIKeyFromTheMenuHasCancel(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{Demo: true, FirstRun: true}))
	dismissTopDialog(u.win) // the first-run welcome
	item := menuItem(u.win.MainMenu(), "Enter API key…")
	if item == nil {
		t.Fatal("no Enter API key… in the menu")
	}
	item.Action()
	if u.welcome == nil || u.welcome.body.Objects[0] != u.welcome.keyForm {
		t.Fatal("the menu did not open the key form")
	}
	test.Tap(buttonOnScreen(t, u.win, "Cancel"))
	if u.welcome != nil || openDialogCount(u.win) != 0 {
		t.Fatal("Cancel did not close the key form")
	}
}

func TestEscCancelsThePassphraseDialog(t *testing.T) {
	a := test.NewTempApp(t)
	keys := &needsKeys{}
	u := newSettingsUI(t, a, Deps{Keys: keys, Reconnect: func(string, string) error { return nil }})
	var got error
	called := 0
	u.choosePassphraseThen(func(err error) { got = err; called++ })
	pressEsc(u.win)
	if called != 1 || !errors.Is(got, errPassphraseCancelled) {
		t.Fatalf("Esc: then called %d times with %v", called, got)
	}
}

func TestHelpMenuListsShortcutsAndSaysWhatItIs(t *testing.T) {
	a := test.NewTempApp(t)
	d := apiDeps(t, failingAPI{errors.New("offline test")}, Deps{Demo: true})
	d.Version = "1.2.3"
	u := New(a, d)
	keys := menuItem(u.win.MainMenu(), "Keyboard shortcuts")
	about := menuItem(u.win.MainMenu(), "About HstockPlus")
	if keys == nil || about == nil {
		t.Fatal("no Help ▸ Keyboard shortcuts / About HstockPlus")
	}
	keys.Action()
	txt := overlayText(u.win)
	for _, want := range []string{"Ctrl+F", "Search the catalog", "Ctrl+,", "Settings…", "Ctrl+5", "Balance", "Esc"} {
		if !strings.Contains(txt, want) {
			t.Fatalf("shortcuts dialog lacks %q: %q", want, txt)
		}
	}
	pressEsc(u.win)
	about.Action()
	if txt := overlayText(u.win); !strings.Contains(txt, "version 1.2.3") || !strings.Contains(txt, "demo") {
		t.Fatalf("about = %q", txt)
	}
	pressEsc(u.win)
	if openDialogCount(u.win) != 0 {
		t.Fatal("Esc left a dialog open")
	}
}

func TestHelpMenuOpensTheFoldersAndAboutNamesThem(t *testing.T) {
	a := test.NewTempApp(t)
	var opened []string
	fail := false
	d := apiDeps(t, failingAPI{errors.New("offline test")}, Deps{
		DataDir: "/home/u/.local/share/hstockplus", LogDir: "/home/u/.local/state/hstockplus",
		OpenFolder: func(dir string) error {
			opened = append(opened, dir)
			if fail {
				return errors.New("xdg-open: not found")
			}
			return nil
		},
	})
	u := New(a, d)
	logs, data := menuItem(u.win.MainMenu(), "Open log folder"), menuItem(u.win.MainMenu(), "Open data folder")
	if logs == nil || data == nil {
		t.Fatal("no Help ▸ Open log folder / Open data folder")
	}
	logs.Action()
	data.Action()
	if len(opened) != 2 || opened[0] != d.LogDir || opened[1] != d.DataDir || openDialogCount(u.win) != 0 {
		t.Fatalf("opened %q, %d dialogs", opened, openDialogCount(u.win))
	}
	fail = true
	logs.Action()
	if txt := overlayText(u.win); !strings.Contains(txt, d.LogDir) || !strings.Contains(txt, "xdg-open: not found") {
		t.Fatalf("a failure to open is not said: %q", txt)
	}
	pressEsc(u.win)

	menuItem(u.win.MainMenu(), "About HstockPlus").Action()
	txt := overlayText(u.win)
	if !strings.Contains(txt, "Data folder: "+d.DataDir) || !strings.Contains(txt, "Log folder: "+d.LogDir) {
		t.Fatalf("about = %q", txt)
	}
	var selectable bool
	visit(overlayRoot(u.win), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, d.DataDir) {
			selectable = l.Selectable
		}
	})
	if !selectable {
		t.Fatal("the folders in About cannot be selected (to copy)")
	}
}

func TestNoFolderItemsWithoutAnOpener(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{DataDir: "/d", LogDir: "/l"}))
	if menuItem(u.win.MainMenu(), "Open log folder") != nil || menuItem(u.win.MainMenu(), "Open data folder") != nil {
		t.Fatal("folder items without Deps.OpenFolder")
	}
}
