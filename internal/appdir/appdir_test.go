package appdir

import (
	"errors"
	"testing"
)

func env(goos string, vars map[string]string) Env {
	return Env{GOOS: goos, Getenv: func(k string) string { return vars[k] }}
}

func TestPlacesOnEachSystem(t *testing.T) {
	for _, c := range []struct {
		name                    string
		e                       Env
		data, logs, legacy, log string
	}{
		{"linux defaults", env("linux", map[string]string{"HOME": "/home/u"}),
			"/home/u/.local/share/hstockplus", "/home/u/.local/state/hstockplus", "/home/u/.config/hstockplus",
			"/home/u/.local/state/hstockplus/hstockplus.log"},
		{"linux XDG", env("linux", map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": "/d", "XDG_STATE_HOME": "/s/", "XDG_CONFIG_HOME": "/c"}),
			"/d/hstockplus", "/s/hstockplus", "/c/hstockplus", "/s/hstockplus/hstockplus.log"},
		{"linux relative XDG ignored", env("linux", map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": "rel", "XDG_STATE_HOME": "./st"}),
			"/home/u/.local/share/hstockplus", "/home/u/.local/state/hstockplus", "/home/u/.config/hstockplus",
			"/home/u/.local/state/hstockplus/hstockplus.log"},
		{"freebsd", env("freebsd", map[string]string{"HOME": "/usr/home/u"}),
			"/usr/home/u/.local/share/hstockplus", "/usr/home/u/.local/state/hstockplus", "/usr/home/u/.config/hstockplus",
			"/usr/home/u/.local/state/hstockplus/hstockplus.log"},
		{"macOS", env("darwin", map[string]string{"HOME": "/Users/u", "XDG_DATA_HOME": "/ignored"}),
			"/Users/u/Library/Application Support/hstockplus", "/Users/u/Library/Logs/HstockPlus",
			"/Users/u/Library/Application Support/hstockplus", "/Users/u/Library/Logs/HstockPlus/hstockplus.log"},
		{"windows", env("windows", map[string]string{"USERPROFILE": `C:\Users\u`, "LOCALAPPDATA": `C:\Users\u\AppData\Local`, "APPDATA": `C:\Users\u\AppData\Roaming\`}),
			`C:\Users\u\AppData\Local\HstockPlus`, `C:\Users\u\AppData\Local\HstockPlus\logs`, `C:\Users\u\AppData\Roaming\hstockplus`,
			`C:\Users\u\AppData\Local\HstockPlus\logs\hstockplus.log`},
	} {
		t.Run(c.name, func(t *testing.T) {
			data, err1 := DataDir(c.e)
			logs, err2 := LogDir(c.e)
			legacy, err3 := Legacy(c.e)
			if err := errors.Join(err1, err2, err3); err != nil {
				t.Fatal(err)
			}
			if data != c.data || logs != c.logs || legacy != c.legacy {
				t.Fatalf("data %q logs %q legacy %q\nwant %q %q %q", data, logs, legacy, c.data, c.logs, c.legacy)
			}
			if f := LogFile(c.e, logs); f != c.log {
				t.Fatalf("log file %q, want %q", f, c.log)
			}
		})
	}
}

func TestLogsOfAChosenDataDir(t *testing.T) {
	if got := LogDirIn(env("linux", nil), "/tmp/p"); got != "/tmp/p/logs" {
		t.Fatal(got)
	}
	if got := LogDirIn(env("windows", nil), `D:\p\`); got != `D:\p\logs` {
		t.Fatal(got)
	}
}

func TestNoHome(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		e := env(goos, map[string]string{"HOME": "", "USERPROFILE": "/x"}) // Windows needs LOCALAPPDATA
		if _, err := DataDir(e); !errors.Is(err, ErrNoHome) {
			t.Fatalf("%s: data: %v", goos, err)
		}
		if _, err := LogDir(e); !errors.Is(err, ErrNoHome) {
			t.Fatalf("%s: logs: %v", goos, err)
		}
	}
}
