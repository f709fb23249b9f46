package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/systray"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/assets"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
	"github.com/hstockplus/hstockplus/clip"
	"github.com/hstockplus/hstockplus/gui"
	"github.com/hstockplus/hstockplus/watch"
)

// errAlreadyRunning: another instance holds the data directory and was asked to come forward.
var errAlreadyRunning = errors.New("already running")

// session is one run of the app: everything it starts derives from its context and ends in
// Close, in the reverse order of the start.
type session struct {
	cfg     config
	app     fyne.App
	ctx     context.Context
	cancel  context.CancelFunc
	prefs   gui.Prefs
	keyMode string
	secrets cache.Secrets

	release  func()           // the instance lock
	demo     *sandbox.Running // the in-process sandbox (demo mode)
	storeDir string
	firstRun bool
	key      string
	opts     []client.Option

	memoryOnly bool // no keyring and no passphrase: secrets and store in memory, for this session

	wipeDemoOnClose bool // Reset demo: the demo's account and store go once closed

	store  *cache.Store
	svc    *account.Service
	clip   *clip.Service
	poller *watch.Poller
	polled chan struct{} // closed when the poller's Run returned
	ui     *gui.UI

	stopActivation func()
	restart        *restartRequest
	closeOnce      sync.Once
}

// newSession takes the data directory, reads the secrets and builds the API options: on the
// real API when a key is configured, else on an in-process sandbox.
func newSession(cfg config) (*session, error) {
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	release, err := cache.AcquireInstanceLock(cfg.dataDir)
	if errors.Is(err, cache.ErrLocked) {
		return nil, alreadyRunning(cfg.dataDir)
	}
	if err != nil {
		return nil, err
	}
	s := &session{cfg: cfg, release: release, keyMode: os.Getenv("HSTOCKPLUS_KEYRING")} // "" (keyring, else file), "keyring" or "file"
	s.ctx, s.cancel = context.WithCancel(context.Background())
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	if s.secrets, err = cache.OpenSecrets(cfg.dataDir, s.keyMode); err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	// A desktop app shares the machine: collect garbage harder near 256 MiB of heap (the 100k-row
	// catalog's download and save allocate several times what they keep). GOMEMLIMIT overrides.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
	// The app's own metadata: a binary not built by `fyne package` has none, and the tray's
	// title would be the app ID.
	app.SetMetadata(fyne.AppMetadata{ID: appID, Name: appName, Version: version, Build: 1, Icon: assets.Icon,
		Migrations: map[string]bool{"fyneDo": true}})
	s.app = app.NewWithID(appID)
	// Settings: the endpoint and language saved there, unless -api-url / -lang (or their
	// environment variables) say otherwise.
	s.prefs = gui.LoadPrefs(s.app.Preferences())
	if cfg.apiURL == client.DefaultEndpoint {
		cfg.apiURL = s.prefs.Endpoint
	}
	if cfg.lang == "" {
		cfg.lang = s.prefs.Lang
	}
	s.cfg = cfg
	ok = true
	return s, nil
}

// unlockThen makes the secrets readable, then runs next (UI goroutine, before Run). Without an OS
// keyring the secrets file is sealed under the user's passphrase: entered at each start, chosen
// when there is something to protect (a key from the environment, or secrets an earlier version
// kept unsealed), or declined for this session only.
func (s *session) unlockThen(next func()) {
	f, ok := s.secrets.(*cache.FileSecrets)
	if !ok {
		next()
		return
	}
	st, err := f.State()
	if err != nil {
		gui.ShowFatal(s.app, fmt.Errorf("secrets: %w", err))
		return
	}
	sessionOnly := func() {
		mem := cache.NewMemorySecrets()
		if v, err := f.Get(cache.SecretAPIKey); err == nil { // a legacy file is still readable
			_ = mem.Set(cache.SecretAPIKey, v)
		}
		s.secrets, s.memoryOnly = mem, true
		log.Printf("secrets: no keyring and no passphrase: this session keeps nothing")
		next()
	}
	switch {
	case st == cache.FileLocked:
		gui.AskPassphrase(s.app, gui.PassphraseRequest{Mode: gui.PassphraseUnlock, Try: f.Unlock, Next: next})
	case st == cache.FileLegacy:
		gui.AskPassphrase(s.app, gui.PassphraseRequest{Mode: gui.PassphraseMigrate, Try: f.Create, Next: next, Decline: sessionOnly})
	case st == cache.FileMissing && s.cfg.apiKey != "" && !s.cfg.demo:
		gui.AskPassphrase(s.app, gui.PassphraseRequest{Mode: gui.PassphraseChoose, Try: f.Create, Next: next, Decline: sessionOnly})
	default:
		next() // nothing to protect yet: a key saved later asks for a passphrase then
	}
}

