package localeenv

import "testing"

func TestApplySetsEnglishOnlyForANonLanguageLocale(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string // LANGUAGE afterwards, "" for untouched
	}{
		{map[string]string{"LANG": "C.UTF-8"}, "en"},
		{map[string]string{"LC_ALL": "C.utf8", "LANG": "ja_JP.UTF-8"}, "en"},
		{map[string]string{"LANG": "POSIX.UTF-8"}, "en"},
		{map[string]string{"LANG": "1234"}, "en"},
		{map[string]string{"LANG": "xx_YY.UTF-8"}, "en"},
		{map[string]string{"LANG": "C"}, ""},
		{map[string]string{"LANG": "POSIX"}, ""},
		{map[string]string{}, ""},
		{map[string]string{"LANG": "ja_JP.UTF-8"}, ""},
		{map[string]string{"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "C.UTF-8"}, ""},
		{map[string]string{"LANG": "pt_BR"}, ""},
		{map[string]string{"LANG": "de_DE@euro"}, "de_DE"},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "ja:en"}, ""},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "ja:C:en"}, "ja:en"},
	} {
		got := ""
		Apply(func(k string) string { return c.env[k] }, func(k, v string) error {
			if k != "LANGUAGE" {
				t.Fatalf("set %s", k)
			}
			got = v
			return nil
		})
		if got != c.want {
			t.Errorf("%v: LANGUAGE %q, want %q", c.env, got, c.want)
		}
	}
}
