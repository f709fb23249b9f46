package tr

import (
	"slices"
	"testing"
)

func TestLanguagesAndLookups(t *testing.T) {
	t.Cleanup(func() { Set("") })
	langs := Languages()
	for _, want := range []string{"en", "ja", "ru", "zh-Hans", "es", "pt-BR", "de", "fr", "ko"} {
		if !slices.Contains(langs, want) {
			t.Errorf("%s not shipped: %v", want, langs)
		}
	}
	if len(langs) != 9 {
		t.Errorf("%d languages: %v", len(langs), langs)
	}
	if langs[0] != "en" {
		t.Errorf("English is not first: %v", langs)
	}
	for code, want := range map[string]string{"ru": "Каталог", "ja": "カタログ", "en": "Catalog", "pt_BR": "Catálogo", "xx": "Catalog"} {
		Set(code)
		if got := L("Catalog"); got != want {
			t.Errorf("%s: L(Catalog) = %q, want %q", code, got, want)
		}
	}
	Set("ru")
	if Current() != "ru" || L("a text no catalog has") != "a text no catalog has" {
		t.Errorf("current %s; a missing text is not its own English", Current())
	}
	if Name("ja") != "日本語" || Name("zh-Hans") != "简体中文" {
		t.Error("language names")
	}
}

func TestMatchPicksTheClosestShippedLanguage(t *testing.T) {
	for in, want := range map[string]string{"ja-JP": "ja", "ru_RU": "ru", "pt-BR": "pt-BR", "pt-PT": "pt-BR", "zh-CN": "zh-Hans", "de-AT": "de", "sv": "en", "": "en"} {
		if got := match(in); got != want {
			t.Errorf("match(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPluralFormsOfEachLanguage(t *testing.T) {
	t.Cleanup(func() { Set("") })
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"ru", 1, "%d заказ"}, {"ru", 2, "%d заказа"}, {"ru", 5, "%d заказов"}, {"ru", 21, "%d заказ"},
		{"ru", 22, "%d заказа"}, {"ru", 11, "%d заказов"},
		{"en", 1, "%d order"}, {"en", 2, "%d orders"}, {"en", 0, "%d orders"},
		{"fr", 0, "%d commande"}, {"fr", 2, "%d commandes"},
		{"ja", 1, "注文 %d 件"}, {"ja", 5, "注文 %d 件"},
	} {
		Set(c.lang)
		if got := N("%d orders", c.n); got != c.want {
			t.Errorf("%s %d: %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

func TestNumbersInEachLanguageExactly(t *testing.T) {
	t.Cleanup(func() { Set("") })
	for _, c := range []struct{ lang, group, amount string }{
		{"en", "2,400,000", "-1,234,567.0396"},
		{"ja", "2,400,000", "-1,234,567.0396"},
		{"de", "2.400.000", "-1.234.567,0396"},
		{"ru", "2\u00a0400\u00a0000", "-1\u00a0234\u00a0567,0396"},
		{"fr", "2\u00a0400\u00a0000", "-1\u00a0234\u00a0567,0396"},
	} {
		Set(c.lang)
		if got := Group("2400000"); got != c.group {
			t.Errorf("%s: Group = %q, want %q", c.lang, got, c.group)
		}
		// More digits than a float64 holds: all of them stay.
		if got := Amount("-1234567.0396"); got != c.amount {
			t.Errorf("%s: Amount = %q, want %q", c.lang, got, c.amount)
		}
	}
	Set("en")
	if got := Amount("123456789012345678.123456789"); got != "123,456,789,012,345,678.123456789" {
		t.Errorf("long amount: %q", got)
	}
	for in, want := range map[string]string{"1,5": "1.5", " 2.25 ": "2.25", "1.234,5": "1.234,5", "1,2,3": "1,2,3", "7": "7"} {
		if got := ParseAmount(in); got != want {
			t.Errorf("ParseAmount(%q) = %q, want %q", in, got, want)
		}
	}
}