// prepare reads the API key and builds the API options: on the real API when a key is
// configured, else on an in-process sandbox.
func (s *session) prepare() error {
	var err error
	s.key = s.cfg.apiKey
	if s.key == "" {
		if s.key, err = s.secrets.Get(cache.SecretAPIKey); err != nil && !errors.Is(err, cache.ErrNotFound) {
			log.Printf("API key: %v", err)
		}
		s.firstRun = s.key == "" && errors.Is(err, cache.ErrNotFound)
	}
	endpoint, demo := s.cfg.apiURL, s.cfg.demo || s.key == ""
	s.storeDir = s.cfg.dataDir
	if demo {
		if endpoint, err = s.startDemo(); err != nil {
			return err
		}
	}
	s.opts = []client.Option{
		client.WithEndpoint(endpoint),
		client.WithAPIKey(s.key),
		client.WithUserAgent("hstockplus/" + version),
		client.WithRateLimit(5, 10),
		client.WithLogf(log.Printf),
		// A whole catalog on a slow link takes its time; every call still ends (the client's own
		// bound is 60 s by default, the poller's checks keep it).
		client.WithCallTimeout(2 * time.Minute),
	}
	if s.cfg.lang != "" {
		s.opts = append(s.opts, client.WithLang(s.cfg.lang))
	}
	return nil
}

// startDemo serves the sandbox in-process, on loopback, with its own data directory. It returns
// its endpoint.
func (s *session) startDemo() (string, error) {
	opts := s.cfg.sandbox // -sandbox-services, -sandbox-speed, -sandbox-faults apply to the demo too
	opts.Seed = 1
	s.storeDir = filepath.Join(s.cfg.dataDir, "demo")
	if err := os.MkdirAll(s.storeDir, 0o700); err != nil {
		return "", fmt.Errorf("demo data: %w", err)
	}
	// The simulated account keeps its state beside the demo's store, so a demo continues across
	// restarts like a real account. A state it cannot read (another catalog size, a damaged
	// file) starts the demo afresh: nothing real is in it.
	opts.StateFile = filepath.Join(s.storeDir, demoStateFile)
	srv, err := sandbox.New(opts)
	if errors.Is(err, sandbox.ErrState) {
		log.Printf("demo: %v: starting the demo afresh", err)
		if err := wipeDemo(s.storeDir); err != nil {
			return "", err
		}
		srv, err = sandbox.New(opts)
	}
	if err != nil {
		return "", err
	}
	run, err := sandbox.Listen("127.0.0.1:0", srv)
	if err != nil {
		return "", fmt.Errorf("demo sandbox: %w", err)
	}
	s.demo = run
	s.key = run.Key
	log.Printf("demo mode: built-in sandbox at %s", run.URL)
	return run.URL, nil
}

// demoStateFile is the simulated account's state, in the demo's directory.
const demoStateFile = "sandbox-state.json"

