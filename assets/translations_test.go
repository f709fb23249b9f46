package assets

import (
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite translations/en.json from the keys the code uses")

// usedKeys is every text the code passes to tr.L, tr.N, lang.L or account's words.L/N as a
// literal, read from the module's sources: true for a text with plural forms (tr.N).
func usedKeys(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && d.Name() != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "L" && sel.Sel.Name != "N") {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || (x.Name != "tr" && x.Name != "lang" && x.Name != "words") { // words: account.Words
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: lang.L with a key that is not a literal: the catalogs cannot be checked", fset.Position(call.Pos()))
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			keys[s] = keys[s] || sel.Sel.Name == "N"
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func readCatalog(t *testing.T, name string) map[string]json.RawMessage {
	t.Helper()
	data, err := Translations.ReadFile("translations/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

var (
	verb     = regexp.MustCompile(`%(\[[0-9]+\])?[-+# 0]*[0-9]*(\.[0-9]+)?[a-zA-Z%]`)
	verbArgN = regexp.MustCompile(`\[[0-9]+\]`)
)

func verbs(s string) string {
	v := verb.FindAllString(s, -1)
	for i := range v {
		v[i] = verbArgN.ReplaceAllString(v[i], "") // %[2]s: a translation may reorder
	}
	sort.Strings(v)
	return strings.Join(v, " ")
}

// Every text the window shows is in every shipped catalog, no catalog keeps a text the code no
// longer uses, and a translation has the same placeholders as its English.
func TestCatalogsHaveEveryKeyAndTheSamePlaceholders(t *testing.T) {
	keys := usedKeys(t)
	if len(keys) < 300 {
		t.Fatalf("found only %d keys: the extraction is broken", len(keys))
	}
	if *update {
		en := map[string]any{}
		for k, plural := range keys {
			en[k] = k
			if plural {
				en[k] = map[string]string{"one": k, "other": k}
			}
		}
		data, _ := json.MarshalIndent(en, "", "  ")
		if err := os.WriteFile("translations/en.json", append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	entries, err := Translations.ReadDir("translations")
	if err != nil {
		t.Fatal(err)
	}
	langs := 0
	for _, e := range entries {
		if e.IsDir() {
			continue // translations/fyne, Fyne's own words: TestFyneWordsInEveryLanguage
		}
		cat := readCatalog(t, e.Name())
		langs++
		for k, plural := range keys {
			raw, ok := cat[k]
			if !ok {
				t.Errorf("%s: missing %q", e.Name(), k)
				continue
			}
			forms := map[string]string{}
			var one string
			if plural {
				if err := json.Unmarshal(raw, &forms); err != nil {
					t.Errorf("%s: %q needs its plural forms (%v): %v", e.Name(), k, pluralForms(e.Name()), err)
					continue
				}
				for _, f := range pluralForms(e.Name()) {
					if forms[f] == "" {
						t.Errorf("%s: %q lacks the plural form %q", e.Name(), k, f)
					}
				}
			} else if err := json.Unmarshal(raw, &one); err != nil || one == "" {
				t.Errorf("%s: %q is not one text: %s", e.Name(), k, raw)
				continue
			} else {
				forms["other"] = one
			}
			for f, v := range forms {
				if verbs(v) != verbs(k) {
					t.Errorf("%s: %q (%s) has placeholders %q, the English %q", e.Name(), v, f, verbs(v), verbs(k))
				}
			}
		}
		for k := range cat {
			if _, used := keys[k]; !used {
				t.Errorf("%s: %q is no longer used", e.Name(), k)
			}
		}
	}
	if langs == 0 {
		t.Fatal("no catalog")
	}
}

// pluralForms are the CLDR cardinal forms of the catalog's language, as go-i18n picks them.
func pluralForms(file string) []string {
	switch strings.TrimSuffix(file, ".json") {
	case "ja", "zh_Hans", "ko":
		return []string{"other"}
	case "ru":
		return []string{"one", "few", "many", "other"}
	case "es", "pt_BR", "fr":
		return []string{"one", "many", "other"}
	}
	return []string{"one", "other"}
}

// fyneKeys are the texts of Fyne 2.7's own widgets and dialogs (its lang/translations/base.en.json).
var fyneKeys = []string{"Advanced", "Cancel", "Confirm", "Copy", "Create Folder", "Cut", "Enter filename",
	"Error", "Favourites", "File", "Folder", "New Folder", "No", "OK", "Open", "Paste", "Quit", "Redo",
	"Save", "Select all", "Show Hidden Files", "Undo", "Yes", "file.name", "file.parent",
	"friday", "friday.short", "monday", "monday.short", "saturday", "saturday.short", "sunday",
	"sunday.short", "thursday", "thursday.short", "tuesday", "tuesday.short", "wednesday", "wednesday.short"}

// Fyne's words (dialog buttons, the Quit item, the file dialog, day names) in each of the 9
// languages, complete, in fyne/: Fyne ships no Japanese or Korean and only part of French and
// Brazilian Portuguese; the others are Fyne's own, so that gui.SetFyneLanguage can give Fyne the
// interface language chosen in Settings rather than the system's.
func TestFyneWordsInEveryLanguage(t *testing.T) {
	for _, code := range []string{"en", "ja", "ru", "zh_Hans", "es", "pt_BR", "de", "fr", "ko"} {
		name := "fyne/" + code + ".json"
		cat := readCatalog(t, name)
		for _, k := range fyneKeys {
			if v, ok := cat[k]; !ok || len(v) < 3 {
				t.Errorf("%s: missing %q", name, k)
			}
		}
		if len(cat) != len(fyneKeys) {
			t.Errorf("%s: %d texts, Fyne has %d", name, len(cat), len(fyneKeys))
		}
	}
}
