package cache

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Private files. Everything the app writes under a data directory is for its user only: files
// 0600, directories 0700 (Unix; on Windows the data directory sits in the user's profile, whose
// ACLs already keep other users out, and Unix modes mean little there, so all of this is a no-op).
//
// Badger has no option for the mode of its files: it creates its value logs, tables, memtables,
// DISCARD and LOCK with 0666, leaving the process umask to decide (0644 under the usual 022).
// Two measures together cover that:
//
//   - PrivateFiles, called by main before anything else, makes the process umask at least 077, so
//     that every file and directory created afterwards — by Badger, by this package, by Fyne (its
//     preferences) — is private from the start, including the files Badger creates while it runs.
//   - MakePrivate, run by Open (and by Close, for files Badger created during the session when
//     PrivateFiles was not called), tightens what is already on disk: existing installs, databases
//     copied in, files created before the umask was set. AcquireInstanceLock and the secrets file
//     fix their own files.
//
// MakePrivate touches only what this package owns in a data directory (see ownedEntry), not the
// data directory itself: it may have been chosen by the user (-data, e.g. a shared folder), and
// nothing else in it is ours to change. The package creates a missing data directory 0700.

const (
	privateFileMode fs.FileMode = 0o600
	privateDirMode  fs.FileMode = 0o700
)

var privateFilesOnce sync.Once

// PrivateFiles makes every file and directory the process creates from now on private to its user
// (Unix: the process umask becomes the old one with 077 added, so at most 0600 for files and
// 0700 for directories; Windows and other systems: a no-op). The umask is process-wide and is
// inherited by child processes (a helper, a restarted app, a browser started to open a link), and
// files the app saves elsewhere on the user's request (an export) are private as well.
//
// Call it once, first thing in main, before any file is written and before any goroutine that
// might create one is started. Calling it again does nothing.
func PrivateFiles() {
	privateFilesOnce.Do(setPrivateUmask)
}

// MakePrivate tightens the permissions of what this package keeps in dataDir: the database
// directory (and any database moved aside) and everything in them, the instance files, the
// secrets file and the small marker files. Directories become 0700, files 0600 (a stricter file
// mode is kept). dataDir itself and its other entries are left alone, symbolic links are not
// followed, and nothing is created or removed. It is best effort: every path is tried and the
// first error is returned. Open and Close call it; a no-op on Windows.
func MakePrivate(dataDir string) error {
	if !enforceModes {
		return nil
	}
	var first error
	note := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		note(err)
		return first
	}
	for _, e := range entries {
		if !ownedEntry(e.Name(), e.IsDir()) || e.Type()&fs.ModeSymlink != 0 {
			continue
		}
		p := filepath.Join(dataDir, e.Name())
		if !e.IsDir() {
			note(tighten(p, false))
			continue
		}
		note(filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				note(err)
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			switch {
			case d.IsDir():
				note(tighten(q, true))
			case d.Type().IsRegular():
				note(tighten(q, false))
			}
			return nil
		}))
	}
	return first
}

// ownedEntry reports whether the entry name of a data directory is one this package writes.
func ownedEntry(name string, dir bool) bool {
	if dir {
		return name == filepath.Base(DBDir("")) || strings.HasPrefix(name, "db.unreadable-")
	}
	switch name {
	case instanceLockFile, instanceAddrFile, secretsFile, secretsBackendFile, storeIDFile:
		return true
	}
	// writeFileAtomic's temporary files, left behind by a crash: "."+name+".*.tmp".
	for _, n := range []string{instanceAddrFile, secretsFile, secretsBackendFile, storeIDFile} {
		if strings.HasPrefix(name, "."+n+".") && strings.HasSuffix(name, ".tmp") {
			return true
		}
	}
	return false
}

// tighten removes the group and other permission bits of path (and, for a file, the execute bit;
// for a directory, it makes sure the owner keeps rwx). It does not follow a symbolic link.
func tighten(path string, dir bool) error {
	if !enforceModes {
		return nil
	}
	st, err := os.Lstat(path)
	if err != nil || st.Mode()&fs.ModeSymlink != 0 {
		return err
	}
	perm := st.Mode().Perm()
	want := perm & privateFileMode
	if dir {
		want = privateDirMode
	}
	if perm == want {
		return nil
	}
	return os.Chmod(path, want)
}
