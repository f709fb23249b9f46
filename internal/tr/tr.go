// Package tr translates the window's texts: one message catalog per language, embedded in
// assets/translations, looked up by their English text.
//
// Why not Fyne's lang.L alone: Fyne 2.7 picks the language from the system locale only, at
// start, with no way to choose another — on Windows and macOS as on Linux. tr keeps its own
// go-i18n bundle (the library Fyne's lang is built on) over the same catalogs, follows the
// system language by default and can be set to any shipped language (Settings ▸ Interface
// language). The same catalogs are also given to Fyne's lang, so that Fyne's own words (Cancel,
// OK, Quit) follow the system language too.
package tr

import (
	"encoding/json"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/hstockplus/hstockplus/assets"
)

var (
	bundle *i18n.Bundle
	tags   []language.Tag // the shipped languages, English first

	mu    sync.RWMutex
	cur   language.Tag // the language in use
	loc   *i18n.Localizer
	cache map[string]string // texts of cur, as looked up

	group, decimal string // number marks of cur (numbers.go)
)

// loaded reads the catalogs the first time a text, a language or a number is asked for — not at
// start-up: `hstockplus -version` and the passphrase window's first frame do not wait for it.
var loaded = sync.OnceFunc(loadCatalogs)

func loadCatalogs() {
	bundle = i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := assets.Translations.ReadDir("translations")
	if err != nil {
		panic(err) // embedded: cannot happen in a built binary
	}
	for _, f := range files {
		if f.IsDir() {
			continue // translations/fyne: Fyne's own words, given to Fyne (gui)
		}
		data, err := assets.Translations.ReadFile(path.Join("translations", f.Name()))
		if err != nil {
			panic(err)
		}
		mf, err := bundle.ParseMessageFileBytes(data, f.Name())
		if err != nil {
			panic("translations/" + f.Name() + ": " + err.Error()) // a test checks every catalog
		}
		tags = append(tags, mf.Tag)
	}
	sort.SliceStable(tags, func(i, j int) bool { return tags[i] == language.English && tags[j] != language.English })
	set("")
}

// Languages are the codes of the shipped languages, English first: en, ja, ru, zh-Hans…
func Languages() []string {
	loaded()
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.String()
	}
	return out
}

// Name is a language's name in that language: "日本語" for ja.
func Name(code string) string {
	t, err := language.Parse(code)
	if err != nil {
		return code
	}
	switch t.String() {
	case "en":
		return "English"
	case "ja":
		return "日本語"
	case "ru":
		return "Русский"
	case "zh-Hans":
		return "简体中文"
	case "es":
		return "Español"
	case "pt-BR":
		return "Português (Brasil)"
	case "de":
		return "Deutsch"
	case "fr":
		return "Français"
	case "ko":
		return "한국어"
	}
	return code
}

// System is the shipped language closest to the system's (English when none is close).
func System() string {
	loaded()
	return match(systemLocales()...)
}

func match(prefs ...string) string {
	var want []language.Tag
	for _, p := range prefs {
		if t, err := language.Parse(strings.ReplaceAll(p, "_", "-")); err == nil {
			want = append(want, t)
		}
	}
	if len(want) == 0 {
		return "en"
	}
	_, i, conf := language.NewMatcher(tags).Match(want...)
	if conf == language.No {
		return "en"
	}
	return tags[i].String()
}

// Set chooses the language of the texts: a shipped language's code, or "" for the system's.
// What is already on screen keeps its words: the window is built after Set.
func Set(code string) {
	loaded()
	set(code)
}

func set(code string) {
	if code == "" {
		code = match(systemLocales()...) // not System: set runs inside loaded
	} else {
		code = match(code)
	}
	t := language.Make(code)
	g, d := separators(t)
	mu.Lock()
	cur, cache = t, map[string]string{}
	group, decimal = g, d
	loc = i18n.NewLocalizer(bundle, code)
	mu.Unlock()
}

// Current is the code of the language in use.
func Current() string {
	loaded()
	mu.RLock()
	defer mu.RUnlock()
	return cur.String()
}

// L is the text key — an English text as written in the code — in the language in use; the
// English itself when a catalog lacks it (a test keeps every catalog complete).
func L(key string) string {
	loaded()
	mu.RLock()
	s, ok := cache[key]
	l := loc
	mu.RUnlock()
	if ok {
		return s
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: key})
	if err != nil || s == "" {
		s = key
	}
	mu.Lock()
	if loc == l {
		cache[key] = s
	}
	mu.Unlock()
	return s
}

// N is L for a text about n things, in the plural form of n in the language in use: "%d orders"
// is "%d order" for 1 in English, "%d заказа" for 2 and "%d заказов" for 5 in Russian. Its
// catalog entries carry the forms of their language (one, few, many, other).
func N(key string, n int) string {
	loaded()
	mu.RLock()
	l := loc
	mu.RUnlock()
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: key, PluralCount: n})
	if err != nil || s == "" {
		return key
	}
	return s
}
