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
