// Command hstockplus is the HstockPlus desktop app. With -sandbox it serves the simulated API instead.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
	"github.com/hstockplus/hstockplus/gui"
	"github.com/hstockplus/hstockplus/watch"
)

// version is set from FyneApp.toml by the Makefile (-ldflags "-X main.version=…").
var version = "0.1.0-dev"

const appID = "com.hstockplus.desktop"

type config struct {
	demo, showVersion bool
	apiURL, apiKey    string
	dataDir, lang     string
	sandboxAddr       string
	sandbox           sandbox.Options
	sandboxFaults     string
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("hstockplus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&c.demo, "demo", false, "open in demo mode on the built-in sandbox, even with an API key")
	fs.StringVar(&c.apiURL, "api-url", envOr(getenv, "HSTOCKPLUS_API_URL", client.DefaultEndpoint), "API v2 endpoint (env HSTOCKPLUS_API_URL)")
	fs.StringVar(&c.dataDir, "data", getenv("HSTOCKPLUS_DATA"), "directory for the app's state (env HSTOCKPLUS_DATA; default: the user config dir)")
	fs.StringVar(&c.lang, "lang", getenv("HSTOCKPLUS_LANG"), "API language code (en, ja, ru, zh, …)")
	fs.BoolVar(&c.showVersion, "version", false, "print the version and exit")
	fs.StringVar(&c.sandboxAddr, "sandbox", "", "serve the simulated HstockPlus API on `ADDR` (e.g. 127.0.0.1:8731) instead of opening the app")
	fs.StringVar(&c.sandbox.Key, "sandbox-key", "demo", "sandbox: the API key it accepts")
	fs.StringVar(&c.sandbox.Balance, "sandbox-balance", "100.00", "sandbox: the starting balance")
	fs.IntVar(&c.sandbox.Services, "sandbox-services", 0, "sandbox and demo: catalog size (0 = the realistic default catalog)")
	fs.Float64Var(&c.sandbox.Speed, "sandbox-speed", 1, "sandbox: time factor (2 = twice as fast)")
	fs.StringVar(&c.sandboxFaults, "sandbox-faults", "", "sandbox: fault probabilities, e.g. reset=0.1,drop=0.05,html=0.1,429=0.1,slow=0.1,malformed=0.05")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	faults, err := sandbox.ParseFaults(c.sandboxFaults)
	if err != nil {
		return c, fmt.Errorf("-sandbox-faults: %w", err)
	}
	c.sandbox.Faults = faults
	c.apiKey = strings.TrimSpace(getenv("HSTOCKPLUS_API_KEY"))
	if c.dataDir == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return c, fmt.Errorf("no data directory: set -data or HSTOCKPLUS_DATA (%v)", err)
		}
		c.dataDir = filepath.Join(dir, "hstockplus")
	}
	return c, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func main() {
	log.SetFlags(log.Ldate | log.Ltime)
	cfg, err := parseFlags(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		log.Fatalf("hstockplus: %v", err)
	}
	switch {
	case cfg.showVersion:
		fmt.Println("hstockplus", version)
	case cfg.sandboxAddr != "":
		if err := serveSandbox(cfg); err != nil {
			log.Fatalf("hstockplus: sandbox: %v", err)
		}
	default:
		err := runApp(cfg)
		if r := (*restartRequest)(nil); errors.As(err, &r) {
			err = restartSelf(r)
		}
		if err != nil {
			log.Fatalf("hstockplus: %v", err)
		}
	}
}

// serveSandbox runs the simulated API until SIGINT or SIGTERM.
func serveSandbox(cfg config) error {
	srv, err := sandbox.New(cfg.sandbox)
	if err != nil {
		return err
	}
	run, err := sandbox.Listen(cfg.sandboxAddr, srv)
	if err != nil {
		return err
	}
	fmt.Printf("HstockPlus sandbox serving\n  endpoint: %s\n  key:      %s\n", run.URL, run.Key)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Println("sandbox: stopping")
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return run.Close(shut)
}

