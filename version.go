package main

import (
	_ "embed"
	"strings"
)

// fyneAppTOML is FyneApp.toml, the one place the app's version is written: the binary reads it
// from itself, so a plain `go build .` knows its version and packaging never has to pass it in.
//
//go:embed FyneApp.toml
var fyneAppTOML string

// version is the app's version. The linker may set it (-ldflags "-X main.version=…", e.g. for a
// build of a tag with a suffix); otherwise it is the Version of FyneApp.toml's [Details].
var version string

func init() {
	if version == "" {
		version = tomlDetailsVersion(fyneAppTOML)
	}
}

// tomlDetailsVersion returns the quoted Version of the [Details] table of a FyneApp.toml, or
// "unknown" when there is none. It reads only the few lines FyneApp.toml has (key = "value"), so
// the binary needs no TOML library.
func tomlDetailsVersion(toml string) string {
	table := ""
	for _, line := range strings.Split(toml, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			table = strings.Trim(line, "[] \t")
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok || table != "Details" || strings.TrimSpace(key) != "Version" {
			continue
		}
		val = strings.TrimSpace(val)
		if i := strings.Index(val, "#"); i >= 0 && !strings.HasPrefix(val, `"`) {
			val = strings.TrimSpace(val[:i])
		}
		if len(val) >= 2 && val[0] == '"' {
			if end := strings.IndexByte(val[1:], '"'); end >= 0 {
				return val[1 : 1+end]
			}
		}
	}
	return "unknown"
}
