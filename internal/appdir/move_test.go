package appdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/hstockplus/hstockplus/cache"
)

// storeLike makes a data directory as the app leaves it: the database folder, the secrets file,
// the lock, a demo folder; directories 0700, files 0600.
func storeLike(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"db/000001.vlog":          strings.Repeat("v", 70000),
		"db/MANIFEST":             "manifest",
		"db/KEYREGISTRY":          "reg",
		"secrets.json":            `{"sealed":"…"}`,
		"instance.lock":           "123\n",
		"demo/sandbox-state.json": "{}",
		"demo/db/000001.sst":      "sst",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mustChmodTree(t, dir)
}

func mustChmodTree(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, 0o700)
		}
		return os.Chmod(p, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tree lists dir: relative path → mode and contents. skip names top entries left out.
func tree(t *testing.T, dir string, skip ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		for _, s := range skip {
			if rel == s {
				return nil
			}
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		v := info.Mode().String()
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(b)
		}
		out[filepath.ToSlash(rel)] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d:\n%v\n%v", len(got), len(want), keys(got), keys(want))
	}
	for k, v := range want {
		if got[k] != v {
			g, w := got[k], v
			if len(g) > 40 {
				g = g[:40]
			}
			if len(w) > 40 {
				w = w[:40]
			}
			t.Fatalf("%s: %q, want %q", k, g, w)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func logTo(_ *testing.T, lines *[]string) func(string, ...any) {
	return func(f string, a ...any) { *lines = append(*lines, fmt.Sprintf(f, a...)) }
}

func places(t *testing.T) (from, to string) {
	root := t.TempDir()
	return filepath.Join(root, "config", "hstockplus"), filepath.Join(root, "local", "share", "hstockplus")
}

var skipLock = []string{"instance.lock", "instance.addr"}

func TestMoveRenamesTheOldDirectory(t *testing.T) {
	from, to := places(t)
	storeLike(t, from)
	want := tree(t, from)
	var notes []string
	dir, err := Move{From: from, To: to, Lock: cache.AcquireInstanceLock, Skip: skipLock, Logf: logTo(t, &notes)}.Run()
	if err != nil || dir != to {
		t.Fatalf("Run = %q, %v", dir, err)
	}
	if runtime.GOOS != "windows" {
		sameTree(t, tree(t, to, "instance.lock"), withoutKey(want, "instance.lock"))
	}
	if _, err := os.Stat(from); !os.IsNotExist(err) {
		t.Fatalf("the old directory is still there: %v", err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "moved "+from+" to "+to+" (renamed)") {
		t.Fatalf("notes %q", notes)
	}
	// Once moved, the next start finds nothing to do.
	notes = nil
	if dir, err := (Move{From: from, To: to, Logf: logTo(t, &notes)}).Run(); dir != to || err != nil || len(notes) != 0 {
		t.Fatalf("second run: %q %v %q", dir, err, notes)
	}
}

func withoutKey(m map[string]string, k string) map[string]string {
	out := map[string]string{}
	for kk, v := range m {
		if kk != k {
			out[kk] = v
		}
	}
	return out
}

// crossDevice is os.Rename across volumes: From cannot be renamed, the copy is.
func crossDevice(oldpath, newpath string) error {
	if strings.HasSuffix(oldpath, PartialSuffix) {
		return os.Rename(oldpath, newpath)
	}
	return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: syscall.EXDEV}
}

func TestMoveCopiesAcrossVolumesKeepingModes(t *testing.T) {
	from, to := places(t)
	storeLike(t, from)
	if err := os.Chmod(filepath.Join(from, "db", "MANIFEST"), 0o400); err != nil { // a stricter mode is kept
		t.Fatal(err)
	}
	if err := os.MkdirAll(to, 0o700); err != nil { // an empty folder in the way is no obstacle
		t.Fatal(err)
	}
	want := withoutKey(tree(t, from), "instance.lock")
	var notes []string
	dir, err := Move{From: from, To: to, Lock: cache.AcquireInstanceLock, Skip: skipLock, Logf: logTo(t, &notes), rename: crossDevice}.Run()
	if err != nil || dir != to {
		t.Fatalf("Run = %q, %v (%q)", dir, err, notes)
	}
	if runtime.GOOS != "windows" {
		sameTree(t, tree(t, to), want)
	}
	if _, err := os.Stat(from); !os.IsNotExist(err) {
		t.Fatalf("the old directory is still there: %v", err)
	}
	if _, err := os.Stat(to + PartialSuffix); !os.IsNotExist(err) {
		t.Fatalf("the partial copy is still there: %v", err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "(copied)") {
		t.Fatalf("notes %q", notes)
	}
}

func TestAnInterruptedCopyLosesNothingAndIsRedone(t *testing.T) {
	from, to := places(t)
	storeLike(t, from)
	want := tree(t, from)
	// The copy fails midway (a full disk, a pulled drive): the third file is not written.
	n := 0
	failing := func(src, dst string, mode fs.FileMode) error {
		if n++; n == 3 {
			return errors.New("no space left on device")
		}
		return copyRegular(src, dst, mode)
	}
	var notes []string
	dir, err := Move{From: from, To: to, Lock: cache.AcquireInstanceLock, Skip: skipLock, Logf: logTo(t, &notes), rename: crossDevice, copyFile: failing}.Run()
	if err != nil || dir != from {
		t.Fatalf("Run = %q, %v: want the old directory in use", dir, err)
	}
	sameTree(t, tree(t, from, "instance.lock"), withoutKey(want, "instance.lock")) // the lock holds a pid
	if _, err := os.Stat(to); !os.IsNotExist(err) {
		t.Fatalf("a new directory exists after a failed copy: %v", err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "no space left") {
		t.Fatalf("notes %q", notes)
	}

	// A process killed mid-copy leaves a partial copy behind: the next start discards it.
	partial := to + PartialSuffix
	if err := os.MkdirAll(filepath.Join(partial, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(partial, "db", "000001.vlog"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(partial, "stray"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err = Move{From: from, To: to, Lock: cache.AcquireInstanceLock, Skip: skipLock, rename: crossDevice}.Run()
	if err != nil || dir != to {
		t.Fatalf("second run = %q, %v", dir, err)
	}
	if runtime.GOOS != "windows" {
		sameTree(t, tree(t, to), withoutKey(want, "instance.lock"))
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Fatalf("the partial copy is still there: %v", err)
	}
}

func TestBothDirectoriesExist(t *testing.T) {
	from, to := places(t)
	storeLike(t, from)
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(to, "secrets.json"), []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	old, cur := tree(t, from), tree(t, to)
	var notes []string
	dir, err := Move{From: from, To: to, Lock: cache.AcquireInstanceLock, Skip: skipLock, Logf: logTo(t, &notes)}.Run()
	if err != nil || dir != to {
		t.Fatalf("Run = %q, %v", dir, err)
	}
	sameTree(t, tree(t, from), old)
	sameTree(t, tree(t, to), cur)
	if len(notes) != 1 || !strings.Contains(notes[0], "remains in "+from) {
		t.Fatalf("notes %q", notes)
	}
}

func TestNothingToMove(t *testing.T) {
	from, to := places(t)
	for _, m := range []Move{{From: from, To: to}, {From: "", To: to}, {From: to, To: to}} {
		if dir, err := m.Run(); dir != to || err != nil {
			t.Fatalf("%+v: %q %v", m, dir, err)
		}
	}
	if _, err := os.Stat(to); !os.IsNotExist(err) {
		t.Fatal("Run made the new directory: the session does that")
	}
}

func TestNotMovedWhileAnEarlierVersionRunsOnIt(t *testing.T) {
	from, to := places(t)
	storeLike(t, from)
	release, err := cache.AcquireInstanceLock(from) // the running instance
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	want := tree(t, from)
	dir, err := Move{From: from, To: to, Lock: cache.AcquireInstanceLock, Skip: skipLock}.Run()
	if dir != from || !errors.Is(err, cache.ErrLocked) {
		t.Fatalf("Run = %q, %v: want the old directory and ErrLocked", dir, err)
	}
	sameTree(t, tree(t, from), want)
	if _, err := os.Stat(to); !os.IsNotExist(err) {
		t.Fatal("a new directory was made")
	}
	release()
	if dir, err := (Move{From: from, To: to, Lock: cache.AcquireInstanceLock, Skip: skipLock}).Run(); dir != to || err != nil {
		t.Fatalf("after it quit: %q %v", dir, err)
	}
}
