package appdir

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Move moves an earlier version's data directory (From) to its new place (To), once, so that an
// interruption at any moment loses nothing:
//
//   - To exists and holds something: it is used; From is left alone (a copy of the user's, or a
//     second install's: not ours to delete).
//   - From is missing, or is To: nothing to do.
//   - From is in use — an instance of an earlier version holds its lock — nothing is moved
//     (Run's error wraps Lock's; the caller asks that instance to come forward).
//   - Otherwise From is renamed to To, which is atomic on one file system. Where that fails (To on
//     another volume: a redirected profile, a symbolic link), From is copied to the sibling
//     To+".partial", each file synced, which is then renamed to To; From is removed only after.
//     Until the rename To does not exist, so a copy cut short is redone from the start at the
//     next run (a leftover .partial is discarded first); after it To is complete.
//
// A move that fails leaves From complete and in use for this run (Run returns From and logs why):
// the next start tries again.
type Move struct {
	From, To string
	// Lock takes From's single-instance lock (cache.AcquireInstanceLock); it fails while an
	// instance runs on From. Nil: no check.
	Lock func(dir string) (release func(), err error)
	// Skip names entries at the top of From that are not copied (the lock files: Windows
	// refuses to read a locked file, and they are made afresh).
	Skip []string
	Logf func(format string, args ...any)

	// Test hooks; nil: os.Rename and copyFile.
	rename   func(oldpath, newpath string) error
	copyFile func(src, dst string, mode fs.FileMode) error
}

// PartialSuffix names the sibling of To a copy is made in.
const PartialSuffix = ".partial"

// Run does the move and returns the data directory to use: To, or From where From stays.
func (m Move) Run() (string, error) {
	if m.From == "" || m.From == m.To {
		return m.To, nil
	}
	if !hasEntries(m.From) {
		return m.To, nil
	}
	if hasEntries(m.To) {
		m.logf("data: using %s; the data of an earlier version remains in %s", m.To, m.From)
		return m.To, nil
	}
	l := &lock{take: m.Lock, dir: m.From}
	if err := l.acquire(); err != nil {
		return m.From, fmt.Errorf("appdir: %s not moved: %w", m.From, err)
	}
	defer l.release()
	how, err := m.move(l)
	if err != nil {
		m.logf("data: could not move %s to %s (%v); using it where it is, trying again at the next start", m.From, m.To, err)
		return m.From, nil
	}
	m.logf("data: moved %s to %s (%s)", m.From, m.To, how)
	return m.To, nil
}

// move moves From, whose lock l holds. Windows neither renames nor removes a folder with a file
// open in it (the lock file), so there the lock is let go just before: the moment an earlier
// version could take it is as short as can be.
func (m Move) move(l *lock) (string, error) {
	if err := os.MkdirAll(filepath.Dir(m.To), 0o700); err != nil {
		return "", err
	}
	_ = os.Remove(m.To) // an empty folder left in the way (Remove does not remove a non-empty one)
	partial := m.To + PartialSuffix
	if err := os.RemoveAll(partial); err != nil { // a copy an interruption cut short
		return "", fmt.Errorf("removing an unfinished copy: %w", err)
	}
	rename := m.rename
	if rename == nil {
		rename = os.Rename
	}
	letGo := func() {
		if runtime.GOOS == "windows" {
			l.release()
		}
	}
	letGo()
	if err := rename(m.From, m.To); err == nil {
		syncDir(filepath.Dir(m.To))
		return "renamed", nil
	} else if hasEntries(m.To) {
		return "", err // something else made To meanwhile: From is left as it is
	}
	if err := l.acquire(); err != nil { // Windows: taken again for the copy
		return "", err
	}
	if err := m.copyTree(m.From, partial); err != nil {
		_ = os.RemoveAll(partial)
		return "", fmt.Errorf("copying: %w", err)
	}
	if err := rename(partial, m.To); err != nil {
		_ = os.RemoveAll(partial)
		return "", err
	}
	syncDir(filepath.Dir(m.To))
	letGo()
	if err := os.RemoveAll(m.From); err != nil {
		m.logf("data: the copy in %s is complete, but %s could not be removed: %v", m.To, m.From, err)
	}
	return "copied", nil
}

// copyTree copies the directory src to dst (which must not exist): directories, regular files
// and symbolic links, with their permission bits. Files and directories are synced.
func (m Move) copyTree(src, dst string) error {
	skip := map[string]bool{}
	for _, s := range m.Skip {
		skip[filepath.Join(src, s)] = true
	}
	copyFile := m.copyFile
	if copyFile == nil {
		copyFile = copyRegular
	}
	var dirs []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if skip[p] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		q := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(q, 0o700); err != nil {
				return err
			}
			dirs = append(dirs, q)
			return os.Chmod(q, info.Mode().Perm())
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, q)
		case d.Type().IsRegular():
			return copyFile(p, q, info.Mode().Perm())
		default:
			return nil // sockets, pipes: nothing the app keeps
		}
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		syncDir(dirs[i])
	}
	return nil
}

// copyRegular copies one file with its permission bits and syncs it.
func copyRegular(src, dst string, mode fs.FileMode) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err = io.Copy(out, in); err != nil {
		return err
	}
	if err = out.Chmod(mode); err != nil && runtime.GOOS != "windows" {
		return err
	}
	return out.Sync()
}

// syncDir makes a directory's entries durable (best effort: Windows cannot sync a directory).
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		_ = f.Sync()
		_ = f.Close()
	}
}

// hasEntries reports whether dir is a directory with something in it.
func hasEntries(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	return len(names) > 0 && err == nil
}

func (m Move) logf(format string, args ...any) {
	if m.Logf != nil {
		m.Logf(format, args...)
	}
}

// lock is From's instance lock, taken and let go as the move goes.
type lock struct {
	take func(dir string) (func(), error)
	dir  string
	drop func()
}

func (l *lock) acquire() error {
	if l.take == nil || l.drop != nil {
		return nil
	}
	drop, err := l.take(l.dir)
	if err != nil {
		return err
	}
	l.drop = drop
	return nil
}

func (l *lock) release() {
	if l.drop != nil {
		l.drop()
		l.drop = nil
	}
}