// runApp opens the window: on the real API when a key is configured, else on an in-process
// sandbox with its own data directory, so demo orders never mix with real ones.
func runApp(cfg config) error {
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	release, err := cache.AcquireInstanceLock(cfg.dataDir)
	if errors.Is(err, cache.ErrLocked) {
		if cache.SignalRunningInstance(cfg.dataDir) == nil {
			fmt.Println("HstockPlus is already running: its window was brought forward.")
			return nil
		}
		return fmt.Errorf("HstockPlus is already running with the data directory %s", cfg.dataDir)
	}
	if err != nil {
		return err
	}
	defer release()

	keyMode := os.Getenv("HSTOCKPLUS_KEYRING") // "" (keyring, else file), "keyring" or "file"
	secrets, err := cache.OpenSecrets(cfg.dataDir, keyMode)
	if err != nil {
		return fmt.Errorf("secrets: %w", err)
	}
	key, firstRun := cfg.apiKey, false
	if key == "" {
		if key, err = secrets.Get(cache.SecretAPIKey); err != nil && !errors.Is(err, cache.ErrNotFound) {
			log.Printf("API key: %v", err)
		}
		firstRun = key == "" && errors.Is(err, cache.ErrNotFound)
	}
	// A desktop app shares the machine: collect garbage harder near 256 MiB of heap (the 100k-row
	// catalog's download and save allocate several times what they keep). GOMEMLIMIT overrides.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
	a := app.NewWithID(appID)
	// Settings: the endpoint and language saved there, unless -api-url / -lang (or their
	// environment variables) say otherwise.
	prefs := gui.LoadPrefs(a.Preferences())
	if cfg.apiURL == client.DefaultEndpoint {
		cfg.apiURL = prefs.Endpoint
	}
	if cfg.lang == "" {
		cfg.lang = prefs.Lang
	}
	endpoint, demo, storeDir := cfg.apiURL, cfg.demo || key == "", cfg.dataDir
	if demo {
		opts := cfg.sandbox // -sandbox-services, -sandbox-speed, -sandbox-faults apply to the demo too
		opts.Seed = 1
		srv, err := sandbox.New(opts)
		if err != nil {
			return err
		}
		run, err := sandbox.Listen("127.0.0.1:0", srv)
		if err != nil {
			return fmt.Errorf("demo sandbox: %w", err)
		}
		defer run.Close(context.Background())
		endpoint, key, storeDir = run.URL, run.Key, filepath.Join(cfg.dataDir, "demo")
		// The simulated account starts afresh on every run (balance, order numbers), so its
		// local database does too: old demo orders would otherwise merge with new ones that
		// reuse their numbers. The directory and its key are kept; nothing real is in it.
		if err := os.RemoveAll(cache.DBDir(storeDir)); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		log.Printf("demo mode: built-in sandbox at %s", run.URL)
	}
	opts := []client.Option{
		client.WithEndpoint(endpoint),
		client.WithAPIKey(key),
		client.WithUserAgent("hstockplus/" + version),
		client.WithRateLimit(5, 10),
	}
	if cfg.lang != "" {
		opts = append(opts, client.WithLang(cfg.lang))
	}
	api, err := client.New(opts...)
	if err != nil {
		return err
	}

	var store *cache.Store
	var ui *gui.UI
	stopPoller := func() {}
	defer func() {
		stopPoller() // before the store closes: the poller writes to it
		if store != nil {
			store.Close()
		}
	}()
	// Reconnect: Settings or the welcome saved a new endpoint (preferences) or key (keyring).
	// A fresh start is the simplest correct way to use them — a new client, the account's own
	// store (not the demo's), a new poller — so the app quits and runs itself again (restartSelf).
	var restart *restartRequest
	reconnect := func(endpoint, key string) error {
		restart = &restartRequest{newKey: key != ""}
		log.Printf("restarting to connect to %s", endpoint)
		a.Quit()
		return nil
	}
	var boot func()
	boot = func() {
		st, err := openStore(storeDir, keyMode)
		if errors.Is(err, cache.ErrWrongKey) {
			gui.ShowWrongKey(a, storeDir, err, func() {
				if moved, err := cache.MoveAside(storeDir); err != nil {
					gui.ShowFatal(a, err)
				} else {
					log.Printf("store: old data kept in %s", moved)
					boot()
				}
			})
			return
		}
		if err != nil {
			gui.ShowFatal(a, fmt.Errorf("cannot open the local store: %w", err))
			return
		}
		store = st
		var notify atomic.Bool
		poller, stop, err := startPoller(a, st, append(opts, watch.ClientOptions()...), prefs, &notify)
		if err != nil {
			gui.ShowFatal(a, err)
			return
		}
		stopPoller = stop
		ui = gui.New(a, gui.Deps{API: api, Store: st, KeyBackend: secrets.Backend(), Demo: demo, Version: version, Logf: log.Printf,
			Secrets: secrets, FirstRun: firstRun, Reconnect: reconnect, OnPlaced: poller.Kick, CopySecret: poller.CopySecret})
		ui.OnPrefsChange(func(p gui.Prefs) {
			poller.SetSettings(gui.WatchSettings(p))
			notify.Store(p.Notifications)
		})
		poller.Subscribe(func(ev watch.Event) { fyne.Do(func() { ui.HandleEvent(ev) }) })
		ui.SetupTray()
		ui.Window().Show()
		ui.Start()
	}
	boot()
	// A second launch asks this instance to come forward.
	if stop, err := cache.ListenActivation(cfg.dataDir, func() {
		fyne.Do(func() {
			if ui != nil {
				ui.Raise()
			}
		})
	}); err == nil {
		defer stop()
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() { <-sig; fyne.Do(a.Quit) }()
	a.Run()
	if restart != nil {
		return restart
	}
	return nil
}

// restartRequest is what runApp returns when the app must run again (after its data directory
// is released): see restartSelf.
type restartRequest struct{ newKey bool }

func (r *restartRequest) Error() string { return "restart requested" }

// restartSelf starts this program again with the same arguments and environment — except that
// after a new API key, -demo is dropped and HSTOCKPLUS_API_KEY unset, so the new process uses the
// key just saved in the keyring.
func restartSelf(r *restartRequest) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	args := os.Args[1:]
	if r.newKey {
		args = withoutFlag(args, "demo")
		os.Unsetenv("HSTOCKPLUS_API_KEY")
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	log.Printf("restarted as process %d", cmd.Process.Pid)
	return cmd.Process.Release()
}

// withoutFlag drops the boolean flag name (-name, --name, -name=…) from args.
func withoutFlag(args []string, name string) []string {
	var out []string
	for _, a := range args {
		if f := strings.TrimLeft(a, "-"); f != a && (f == name || strings.HasPrefix(f, name+"=")) {
			continue
		}
		out = append(out, a)
	}
	return out
}

// startPoller runs the background poller on the store: its own client (the poller retries and
// rate-limits itself), notifications through Fyne (none when switched off), the system
// clipboard with Fyne's as the fallback. stop ends it and waits for it.
func startPoller(a fyne.App, st *cache.Store, opts []client.Option, prefs gui.Prefs, notify *atomic.Bool) (*watch.Poller, func(), error) {
	api, err := client.New(opts...)
	if err != nil {
		return nil, nil, err
	}
	fyneClip := watch.ClipboardFuncs{
		Read: func() (string, error) {
			var s string
			fyne.DoAndWait(func() { s = a.Clipboard().Content() })
			return s, nil
		},
		Write: func(s string) error {
			fyne.DoAndWait(func() { a.Clipboard().SetContent(s) })
			return nil
		},
	}
	settings, schedule := gui.WatchSettings(prefs), gui.WatchSchedule(prefs)
	notify.Store(prefs.Notifications)
	p := watch.New(st, api, watch.Options{
		Notifier: watch.NotifierFunc(func(title, body string) {
			fyne.Do(func() { a.SendNotification(fyne.NewNotification(title, body)) })
		}),
		Format: func(ev watch.Event) (string, string) {
			if !notify.Load() {
				return "", ""
			}
			return watch.DefaultText(ev)
		},
		Clipboard: watch.SystemClipboard(fyneClip),
		Settings:  &settings,
		Schedule:  &schedule,
		Logf:      log.Printf,
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Printf("poller: %v", err)
		}
	}()
	return p, func() { cancel(); <-done }, nil
}

// openStore opens the encrypted store of one data directory, with its key from the keyring.
func openStore(dir, keyMode string) (*cache.Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	secrets, err := cache.OpenSecrets(dir, keyMode)
	if err != nil {
		return nil, err
	}
	dbKey, _, err := cache.EncryptionKey(secrets, cache.DatabaseExists(dir))
	if err != nil {
		return nil, err
	}
	return cache.Open(dir, cache.Options{EncryptionKey: dbKey, Logf: log.Printf})
}
