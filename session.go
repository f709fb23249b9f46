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
	"golang.org/x/time/rate"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/assets"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
	"github.com/hstockplus/hstockplus/clip"
	"github.com/hstockplus/hstockplus/gui"
	"github.com/hstockplus/hstockplus/internal/profiles"
	"github.com/hstockplus/hstockplus/watch"
)

// errAlreadyRunning: another instance holds the data directory and was asked to come forward.
var errAlreadyRunning = errors.New("already running")

// session is one run of the app: everything it starts derives from its context and ends in
// Close, in the reverse order of the start. Its profiles each run on their own (profiles.go);
// the window shows one of them.
type session struct {
	cfg     config
	app     fyne.App
	ctx     context.Context
	cancel  context.CancelFunc
	prefs   gui.Prefs
	keyMode string
	secrets cache.Secrets

	release func() // the instance lock

	memoryOnly bool // no keyring and no passphrase: secrets and stores in memory, for this session

	mu       sync.Mutex // guards set, activeID, temp, runs, limiters
	set      profiles.Set
	activeID string
	temp     *profiles.Profile // the environment's key or -api-url: not saved
	runs     map[string]*profileRun
	limiters map[string]*rate.Limiter
	shares   map[string]*watch.Share // beside limiters (made by limiter)
	openMu   sync.Mutex              // one profile opens at a time
	bg       sync.WaitGroup

	clip     *clip.Service
	desk     desktopLink
	notifier account.Notifier

	// The window, on the UI goroutine: the view of the profile shown, and its context.
	win        fyne.Window
	ui         *gui.UI
	shown      *profileRun
	viewCancel context.CancelFunc
	views      sync.WaitGroup // the background work of views replaced
	trayHost   bool
	// othersAfter: the other profiles open this long after the shown one (0: at once).
	othersAfter time.Duration
	// shownBefore: a view was shown (only the first logs its first rows' time after start).
	shownBefore bool
	goUI        func(f func()) // the window's background runner (tests: inline); nil: goroutines
	do          func(f func()) // runs f on the UI goroutine (tests: their own queue); nil: fyne.Do

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
	s := &session{cfg: cfg, release: release, othersAfter: 2 * time.Second, keyMode: os.Getenv("HSTOCKPLUS_KEYRING"), // "" (keyring, else file), "keyring" or "file"
		runs: map[string]*profileRun{}, limiters: map[string]*rate.Limiter{}}
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

// startDemo serves the sandbox in-process, on loopback, for the demo profile whose store is in
// dir. It returns its endpoint and key.
func (s *session) startDemo(dir string) (endpoint, key string, run *sandbox.Running, err error) {
	opts := s.cfg.sandbox // -sandbox-services, -sandbox-speed, -sandbox-faults apply to the demo too
	opts.Seed = 1
	// The simulated account keeps its state beside the demo's store, so a demo continues across
	// restarts like a real account. A state it cannot read (another catalog size, a damaged
	// file) starts the demo afresh: nothing real is in it.
	opts.StateFile = filepath.Join(dir, demoStateFile)
	srv, err := sandbox.New(opts)
	if errors.Is(err, sandbox.ErrState) {
		log.Printf("demo: %v: starting the demo afresh", err)
		if err := wipeDemo(dir); err != nil {
			return "", "", nil, err
		}
		srv, err = sandbox.New(opts)
	}
	if err != nil {
		return "", "", nil, err
	}
	run, err = sandbox.Listen("127.0.0.1:0", srv)
	if err != nil {
		return "", "", nil, fmt.Errorf("demo sandbox: %w", err)
	}
	log.Printf("demo mode: built-in sandbox at %s", run.URL)
	return run.URL, run.Key, run, nil
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

// demoSecrets are the secrets of the demo's store in dir: its own in the keyring, else a key
// kept in a file of the demo's directory.
func (s *session) demoSecrets(dir string) (cache.Secrets, error) {
	if s.secrets.Backend() == cache.BackendKeyring {
		return cache.OpenSecrets(dir, s.keyMode)
	}
	mem := cache.NewMemorySecrets()
	p := filepath.Join(dir, demoKeyFile)
	if b, err := os.ReadFile(p); err == nil {
		_ = mem.Set(cache.SecretDBKey, strings.TrimSpace(string(b)))
		return mem, nil
	}
	if _, _, err := cache.EncryptionKey(mem, cache.DatabaseExists(dir)); err != nil {
		return nil, err
	}
	v, _ := mem.Get(cache.SecretDBKey)
	if err := os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	return mem, nil
}

// resetDemo starts the demo afresh: the demo profile closes, its account and store are
// removed, and it opens again — in the same window.
func (s *session) resetDemo() {
	log.Printf("demo: starting afresh")
	p, _ := s.profile(profiles.DemoID)
	dir := p.StoreDir(s.cfg.dataDir)
	s.reopen(profiles.DemoID, func() {
		if err := wipeDemo(dir); err != nil {
			log.Printf("%v", err)
		}
	})
}

// openAndStart reads the profiles, opens the one to show and shows it; the others open in the
// background. A store whose key is not in this keyring offers to keep the old data aside and
// start afresh. UI goroutine (before Run).
func (s *session) openAndStart() {
	if err := s.loadProfiles(); err != nil {
		gui.ShowFatal(s.app, err)
		return
	}
	s.startShared()
	s.mu.Lock()
	id := s.activeID
	s.mu.Unlock()
	r, err := s.run(id)
	if errors.Is(err, cache.ErrWrongKey) {
		p, _ := s.profile(id)
		dir := p.StoreDir(s.cfg.dataDir)
		gui.ShowWrongKey(s.app, dir, err, func() {
			moved, err := cache.MoveAside(dir)
			if err == nil {
				log.Printf("store: old data kept in %s", moved)
				r, err = s.run(id)
			}
			s.startOrFail(r, err)
		})
		return
	}
	s.startOrFail(r, err)
}

func (s *session) startOrFail(r *profileRun, err error) {
	if err != nil {
		gui.ShowFatal(s.app, fmt.Errorf("cannot open the local store: %w", err))
		return
	}
	s.show(r)
	s.offerKeyring()
	s.openOthers()
}

// openStoreIn opens the encrypted store in dir, with its key from secrets. Without keyring or
// passphrase the store lives in memory: nothing is written.
func (s *session) openStoreIn(dir string, secrets cache.Secrets) (*cache.Store, error) {
	if s.memoryOnly {
		return cache.OpenInMemory(cache.Options{Logf: log.Printf})
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	dbKey, _, err := cache.EncryptionKey(secrets, cache.DatabaseExists(dir))
	if err != nil {
		return nil, err
	}
	return cache.Open(dir, cache.Options{EncryptionKey: dbKey, Logf: log.Printf})
}

// startShared starts what every profile shares: the clipboard and the desktop (tray host,
// notification server). UI goroutine (before Run).
func (s *session) startShared() {
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
	// reports reaches the window through fyne.Do.
	s.desk = startDesktop(s.ctx, desktopParams{
		TrayChanged: func(present bool) {
			fyne.Do(func() {
				s.trayHost = present
				if s.ui != nil {
					s.ui.SetTrayHost(present)
				}
			})
		},
		Open: func() {
			fyne.Do(func() {
				if s.ui != nil {
					s.ui.Raise()
				}
			})
		},
		Icon: s.iconFile(),
	})
	s.trayHost = s.desk.tray
	s.notifier = s.desk.notifier
	if s.notifier == nil {
		s.notifier = account.NotifierFunc(func(title, body string) {
			fyne.Do(func() { a.SendNotification(fyne.NewNotification(title, body)) })
		})
	}
}

// show builds the window's content on profile r (the window stays; the view it showed before
// stops its work). UI goroutine.
func (s *session) show(r *profileRun) {
	old, oldCancel := s.ui, s.viewCancel
	if oldCancel != nil {
		oldCancel()
	}
	ctx, cancel := context.WithCancel(r.ctx)
	s.viewCancel = cancel
	s.mirrorPrefs(r)
	s.shown = r
	var resetDemo func()
	if r.p.Demo {
		resetDemo = s.resetDemo
	}
	var started time.Time // the first view logs when its first rows were shown after start
	var pre *gui.Preloaded
	if !s.shownBefore {
		started, s.shownBefore = processStart, true
		pre = gui.Preload(r.svc) // read and index the saved catalog while the window is built
	}
	s.ui = gui.New(s.app, gui.Deps{
		Window: s.win, Profiles: s, Go: s.goUI,
		Account: r.svc, Clipboard: s.clip, Keys: account.NewKeys(r.secrets),
		Demo: r.p.Demo, Version: version, Logf: log.Printf, FirstRun: r.p.Demo && !s.hasAccount(),
		DataDir: s.cfg.dataDir, LogDir: s.cfg.logDir, OpenFolder: openFolder,
		Reconnect: s.reconnect, Quit: s.quit, Context: ctx,
		ResetDemo: resetDemo, Started: started, Tray: s, Preloaded: pre,
		Minimize: minimizeWindow, TrayTooltip: systray.SetTooltip,
	})
	s.win = s.ui.Window()
	s.ui.OnPrefsChange(func(p gui.Prefs) {
		s.mu.Lock()
		for _, r := range s.runs {
			r.svc.SetSettings(gui.Settings(p))
		}
		s.mu.Unlock()
		s.clip.SetClearAfter(p.ClearAfter)
	})
	if s.desk.bus {
		// At once, not later: the first view is shown before the app runs, and Fyne starts the
		// tray only if it was set up before its loop began (quitting with one set up but not
		// started panics).
		s.ui.SetupTray()
		s.ui.SetTrayHost(s.trayHost)
	} else {
		s.ui.NoTray() // Fyne's tray would fail to register, and crash at quit without a bus
	}
	s.clearOnClose(s.win)
	s.win.Show()
	s.ui.Start()
	if old != nil {
		s.views.Go(old.Wait)
	}
	log.Printf("profile %s shown", r.p.ID)
}

// mirrorPrefs makes the endpoint and catalog language of the settings those of the profile
// shown: Settings edits them there.
func (s *session) mirrorPrefs(r *profileRun) {
	fp := s.app.Preferences()
	p := gui.LoadPrefs(fp)
	if !r.p.Demo {
		p.Endpoint = r.endpoint
	}
	p.Lang = r.lang
	p.Save(fp)
}

// waitViews waits for the background work of the views replaced.
func (s *session) waitViews() { s.views.Wait() }

// reopen closes profile id (once the window's work on it ended), runs between (nil: nothing),
// then opens and shows it again. UI goroutine.
func (s *session) reopen(id string, between func()) {
	s.mu.Lock()
	r := s.runs[id]
	delete(s.runs, id)
	s.mu.Unlock()
	cur := s.ui
	wasShown := r != nil && s.shown == r // read here: s.shown belongs to the UI goroutine
	if wasShown && s.viewCancel != nil {
		s.viewCancel()
	}
	s.bg.Go(func() {
		if cur != nil && wasShown {
			cur.Wait()
		}
		s.waitViews()
		if r != nil {
			s.closeRun(r)
		}
		if between != nil {
			between()
		}
		if s.ctx.Err() == nil {
			s.uiDo(func() { s.Switch(id) })
		}
	})
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

// reconnect: Settings or the welcome saved a new endpoint (preferences) or key (the profile's
// secrets), or another language. The profile shown takes them: it closes and opens again, in
// the same window. A key entered in the demo is the first account's: that profile is made (or
// updated) and shown. UI goroutine.
func (s *session) reconnect(endpoint, key string) error {
	r := s.shown
	if r == nil {
		return nil
	}
	lang := gui.LoadPrefs(s.app.Preferences()).Lang
	id := r.p.ID
	s.mu.Lock()
	switch {
	case id == tempID:
		s.temp.Endpoint, s.temp.Lang = endpoint, lang
		if key != "" {
			s.cfg.apiKey = key
		}
	case r.p.Demo && key == "":
		p, _ := s.set.Get(id)
		p.Lang = lang
		_ = s.set.Update(p)
	default:
		if r.p.Demo {
			id = profiles.MainID
			if _, ok := s.set.Get(id); !ok {
				s.set.Profiles = append([]profiles.Profile{{ID: id, Name: appName}}, s.set.Profiles...)
			}
		}
		p, _ := s.set.Get(id)
		p.Endpoint, p.Lang = endpoint, lang
		_ = s.set.Update(p)
	}
	s.saveProfilesLocked()
	s.mu.Unlock()
	log.Printf("profile %s: connecting to %s", id, hostOf(endpoint))
	s.reopen(id, nil)
	return nil
}

// uiStopped is called once the UI's event loop has returned: the window's clipboard is gone.
func (s *session) uiStopped() {
	if s.clip != nil {
		s.clip.DetachUI()
	}
}

// Close ends the session: it cancels its context, waits for the window's background work and
// the pollers' checks in flight, clears the clipboard, closes the stores and the demo sandbox,
// and releases the data directory.
func (s *session) Close() {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.stopActivation != nil {
			s.stopActivation()
		}
		// The window's background work ends with the context; bounded, in case the UI's loop
		// died under one waiting for it.
		waited := make(chan struct{})
		go func() {
			if s.ui != nil {
				s.ui.Wait()
			}
			s.views.Wait()
			s.bg.Wait()
			close(waited)
		}()
		select {
		case <-waited:
		case <-time.After(5 * time.Second):
			log.Printf("session: the window's background work did not end within 5 s")
		}
		s.mu.Lock()
		runs := s.runs
		s.runs = map[string]*profileRun{}
		s.mu.Unlock()
		for _, r := range runs {
			s.closeRun(r)
		}
		if s.clip != nil {
			s.clip.Close()
		}
		if s.release != nil {
			s.release()
		}
	})
}

// uiDo runs f on the UI goroutine.
func (s *session) uiDo(f func()) {
	if s.do != nil {
		s.do(f)
		return
	}
	fyne.Do(f)
}
