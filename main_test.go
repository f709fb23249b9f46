package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// env is an environment of m over a home directory on every system.
func env(m map[string]string) func(string) string {
	home := map[string]string{"HOME": "/home/u", "USERPROFILE": `C:\Users\u`,
		"LOCALAPPDATA": `C:\Users\u\AppData\Local`, "APPDATA": `C:\Users\u\AppData\Roaming`}
	return func(k string) string {
		if v, ok := m[k]; ok {
			return v
		}
		return home[k]
	}
}

func TestFlagsDefaults(t *testing.T) {
	c, err := parseFlags(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.apiURL != client.DefaultEndpoint || c.demo || c.apiKey != "" || c.sandboxAddr != "" {
		t.Fatalf("defaults = %+v", c)
	}
	if !strings.EqualFold(filepath.Base(c.dataDir), "hstockplus") || c.logDir == "" || c.oldDataDir == "" {
		t.Fatalf("data dir = %q, logs %q, old %q", c.dataDir, c.logDir, c.oldDataDir)
	}
	if c.sandbox.Key != "demo" || c.sandbox.Balance != "100.00" || c.sandbox.Speed != 1 {
		t.Fatalf("sandbox defaults = %+v", c.sandbox)
	}
}

func TestFlagsFromEnvironmentAndFlagsWin(t *testing.T) {
	e := env(map[string]string{
		"HSTOCKPLUS_API_URL": "https://panel.example/api/v2",
		"HSTOCKPLUS_API_KEY": "  k-123  ",
		"HSTOCKPLUS_DATA":    "/tmp/from-env",
	})
	c, err := parseFlags(nil, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.apiURL != "https://panel.example/api/v2" || c.apiKey != "k-123" || c.dataDir != "/tmp/from-env" {
		t.Fatalf("from env: %+v", c)
	}
	c, err = parseFlags([]string{"-api-url", "https://other/api/v2", "-data", "/tmp/flag", "-demo"}, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.apiURL != "https://other/api/v2" || c.dataDir != "/tmp/flag" || !c.demo {
		t.Fatalf("flags must win over env: %+v", c)
	}
}

func TestSandboxFlags(t *testing.T) {
	c, err := parseFlags([]string{"-sandbox", "127.0.0.1:8731", "-sandbox-services", "100000",
		"-sandbox-speed", "4", "-sandbox-key", "k", "-sandbox-balance", "5.25", "-sandbox-faults", "reset=0.1,429=0.2"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.sandboxAddr != "127.0.0.1:8731" || c.sandbox.Services != 100000 || c.sandbox.Speed != 4 ||
		c.sandbox.Key != "k" || c.sandbox.Balance != "5.25" || c.sandbox.Faults.Reset != 0.1 || c.sandbox.Faults.RateLimit != 0.2 {
		t.Fatalf("sandbox config = %+v", c.sandbox)
	}
	if _, err := parseFlags([]string{"-sandbox-faults", "bogus=1"}, env(nil), io.Discard); err == nil ||
		!strings.Contains(err.Error(), "-sandbox-faults") {
		t.Fatalf("bad faults: err = %v", err)
	}
	if _, err := parseFlags([]string{"stray"}, env(nil), io.Discard); err == nil {
		t.Fatal("stray argument accepted")
	}
}

// The demo's store keeps its key across starts where there is no keyring, and Reset demo removes
// the simulated account, the store and the key.
func TestDemoKeyPersistsAndResetWipes(t *testing.T) {
	dir := t.TempDir()
	s := &session{secrets: cache.NewMemorySecrets(), cfg: config{dataDir: dir}}
	storeDir := filepath.Join(dir, "demo")
	if err := os.MkdirAll(storeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	a, err := s.demoSecrets(storeDir)
	if err != nil {
		t.Fatal(err)
	}
	k1, _ := a.Get(cache.SecretDBKey)
	b, err := s.demoSecrets(storeDir)
	if err != nil {
		t.Fatal(err)
	}
	if k2, _ := b.Get(cache.SecretDBKey); k1 == "" || k1 != k2 {
		t.Fatalf("demo key %q then %q", k1, k2)
	}
	if st, err := os.Stat(filepath.Join(storeDir, demoKeyFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	if err := os.WriteFile(filepath.Join(storeDir, demoStateFile), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := wipeDemo(storeDir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{demoKeyFile, demoStateFile, "db"} {
		if _, err := os.Stat(filepath.Join(storeDir, f)); !os.IsNotExist(err) {
			t.Fatalf("%s remains after a reset: %v", f, err)
		}
	}
}

// The binary knows its version from the FyneApp.toml it embeds, without -ldflags (tests are built
// without them): the same Version the file in the tree says.
func TestVersionFromFyneAppTOML(t *testing.T) {
	b, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == "Version" {
			want = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	if want == "" || version != want {
		t.Fatalf("version = %q, FyneApp.toml says %q", version, want)
	}
	for toml, v := range map[string]string{
		"[Details]\n  Version = \"1.2.3\"\n  Build = 4\n":            "1.2.3",
		"Version = \"9\"\n[Details]\nVersion=\"2.0.0-rc1\" # next\n": "2.0.0-rc1",
		"[Release]\nVersion = \"9\"\n":                               "unknown",
		"[Details]\r\nName = \"X\"\r\nVersion = \"3.1\"\r\n":         "3.1",
		"": "unknown",
	} {
		if got := tomlDetailsVersion(toml); got != v {
			t.Errorf("tomlDetailsVersion(%q) = %q, want %q", toml, got, v)
		}
	}
}
