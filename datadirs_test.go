package main

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

func TestChosenDataDirKeepsItsLogAndMovesNothing(t *testing.T) {
	c, err := parseFlags([]string{"-data", "/tmp/profile"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.dataDir != "/tmp/profile" || c.logDir != filepath.Join("/tmp/profile", "logs") || c.oldDataDir != "" {
		t.Fatalf("-data: %+v", c)
	}
	if runtime.GOOS != "linux" {
		return
	}
	c, err = parseFlags(nil, env(map[string]string{"XDG_DATA_HOME": "/x/data", "XDG_STATE_HOME": "/x/state"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.dataDir != "/x/data/hstockplus" || c.logDir != "/x/state/hstockplus" || c.oldDataDir != "/home/u/.config/hstockplus" {
		t.Fatalf("defaults: %+v", c)
	}
}

// keepLog restores the standard logger after a test sent it to a file.
func keepLog(t *testing.T) {
	w, flags := log.Writer(), log.Flags()
	t.Cleanup(func() { log.SetOutput(w); log.SetFlags(flags) })
}

// startApp on a fresh install with an earlier version's folder: the data moves once, the log
// file (0600, in a 0700 folder) says so, with the start line.
func TestStartMovesTheOldDataAndLogsIt(t *testing.T) {
	keepLog(t)
	root := t.TempDir()
	old, data, logs := filepath.Join(root, "config", "hstockplus"), filepath.Join(root, "share", "hstockplus"), filepath.Join(root, "state", "hstockplus")
	if err := os.MkdirAll(filepath.Join(old, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "db", "MANIFEST"), []byte("m"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := config{dataDir: data, logDir: logs, oldDataDir: old}
	var stderr strings.Builder
	if err := startApp(&c, &stderr); err != nil {
		t.Fatal(err)
	}
	if c.dataDir != data {
		t.Fatalf("data dir %q", c.dataDir)
	}
	if b, err := os.ReadFile(filepath.Join(data, "db", "MANIFEST")); err != nil || string(b) != "m" {
		t.Fatalf("moved store: %q %v", b, err)
	}
	f := filepath.Join(logs, "hstockplus.log")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HstockPlus " + version, "data: " + data, "moved " + old + " to " + data} {
		if !strings.Contains(string(b), want) || !strings.Contains(stderr.String(), want) {
			t.Fatalf("log lacks %q:\n%s\nstderr:\n%s", want, b, stderr.String())
		}
	}
	if runtime.GOOS != "windows" {
		if st, _ := os.Stat(f); st.Mode().Perm() != 0o600 {
			t.Fatalf("log file mode %v", st.Mode())
		}
		if st, _ := os.Stat(logs); st.Mode().Perm() != 0o700 {
			t.Fatalf("log folder mode %v", st.Mode())
		}
	}
}

// An earlier version running on the old folder: nothing moves, it is asked to come forward.
func TestStartLeavesAnOldFolderInUse(t *testing.T) {
	keepLog(t)
	root := t.TempDir()
	old, data := filepath.Join(root, "old"), filepath.Join(root, "new")
	release, err := cache.AcquireInstanceLock(old)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	stop, err := cache.ListenActivation(old, func() {})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c := config{dataDir: data, logDir: filepath.Join(root, "logs"), oldDataDir: old}
	if err := startApp(&c, io.Discard); !errors.Is(err, errAlreadyRunning) || c.dataDir != old {
		t.Fatalf("startApp = %v, data %q", err, c.dataDir)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("a new data folder was made: %v", err)
	}
}

// What the app logs about a failing API call never carries the API key, even when the server
// echoes it back in an error page.
func TestTheLogFileNeverHoldsTheAPIKey(t *testing.T) {
	keepLog(t)
	const key = "k3y-Sup3rSecret-0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>bad gateway for key="+r.PostForm.Get("key")+" url "+r.URL.String()+"</html>")
	}))
	defer srv.Close()
	logs := t.TempDir()
	lj, err := startLog(logs, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer lj.Close()
	api, err := client.New(client.WithEndpoint(srv.URL+"/api/v2"), client.WithAPIKey(key), client.WithLogf(log.Printf), client.WithRetry(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.Balance(context.Background())
	if err == nil {
		t.Fatal("the call did not fail")
	}
	log.Printf("balance: %v", err)
	log.Printf("balance: %+v", err)
	b, err := os.ReadFile(filepath.Join(logs, "hstockplus.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "balance:") {
		t.Fatalf("nothing logged: %q", b)
	}
	if !strings.Contains(string(b), "key=[REDACTED]") { // the server's echo did reach the log
		t.Fatalf("the echoed page is not in the log:\n%s", b)
	}
	if strings.Contains(string(b), key) || strings.Contains(string(b), key[:12]) {
		t.Fatalf("the API key is in the log:\n%s", b)
	}
}

func TestFolderOpeners(t *testing.T) {
	for goos, want := range map[string]string{"windows": "explorer.exe", "darwin": "open", "linux": "xdg-open", "freebsd": "xdg-open"} {
		if name, args := folderOpener(goos, "/d"); name != want || len(args) != 1 || args[0] != "/d" {
			t.Fatalf("%s: %s %q", goos, name, args)
		}
	}
	if err := openFolder(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("a missing folder was opened")
	}
}
