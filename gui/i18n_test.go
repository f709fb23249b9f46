package gui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// The window speaks the interface language of the preferences: every tab in Japanese, Russian
// and Chinese.
func TestEveryTabInTheChosenLanguage(t *testing.T) {
	t.Cleanup(func() { tr.Set("") })
	for code, want := range map[string]struct {
		tabs []string
		some []string // texts somewhere in the window
	}{
		"ja":      {[]string{"カタログ", "ショップ", "注文", "SMS", "残高"}, []string{"カタログを検索…", "更新"}},
		"ru":      {[]string{"Каталог", "Магазины", "Заказы", "SMS", "Баланс"}, []string{"Поиск по каталогу…", "Обновить"}},
		"zh-Hans": {[]string{tr.Name("zh-Hans")}, nil}, // filled below from the catalog itself
	} {
		a := test.NewTempApp(t)
		a.Preferences().SetString(prefUILang, code)
		u := New(a, apiDeps(t, failingAPI{errors.New("offline test")}, Deps{Demo: true}))
		if tr.Current() != code {
			t.Fatalf("%s: the window speaks %s", code, tr.Current())
		}
		if code == "zh-Hans" {
			want.tabs = []string{tr.L("Catalog"), tr.L("Shops"), tr.L("Orders"), tr.L("Balance")}
			if want.tabs[0] == "Catalog" || want.tabs[3] == "Balance" {
				t.Fatalf("zh-Hans: tabs not translated: %v", want.tabs)
			}
		}
		var tabs []string
		for _, it := range u.tabs.Items {
			tabs = append(tabs, it.Text)
		}
		for _, w := range want.tabs {
			if !strings.Contains(strings.Join(tabs, "|"), w) {
				t.Errorf("%s: tabs %v lack %q", code, tabs, w)
			}
		}
		if u.catalog.search.PlaceHolder != tr.L("Search the catalog…") || u.catalog.search.PlaceHolder == "Search the catalog…" {
			t.Errorf("%s: search placeholder %q", code, u.catalog.search.PlaceHolder)
		}
		for _, w := range want.some {
			if !strings.Contains(u.catalog.search.PlaceHolder+"|"+u.catalog.refresh.Text, w) {
				t.Errorf("%s: %q not in the catalog's search or refresh", code, w)
			}
		}
		for _, tab := range u.tabs.Items {
			u.tabs.Select(tab)
			if txt := labelTexts(tab.Content); strings.Contains(txt, "Select a") || strings.Contains(txt, "No order yet") {
				t.Errorf("%s: %s tab shows English: %q", code, tab.Text, txt)
			}
		}
	}
}

func TestInterfaceLanguageSavedAndRestartOffered(t *testing.T) {
	t.Cleanup(func() { tr.Set("") })
	a := test.NewTempApp(t)
	u := newSettingsUI(t, a, Deps{})
	s := u.settings
	s.uiLang.sel.SetSelectedIndex(indexOf(s.uiLang.values, "ru"))
	test.Tap(s.save)
	if got := LoadPrefs(a.Preferences()).UILang; got != "ru" {
		t.Fatalf("saved interface language %q", got)
	}
	if txt := overlayText(u.win); !strings.Contains(txt, "interface language") {
		t.Fatalf("no restart offered: %q", txt)
	}
}

func indexOf(values []string, v string) int {
	for i, x := range values {
		if x == v {
			return i
		}
	}
	return -1
}

func TestDatesAndAmountsInTheLanguage(t *testing.T) {
	t.Cleanup(func() { tr.Set("") })
	when := time.Date(2020, 3, 7, 10, 8, 0, 0, time.Local) // not today
	for code, want := range map[string][2]string{
		"en": {"7 Mar 10:08", "1,234.50 · 2,400,000"},
		"ja": {"3月7日 10:08", "1,234.50 · 2,400,000"},
		"ru": {"07.03 10:08", "1\u00a0234,50 · 2\u00a0400\u00a0000"},
		"de": {"07.03. 10:08", "1.234,50 · 2.400.000"},
		"ko": {"3월 7일 10:08", "1,234.50 · 2,400,000"},
	} {
		tr.Set(code)
		if got := formatWhen(when); got != want[0] {
			t.Errorf("%s: date %q, want %q", code, got, want[0])
		}
		if got := money(client.MustDecimal("1234.5")) + " · " + groupDigits(2400000); got != want[1] {
			t.Errorf("%s: numbers %q, want %q", code, got, want[1])
		}
	}
	tr.Set("de")
	if d, err := parseThreshold("2,5"); err != nil || d.String() != "2.5" {
		t.Errorf("a decimal comma: %v, %v", d, err)
	}
}

func TestSelectFitsItsWidestOption(t *testing.T) {
	test.NewTempApp(t)
	s := newSelect([]string{"Все", "За всё время", "За 30 дней"}, nil)
	s.SetSelectedIndex(0)
	wide := fyne.MeasureText("За всё время", theme.TextSize(), fyne.TextStyle{}).Width
	if s.MinSize().Width < wide+theme.IconInlineSize() {
		t.Fatalf("min width %v cannot show %v of text and the arrow", s.MinSize().Width, wide)
	}
}

func TestCatalogLanguageFollowsTheInterfaceLanguage(t *testing.T) {
	for _, c := range []struct {
		old, new Prefs
		want     string
	}{
		{Prefs{UILang: "en", Lang: "en"}, Prefs{UILang: "ru", Lang: "en"}, "ru"},       // left to match: follows
		{Prefs{UILang: "en", Lang: "en"}, Prefs{UILang: "pt-BR", Lang: "en"}, "pt-BR"}, // region kept
		{Prefs{UILang: "en", Lang: "de"}, Prefs{UILang: "ru", Lang: "de"}, "de"},       // chosen on purpose: stays
		{Prefs{UILang: "en", Lang: "en"}, Prefs{UILang: "ru", Lang: "ja"}, "ja"},       // changed in the same save
		{Prefs{UILang: "ru", Lang: "ru"}, Prefs{UILang: "ru", Lang: "ru"}, "ru"},       // nothing changed
		{Prefs{UILang: "ko", Lang: "ko"}, Prefs{UILang: "zh-Hans", Lang: "ko"}, "zh"},  // Chinese: the API's zh
	} {
		if got := followInterface(c.old, c.new); got != c.want {
			t.Errorf("%+v → %+v: catalog language %q, want %q", c.old, c.new, got, c.want)
		}
	}
}

// Fyne's own words (dialog buttons, Quit) follow the interface language chosen in Settings, not
// the system's: Fyne 2.7 picks them from the system locale only.
func TestFyneWordsFollowTheChosenLanguage(t *testing.T) {
	t.Cleanup(func() { tr.Set(""); setFyneWords(tr.Current()) })
	for code, want := range map[string][2]string{
		"ru": {"Отмена", "Выйти"}, "ja": {"キャンセル", "終了"}, "de": {"Abbrechen", "Beenden"},
		"ko": {"취소", "종료"}, "fr": {"Annuler", "Quitter"}, "en": {"Cancel", "Quit"},
	} {
		tr.Set(code)
		setFyneWords(tr.Current())
		if got := [2]string{lang.L("Cancel"), lang.L("Quit")}; got != want {
			t.Errorf("%s: Fyne says %q, want %q", code, got, want)
		}
	}
}
