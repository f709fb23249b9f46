// Package appdir says where the app keeps its data and its logs on each system, and moves the
// data of earlier versions there once (Move).
//
//	           data                                        logs
//	Linux      $XDG_DATA_HOME/hstockplus                   $XDG_STATE_HOME/hstockplus
//	           (~/.local/share/hstockplus)                 (~/.local/state/hstockplus)
//	macOS      ~/Library/Application Support/hstockplus    ~/Library/Logs/HstockPlus
//	Windows    %LOCALAPPDATA%\HstockPlus                   %LOCALAPPDATA%\HstockPlus\logs
//
// Versions before this one kept their data in os.UserConfigDir()/hstockplus (Legacy): on Windows
// that is the roaming profile, copied to and from a server at each logon — no place for a
// database of several hundred megabytes that changes while the app runs — and on Linux the config
// directory, which is for settings, not state. On macOS the place was already right and stays
// the same, lower case included: the usual volumes there ignore case, so "HstockPlus" would name
// the same folder, and on a case-sensitive volume it would leave the old one behind for nothing.
//
// The functions are pure (the system, its environment and the home directory are parameters),
// so every system's answer is tested anywhere.
package appdir

import (
	"errors"
	"path/filepath"
	"strings"
)

// Env is what the places depend on: the system (runtime.GOOS) and its environment (os.Getenv).
// The home directory is read from HOME (USERPROFILE on Windows), as os.UserHomeDir does.
type Env struct {
	GOOS   string
	Getenv func(string) string
}

const (
	name        = "hstockplus" // Linux and macOS: the folder names are the command's name
	windowsName = "HstockPlus" // Windows: the product's name, as programs there do
	logFileName = "hstockplus.log"
)

// ErrNoHome: the environment names no home directory (nor the variable Windows needs).
var ErrNoHome = errors.New("appdir: no home directory in the environment")

// DataDir is the app's own data directory: its database, secrets file and instance lock.
func DataDir(e Env) (string, error) {
	switch e.GOOS {
	case "windows":
		base, err := localAppData(e)
		if err != nil {
			return "", err
		}
		return e.join(base, windowsName), nil
	case "darwin", "ios":
		home, err := e.home()
		if err != nil {
			return "", err
		}
		return e.join(home, "Library", "Application Support", name), nil
	default: // Linux and the BSDs: the XDG base directories
		base, err := e.xdg("XDG_DATA_HOME", ".local", "share")
		if err != nil {
			return "", err
		}
		return e.join(base, name), nil
	}
}

// LogDir is where the app writes its log file (see LogFile).
func LogDir(e Env) (string, error) {
	switch e.GOOS {
	case "windows":
		base, err := localAppData(e)
		if err != nil {
			return "", err
		}
		return e.join(base, windowsName, "logs"), nil
	case "darwin", "ios":
		home, err := e.home()
		if err != nil {
			return "", err
		}
		return e.join(home, "Library", "Logs", windowsName), nil
	default:
		base, err := e.xdg("XDG_STATE_HOME", ".local", "state")
		if err != nil {
			return "", err
		}
		return e.join(base, name), nil
	}
}

// LogDirIn is the log directory that goes with a data directory the user chose (-data): its
// "logs" folder, so that each data directory — one running instance each — has its own log.
func LogDirIn(e Env, dataDir string) string { return e.join(dataDir, "logs") }

// LogFile is the log file in logDir.
func LogFile(e Env, logDir string) string { return e.join(logDir, logFileName) }

// Legacy is where versions before this one kept their data: os.UserConfigDir()/hstockplus.
func Legacy(e Env) (string, error) {
	switch e.GOOS {
	case "windows":
		base := e.Getenv("APPDATA")
		if base == "" {
			return "", ErrNoHome
		}
		return e.join(base, name), nil
	case "darwin", "ios":
		home, err := e.home()
		if err != nil {
			return "", err
		}
		return e.join(home, "Library", "Application Support", name), nil
	default:
		// os.UserConfigDir: $XDG_CONFIG_HOME when set (it does not check it is absolute).
		if base := e.Getenv("XDG_CONFIG_HOME"); base != "" {
			return e.join(base, name), nil
		}
		home, err := e.home()
		if err != nil {
			return "", err
		}
		return e.join(home, ".config", name), nil
	}
}

func localAppData(e Env) (string, error) {
	if base := e.Getenv("LOCALAPPDATA"); base != "" {
		return base, nil
	}
	return "", ErrNoHome
}

// xdg is the XDG base directory in variable v, or ~/def… when v is unset or not absolute (the
// specification says to ignore a relative value).
func (e Env) xdg(v string, def ...string) (string, error) {
	if base := e.Getenv(v); base != "" && strings.HasPrefix(base, "/") {
		return base, nil
	}
	home, err := e.home()
	if err != nil {
		return "", err
	}
	return e.join(append([]string{home}, def...)...), nil
}

func (e Env) home() (string, error) {
	v := "HOME"
	if e.GOOS == "windows" {
		v = "USERPROFILE"
	}
	if h := e.Getenv(v); h != "" {
		return h, nil
	}
	return "", ErrNoHome
}

// join joins path elements with the separator of e's system (tests ask for Windows paths on
// Linux, so filepath.Join, which uses the running system's, will not do).
func (e Env) join(elem ...string) string {
	if e.GOOS != "windows" {
		return filepath.ToSlash(filepath.Clean(strings.Join(elem, "/")))
	}
	var parts []string
	for i, p := range elem {
		p = strings.ReplaceAll(p, "/", `\`)
		if i > 0 {
			p = strings.Trim(p, `\`)
		} else {
			p = strings.TrimRight(p, `\`)
		}
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, `\`)
}