// wipeDemo removes the demo's simulated account and its local store: the demo starts afresh.
func wipeDemo(dir string) error {
	for _, p := range []string{filepath.Join(dir, demoStateFile), cache.DBDir(dir), filepath.Join(dir, demoKeyFile)} {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	return nil
}

// demoKeyFile keeps the key of the demo's store where there is no OS keyring: the demo holds
// nothing real, so no passphrase guards it (the file is the user's alone, like every other).
const demoKeyFile = "demo-store.key"

// demoSecrets are the secrets of the demo's store: its own in the keyring, else a key kept in a
// file of the demo's directory.
func (s *session) demoSecrets() (cache.Secrets, error) {
	if s.secrets.Backend() == cache.BackendKeyring {
		return cache.OpenSecrets(s.storeDir, s.keyMode)
	}
	mem := cache.NewMemorySecrets()
	p := filepath.Join(s.storeDir, demoKeyFile)
	if b, err := os.ReadFile(p); err == nil {
		_ = mem.Set(cache.SecretDBKey, strings.TrimSpace(string(b)))
		return mem, nil
	}
	if _, _, err := cache.EncryptionKey(mem, cache.DatabaseExists(s.storeDir)); err != nil {
		return nil, err
	}
	v, _ := mem.Get(cache.SecretDBKey)
	if err := os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	return mem, nil
}

// resetDemo starts the demo afresh: the app restarts, and the demo's account and store are
// removed once everything of them is closed.
func (s *session) resetDemo() {
	s.restart, s.wipeDemoOnClose = &restartRequest{}, true
	log.Printf("demo: starting afresh")
	s.quit()
}

// openAndStart opens the store and starts the app on it. A store whose key is not in this
// keyring offers to keep the old data aside and start afresh. UI goroutine (before Run).
func (s *session) openAndStart() {
	if err := s.prepare(); err != nil {
		gui.ShowFatal(s.app, err)
		return
	}
	err := s.openStore()
	if errors.Is(err, cache.ErrWrongKey) {
		gui.ShowWrongKey(s.app, s.storeDir, err, func() {
			moved, err := cache.MoveAside(s.storeDir)
			if err == nil {
				log.Printf("store: old data kept in %s", moved)
				err = s.openStore()
			}
			s.startOrFail(err)
		})
		return
	}
	s.startOrFail(err)
}

func (s *session) startOrFail(err error) {
	if err == nil {
		err = s.start()
	}
	if err != nil {
		gui.ShowFatal(s.app, fmt.Errorf("cannot open the local store: %w", err))
	}
}

// openStore opens the encrypted store of the session's data directory, with its key from the
// session's secrets. The demo's store (a directory of its own, afresh at every start) takes a key
// of its own — kept only in memory when there is no OS keyring, so it never asks for a
// passphrase. Without keyring or passphrase the store lives in memory: nothing is written.
func (s *session) openStore() error {
	if s.memoryOnly {
		var err error
		s.store, err = cache.OpenInMemory(cache.Options{Logf: log.Printf})
		return err
	}
	if err := os.MkdirAll(s.storeDir, 0o700); err != nil {
		return err
	}
	secrets := s.secrets
	if s.storeDir != s.cfg.dataDir {
		var err error
		if secrets, err = s.demoSecrets(); err != nil {
			return err
		}
	}
	dbKey, _, err := cache.EncryptionKey(secrets, cache.DatabaseExists(s.storeDir))
	if err != nil {
		return err
	}
	s.store, err = cache.Open(s.storeDir, cache.Options{EncryptionKey: dbKey, Logf: log.Printf})
	return err
}

// start builds the service layer, the clipboard, the poller and the window on the open store.
func (s *session) start() error {
	api, err := client.New(s.opts...)
	if err != nil {
		return err
	}
	// The poller's checks go through a client without hidden retries: its own rate limit is
	// what the server sees.
	checkAPI, err := client.New(append(s.opts, watch.ClientOptions()...)...)
	if err != nil {
		return err
	}
	settings := gui.Settings(s.prefs)
	s.svc, err = account.New(account.Params{Store: s.store, API: api, CheckAPI: checkAPI, Settings: &settings,
		Endpoint: api.Endpoint(), Logf: log.Printf})
	if err != nil {
		return err
	}
	a := s.app
	s.clip = clip.New(clip.Params{
		System: clip.System(),
		UI: clip.Funcs{
			Read: func() (v string, _ error) {
				fyne.DoAndWait(func() { v = a.Clipboard().Content() })
				return v, nil
			},
			Write: func(v string) error {
				fyne.DoAndWait(func() { a.Clipboard().SetContent(v) })
				return nil
			},
		},
		Release:    clip.HelperRelease(),
		ClearAfter: s.prefs.ClearAfter,
		Logf:       log.Printf,
	})
	// The desktop: its tray host as it comes and goes, its notification server. What it
	// reports reaches the window through fyne.Do (s.ui is set below, on this goroutine).
	desk := startDesktop(s.ctx, desktopParams{
		TrayChanged: func(present bool) { fyne.Do(func() { s.ui.SetTrayHost(present) }) },
		Open:        func() { fyne.Do(func() { s.ui.Raise() }) },
		Icon:        s.iconFile(),
	})
	notifier := desk.notifier
	if notifier == nil {
		notifier = account.NotifierFunc(func(title, body string) {
			fyne.Do(func() { a.SendNotification(fyne.NewNotification(title, body)) })
		})
	}
	alerts := account.NewAlerts(account.AlertParams{
		Settings: s.svc.Settings,
		Notifier: notifier,
		Copier:   s.clip,
		Format:   gui.NotificationText, // in the interface language
		Logf:     log.Printf,
	})
	schedule := gui.Schedule(s.prefs)
	s.poller = watch.New(s.svc, watch.Options{Schedule: &schedule, Logf: log.Printf})
	s.svc.Attach(s.poller)

	s.ui = gui.New(a, gui.Deps{
		Account: s.svc, Clipboard: s.clip, Keys: account.NewKeys(s.secrets),
		Demo: s.demo != nil, Version: version, Logf: log.Printf, FirstRun: s.firstRun,
		DataDir: s.cfg.dataDir, LogDir: s.cfg.logDir, OpenFolder: openFolder,
		Reconnect: s.reconnect, Quit: s.quit, Context: s.ctx,
		ResetDemo: s.resetDemoIfDemo(),
		Minimize:  minimizeWindow, TrayTooltip: systray.SetTooltip, Started: processStart,
	})
	s.ui.OnPrefsChange(func(p gui.Prefs) {
		s.svc.SetSettings(gui.Settings(p))
		s.clip.SetClearAfter(p.ClearAfter)
	})
	// Listeners, in order: the window (and tray), then the alerts (copy, then notify).
	ui := s.ui
	s.svc.Subscribe(func(ev account.Event) { fyne.Do(func() { ui.HandleEvent(ev) }) })
	s.svc.Subscribe(alerts.Handle)
	if desk.bus {
		s.ui.SetupTray()
		s.ui.SetTrayHost(desk.tray)
	} else {
		s.ui.NoTray() // Fyne's tray would fail to register, and crash at quit without a bus
	}
	s.clearOnClose(s.ui.Window())
	s.ui.Window().Show()
	s.ui.Start()

	s.offerKeyring()
	s.polled = make(chan struct{})
	go func() {
		defer close(s.polled)
		if err := s.poller.Run(s.ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Printf("poller: %v", err)
		}
	}()
	return nil
}

// iconFile is the app icon as a file for the desktop's notifications, in the data directory;
// "" when it cannot be written (the server then shows its default).
func (s *session) iconFile() string {
	path := filepath.Join(s.cfg.dataDir, "icon.png")
	if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, assets.Icon.Content()) {
		return path
	}
	if err := os.WriteFile(path, assets.Icon.Content(), 0o600); err != nil {
		log.Printf("desktop: notification icon: %v", err)
		return ""
	}
	return path
}

