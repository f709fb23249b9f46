package cache

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

// fillDataDir writes into the store s of dir what the app writes: a snapshot big enough to flush
// tables to disk, a spend, images (one big enough to go to the value log).
func fillDataDir(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.SaveServices("en", time.Now(), genServices(20000, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginAdd(client.AddRequest{Service: 1, Quantity: 100, Link: "https://x/p"}, "label", client.MustDecimal("1.00")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutImage("https://x/small.png", []byte("png"), "image/png"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutImage("https://x/big.webp", bytes.Repeat([]byte{7}, 2<<20), "image/webp"); err != nil {
		t.Fatal(err)
	}
}

// checkPrivate walks dir and reports every file that is not 0600 or stricter and every directory
// that is not 0700. It returns the names of the files it saw (relative to dir).
func checkPrivate(t *testing.T, dir string) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		perm := info.Mode().Perm()
		switch {
		case d.IsDir():
			if perm != 0o700 {
				t.Errorf("directory %s is %#o, want 0700", rel, perm)
			}
		default:
			seen[rel] = true
			if perm&^0o600 != 0 {
				t.Errorf("file %s is %#o, want 0600 or stricter", rel, perm)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return seen
}

func wantSeen(t *testing.T, seen map[string]bool, names ...string) {
	t.Helper()
	for _, n := range names {
		if strings.HasPrefix(n, "*") {
			found := false
			for f := range seen {
				found = found || strings.HasSuffix(f, n[1:])
			}
			if !found {
				t.Errorf("no %s file was written (saw %v)", n, seen)
			}
			continue
		}
		if !seen[n] {
			t.Errorf("%s was not written (saw %v)", n, seen)
		}
	}
}

// TestDataDirIsPrivate: everything the package writes in a data directory — the Badger database
// (value logs, tables, MANIFEST, KEYREGISTRY, DISCARD…), the instance files, the secrets file and
// the markers — is 0600 in 0700 directories, even without PrivateFiles' umask (the process umask
// of the test is whatever it is, usually 022).
func TestDataDirIsPrivate(t *testing.T) {
	if !enforceModes {
		t.Skip("Unix permissions only")
	}
	dir := filepath.Join(t.TempDir(), "data")
	release, err := AcquireInstanceLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	stop, err := ListenActivation(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := storeID(dir); err != nil {
		t.Fatal(err)
	}
	sec, err := OpenSecrets(dir, ModeFile)
	if err != nil {
		t.Fatal(err)
	}
	withPassphrase(t, sec)
	if err := sec.Set(SecretDBKey, strings.Repeat("ab", 32)); err != nil {
		t.Fatal(err)
	}
	s := diskStore(t, dir, testKey(t))
	fillDataDir(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	seen := checkPrivate(t, dir)
	wantSeen(t, seen, "instance.lock", "instance.addr", "store-id", "secrets.json", "secrets-backend",
		"db/MANIFEST", "db/KEYREGISTRY", "db/DISCARD", "*.vlog", "*.sst")
}

// TestMakePrivateFixesAnExistingInstall: a data directory written by an older version (0644 files,
// a 0755 database directory, a database moved aside) is made private by Open and
// AcquireInstanceLock; what is not the package's in the data directory is left alone, and a
// symbolic link is not followed.
func TestMakePrivateFixesAnExistingInstall(t *testing.T) {
	if !enforceModes {
		t.Skip("Unix permissions only")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	key := testKey(t)
	s := diskStore(t, dir, key)
	fillDataDir(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	aside := filepath.Join(dir, "db.unreadable-20240101-000000")
	if err := os.MkdirAll(aside, 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(root, "outside.txt")
	for _, p := range []string{
		filepath.Join(aside, "000001.vlog"), filepath.Join(dir, instanceLockFile),
		filepath.Join(dir, "notes.txt"), outside,
	} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "other"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(DBDir(dir), "link")); err != nil {
		t.Fatal(err)
	}
	// Loosen the database as a 022 umask would have left it.
	if err := filepath.WalkDir(DBDir(dir), func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			return os.Chmod(p, 0o755)
		case d.Type().IsRegular():
			return os.Chmod(p, 0o644)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{aside, filepath.Join(dir, "other")} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	s = diskStore(t, dir, key) // Open tightens at once: checked while the store is open
	release, err := AcquireInstanceLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{DBDir(dir), aside} {
		if err := os.Remove(filepath.Join(p, "link")); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	mode := func(p string) fs.FileMode {
		st, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	for _, p := range []string{outside, filepath.Join(dir, "notes.txt")} {
		if m := mode(p); m != 0o644 {
			t.Errorf("%s was changed to %#o", p, m)
		}
	}
	if m := mode(filepath.Join(dir, "other")); m != 0o755 {
		t.Errorf("other/ was changed to %#o", m)
	}
	if err := os.Remove(filepath.Join(dir, "notes.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "other")); err != nil {
		t.Fatal(err)
	}
	seen := checkPrivate(t, dir)
	wantSeen(t, seen, "instance.lock", "db/LOCK", "db/MANIFEST", "db/KEYREGISTRY", "db/DISCARD",
		"db.unreadable-20240101-000000/000001.vlog", "*.sst")
	release()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPrivateFilesUmask: after PrivateFiles, the files Badger creates while the store is open
// (before Open's and Close's tightening could reach them) are private too. The umask is
// process-wide, so this runs in a child process.
func TestPrivateFilesUmask(t *testing.T) {
	if !enforceModes {
		t.Skip("Unix permissions only")
	}
	if dir := os.Getenv("HSTOCKPLUS_TEST_PRIVATE_FILES_DIR"); dir != "" {
		PrivateFiles()
		PrivateFiles()
		s := diskStore(t, dir, testKey(t))
		defer s.Close()
		release, err := AcquireInstanceLock(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		fillDataDir(t, s)
		// Anything created from now on, even outside the package, is private.
		if err := os.WriteFile(filepath.Join(dir, "db", "after-open"), []byte("x"), 0o666); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, "db", "sub"), 0o777); err != nil {
			t.Fatal(err)
		}
		seen := checkPrivate(t, dir)
		wantSeen(t, seen, "db/LOCK", "db/after-open", "*.mem", "*.vlog")
		return
	}
	dir := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(os.Args[0], "-test.run=^TestPrivateFilesUmask$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "HSTOCKPLUS_TEST_PRIVATE_FILES_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestPrivateFilesUmask")) {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
