package watch

import (
	"errors"
	"go/build"
	"os/exec"
	"strings"
	"testing"
)

// The poller never imports Fyne, directly or through a dependency.
func TestNoFyneImport(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "fyne.io/") {
			t.Errorf("watch imports %s", imp)
		}
	}
	goTool, err := exec.LookPath("go")
	if errors.Is(err, exec.ErrNotFound) {
		t.Skip("no go command to list the dependencies")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %q", deps)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "fyne.io/") || strings.Contains(d, "go-gl/") {
			t.Errorf("watch depends on %s", d)
		}
	}
}