// offerKeyring: secrets sealed in the file under a passphrase move into an OS keyring that
// answers now, if the user agrees (asked once per start).
func (s *session) offerKeyring() {
	f, ok := s.secrets.(*cache.FileSecrets)
	if !ok || s.keyMode == cache.ModeFile {
		return
	}
	if st, err := f.State(); err != nil || st != cache.FileUnlocked {
		return
	}
	dir, ui := s.cfg.dataDir, s.ui
	go func() {
		if !cache.KeyringAnswers(dir) {
			return
		}
		fyne.Do(func() {
			ui.OfferKeyring(func() error {
				_, err := cache.MoveToKeyring(dir, f)
				return err
			})
		})
	}()
}

// listen brings the window forward when a second launch asks. (SIGINT and SIGTERM quit the app
// through Fyne, which closes the window: see clearOnClose.)
func (s *session) listen() {
	if stop, err := cache.ListenActivation(s.cfg.dataDir, func() {
		fyne.Do(func() {
			if s.ui != nil {
				s.ui.Raise()
			}
		})
	}); err == nil {
		s.stopActivation = stop
	}
}

// quit ends the app. Any goroutine.
func (s *session) quit() { fyne.Do(s.app.Quit) }

// clearOnClose: however the app quits (the window, the tray's Quit, a signal, a reconnect), the
// main window closes while the UI still runs; then the clipboard is cleared of what the app
// copied, through the window's own clipboard, which takes it back from any helper process
// serving it (so the helper exits and nothing of ours outlives the app). UI goroutine.
func (s *session) clearOnClose(w fyne.Window) {
	cb := s.app.Clipboard()
	w.SetOnClosed(func() {
		if !s.clip.ClearThrough(clip.Funcs{
			Read:  func() (string, error) { return cb.Content(), nil },
			Write: func(v string) error { cb.SetContent(v); return nil },
		}) {
			log.Printf("clipboard: a copy was under way at quit; cleared after the window")
		}
		s.clip.DetachUI() // the UI's loop is about to end: no more fyne.DoAndWait
	})
}

