package gui

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// The window asks the service layer and renders; it never reaches the store. No file of this
// package — its tests included — imports the store package.
func TestNoFileImportsTheStore(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) < 20 {
		t.Fatalf("listing the package's files: %d files, %v", len(files), err)
	}
	const store = "github.com/hstockplus/hstockplus/cache"
	fset := token.NewFileSet()
	for _, f := range files {
		ast, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == store {
				t.Errorf("%s imports the store (%s): ask the service layer (account) instead", f, p)
			}
		}
	}
}
