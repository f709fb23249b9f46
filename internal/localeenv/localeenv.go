// Package localeenv keeps a C, POSIX or malformed locale from being logged as an error at start.
//
// On Linux and BSD, Fyne reads the locale from LC_ALL, LC_MESSAGES or LANG (LANGUAGE first when
// set) while its lang package initialises, and logs "Error parsing user locale C" for C.UTF-8,
// and the same for an unknown language or a modifier (de_DE@euro). This package's init runs
// before that: Go initialises, among the packages whose imports are ready, the one whose path
// sorts first, and fyne.io/fyne/v2/lang waits for github.com/jeandeaual/go-locale and
// github.com/nicksnyder/go-i18n, which sort after github.com/hstockplus/… (this package needs
// only the standard library and golang.org/x/text, which those need too). For such a locale it
// sets LANGUAGE, which the lookup reads first, to the languages Fyne can parse — de_DE for
// de_DE@euro, en when none is left: the window starts in the user's language or in English,
// silently. A well-formed locale (ja_JP.UTF-8) is left alone. Import it for its side effect.
package localeenv

import (
	"os"
	"strings"

	"golang.org/x/text/language"
)

func init() { Apply(os.Getenv, os.Setenv) }

// Apply sets LANGUAGE through setenv when the locale getenv gives would not parse.
func Apply(getenv func(string) string, setenv func(string, string) error) {
	locale := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(name); locale != "" {
			break
		}
	}
	if locale == "" || locale == "C" || locale == "POSIX" {
		return // the lookup treats these as "no locale": English, no error
	}
	list := locale
	if l := getenv("LANGUAGE"); l != "" {
		list = l
	}
	var good []string
	clean := true
	for _, l := range strings.Split(list, ":") {
		if parses(l) {
			good = append(good, l)
			continue
		}
		clean = false
		if i := strings.IndexByte(l, '@'); i >= 0 && parses(l[:i]) {
			good = append(good, l[:i])
		}
	}
	if clean {
		return
	}
	if len(good) == 0 {
		good = []string{"en"}
	}
	_ = setenv("LANGUAGE", strings.Join(good, ":"))
}

// parses reports whether Fyne will parse locale: ja_JP.UTF-8 is read as ja-JP.
func parses(locale string) bool {
	tag, _, _ := strings.Cut(locale, ".")
	_, err := language.Parse(strings.ReplaceAll(tag, "_", "-"))
	return err == nil
}