// resetDemoIfDemo is resetDemo in the demo, nil otherwise.
func (s *session) resetDemoIfDemo() func() {
	if s.demo == nil {
		return nil
	}
	return s.resetDemo
}

// reconnect: Settings or the welcome saved a new endpoint (preferences) or key (keyring). A fresh
// start is the simplest correct way to use them — a new client, the account's own store (not
// the demo's), a new poller — so the app quits and runs itself again (restartSelf).
func (s *session) reconnect(endpoint, key string) error {
	s.restart = &restartRequest{newKey: key != ""}
	log.Printf("restarting to connect to %s", endpoint)
	s.quit()
	return nil
}

// uiStopped is called once the UI's event loop has returned: the window's clipboard is gone.
func (s *session) uiStopped() {
	if s.clip != nil {
		s.clip.DetachUI()
	}
}

// Close ends the session: it cancels its context, waits for the poller's checks in flight,
// clears the clipboard, closes the store and the demo sandbox, and releases the data directory.
func (s *session) Close() {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.stopActivation != nil {
			s.stopActivation()
		}
		if s.polled != nil {
			<-s.polled // before the store closes: the checks write to it
		}
		if s.ui != nil {
			// The window's background work ends with the context; bounded, in case the UI's loop
			// died under one waiting for it.
			waited := make(chan struct{})
			go func() { s.ui.Wait(); close(waited) }()
			select {
			case <-waited:
			case <-time.After(5 * time.Second):
				log.Printf("session: the window's background work did not end within 5 s")
			}
		}
		if s.clip != nil {
			s.clip.Close()
		}
		if s.store != nil {
			if err := s.store.Close(); err != nil {
				log.Printf("store: %v", err)
			}
		}
		if s.demo != nil {
			if err := s.demo.Close(context.Background()); err != nil {
				log.Printf("demo sandbox: %v", err)
			}
			if s.wipeDemoOnClose {
				if err := wipeDemo(s.storeDir); err != nil {
					log.Printf("%v", err)
				}
			}
		}
		if s.release != nil {
			s.release()
		}
	})
}
