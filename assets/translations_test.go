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

// usedKeys is every text the code passes to tr.L (or lang.L) as a literal, read from the module's sources.
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
			if !ok || sel.Sel.Name != "L" {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || (x.Name != "tr" && x.Name != "lang") {
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
			keys[s] = true
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func readCatalog(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := Translations.ReadFile("translations/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
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
		en := map[string]string{}
		for k := range keys {
			en[k] = k
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
		cat := readCatalog(t, e.Name())
		langs++
		for k := range keys {
			v, ok := cat[k]
			if !ok || v == "" {
				t.Errorf("%s: missing %q", e.Name(), k)
				continue
			}
			if verbs(v) != verbs(k) {
				t.Errorf("%s: %q has placeholders %q, the English %q", e.Name(), v, verbs(v), verbs(k))
			}
		}
		for k := range cat {
			if !keys[k] {
				t.Errorf("%s: %q is no longer used", e.Name(), k)
			}
		}
	}
	if langs == 0 {
		t.Fatal("no catalog")
	}
}
