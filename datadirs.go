package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"runtime"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/internal/appdir"
)

// Where the app keeps its data and its log: see internal/appdir. -data (HSTOCKPLUS_DATA) puts
// both in the chosen folder (the log in its "logs"), and moves nothing.

// appEnv is this system's, for internal/appdir.
func appEnv(getenv func(string) string) appdir.Env {
	return appdir.Env{GOOS: runtime.GOOS, Getenv: getenv}
}

// setDirs fills in the data and log directories of c: the chosen data directory, else the
// platform's (and the place earlier versions used, to move from).
func setDirs(c *config, getenv func(string) string) error {
	e := appEnv(getenv)
	if c.dataDir != "" {
		c.logDir = appdir.LogDirIn(e, c.dataDir)
		return nil
	}
	var err error
	if c.dataDir, err = appdir.DataDir(e); err != nil {
		return fmt.Errorf("no data directory: set -data or HSTOCKPLUS_DATA (%v)", err)
	}
	if c.logDir, err = appdir.LogDir(e); err != nil {
		return fmt.Errorf("no log directory: set -data or HSTOCKPLUS_DATA (%v)", err)
	}
	c.oldDataDir, _ = appdir.Legacy(e) // none: nothing to move
	return nil
}

// startApp prepares the app's folders before the session: it moves an earlier version's data
// to its new place (once), starts the log file and writes the start line and what the move did
// into it. An earlier version still running on the old folder is asked to come forward instead
// (errAlreadyRunning).
func startApp(c *config, stderr io.Writer) error {
	var notes []string
	note := func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }
	var moveErr error
	if c.oldDataDir != "" {
		c.dataDir, moveErr = appdir.Move{From: c.oldDataDir, To: c.dataDir, Lock: cache.AcquireInstanceLock,
			Skip: cache.InstanceFiles(), Logf: note}.Run()
	}
	if _, err := startLog(c.logDir, stderr); err != nil {
		log.Printf("log file: %v (logging to the terminal only)", err)
	}
	log.Printf("HstockPlus %s on %s/%s; data: %s; log: %s", version, runtime.GOOS, runtime.GOARCH, c.dataDir, c.logDir)
	for _, n := range notes {
		log.Print(n)
	}
	if errors.Is(moveErr, cache.ErrLocked) {
		return alreadyRunning(c.dataDir)
	}
	if moveErr != nil {
		log.Printf("data: %v", moveErr)
	}
	return nil
}

// alreadyRunning: another instance holds dir. It is asked to bring its window forward
// (errAlreadyRunning); one that cannot be reached (still starting) is an error.
func alreadyRunning(dir string) error {
	if cache.SignalRunningInstance(dir) == nil {
		return errAlreadyRunning
	}
	return fmt.Errorf("HstockPlus is already running with the data directory %s", dir)
}

// Log file: the standard logger writes to stderr and to dir/hstockplus.log, which is rotated at
// logMaxMB into at most logBackups compressed copies — a few megabytes in all. The file is the
// user's alone (0600, in a 0700 folder: lumberjack creates new files 0600, and the umask set by
// cache.PrivateFiles covers the folder and the compressed copies).
//
// lumberjack starts one goroutine at the first write, which sorts old copies after a rotation
// and lives as long as the process: so does the log, which outlasts the session (the last error,
// a restart, are written after it).
const (
	logMaxMB   = 5
	logBackups = 3
)

// startLog sends the standard logger to stderr and the log file in dir.
func startLog(dir string, stderr io.Writer) (*lumberjack.Logger, error) {
	if dir == "" {
		return nil, errors.New("no log directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := appdir.LogFile(appEnv(os.Getenv), dir)
	if runtime.GOOS != "windows" { // the folder and file of an earlier run, made before the umask
		_ = os.Chmod(dir, 0o700)
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(path, 0o600)
		}
	}
	f := &lumberjack.Logger{Filename: path, MaxSize: logMaxMB, MaxBackups: logBackups, Compress: true}
	log.SetOutput(tee{stderr, f})
	return f, nil
}

// tee writes to every writer, whatever each answers: a Windows GUI program has no stderr, and a
// full disk must not silence the terminal.
type tee []io.Writer

func (t tee) Write(p []byte) (int, error) {
	for _, w := range t {
		_, _ = w.Write(p)
	}
	return len(p), nil
}

// openFolder shows dir in the system's file manager (Help ▸ Open log folder). The opener returns
// as soon as the file manager has it; its exit is collected so it leaves no zombie.
func openFolder(dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return err
	}
	name, args := folderOpener(runtime.GOOS, dir)
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	go func() { _ = cmd.Wait() }() // Explorer answers 1 even when it opened the folder
	return nil
}

// folderOpener is the command that opens a folder on goos.
func folderOpener(goos, dir string) (string, []string) {
	switch goos {
	case "windows":
		return "explorer.exe", []string{dir}
	case "darwin":
		return "open", []string{dir}
	default: // xdg-open also goes through the portal inside a Flatpak
		return "xdg-open", []string{dir}
	}
}
