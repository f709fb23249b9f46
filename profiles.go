package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
	"github.com/hstockplus/hstockplus/gui"
	"github.com/hstockplus/hstockplus/internal/profiles"
	"github.com/hstockplus/hstockplus/internal/tr"
	"github.com/hstockplus/hstockplus/watch"
)

// Profiles: each profile runs on its own — its store, its service layer, its poller — from the
// moment it is opened until the session ends (or the profile is removed or reconnected), so the
// orders and numbers of every profile are followed at once. Each service writes only its own
// store. The window shows one of them (the active profile): switching rebuilds the window's
// content on another's service; nothing else stops.

// tempID is the profile the environment's key or -api-url make for one session (never saved).
const tempID = "env"

// profileRun is one open profile.
type profileRun struct {
	p        profiles.Profile
	dir      string        // its store's folder
	secrets  cache.Secrets // its API key (scoped); the demo's is not a real one
	key      string
	endpoint string
	lang     string
	demo     *sandbox.Running
	store    *cache.Store
	svc      *account.Service
	poller   *watch.Poller
	ctx      context.Context
	cancel   context.CancelFunc
	polled   chan struct{} // closed when the poller's Run returned
}

// name is the profile's name as the window shows it.
func (r *profileRun) name() string { return profileName(r.p) }

func profileName(p profiles.Profile) string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Demo:
		return tr.L("Demo")
	case p.ID == tempID:
		return tr.L("Temporary")
	}
	return p.ID
}

// loadProfiles reads the profile list, or adopts what an earlier version left (its account, in
// the data directory itself, and the demo); then picks the profile to show: -profile, -demo,
// the environment's key or -api-url (a temporary profile), else the one shown last.
func (s *session) loadProfiles() error {
	set, found, err := profiles.Load(s.cfg.dataDir)
	if err != nil {
		return err
	}
	if !found {
		_, kerr := s.secrets.Get(cache.SecretAPIKey)
		has := kerr == nil || cache.DatabaseExists(s.cfg.dataDir)
		set = profiles.Adopt(has, appName, s.prefs.Endpoint, s.prefs.Lang)
		if err := set.Save(s.cfg.dataDir); err != nil {
			return err
		}
		log.Printf("profiles: %d adopted from the data folder", len(set.Profiles))
	}
	if _, ok := set.Get(profiles.DemoID); !ok && s.cfg.demo {
		set.Profiles = append(set.Profiles, profiles.Profile{ID: profiles.DemoID, Demo: true, Dir: "demo"})
	}
	active := set.Active
	switch {
	case s.cfg.profile != "":
		p, ok := set.Find(s.cfg.profile)
		if !ok {
			return fmt.Errorf("-profile %q: no such profile", s.cfg.profile)
		}
		active = p.ID
	case s.cfg.demo:
		active = profiles.DemoID
	case s.cfg.apiKey != "" || s.cfg.apiURLSet:
		s.temp = &profiles.Profile{ID: tempID, Endpoint: s.cfg.apiURL, Lang: s.cfg.lang, Dir: tempID}
		active = tempID
	}
	s.mu.Lock()
	s.set, s.activeID = set, active
	s.mu.Unlock()
	return nil
}

// profile is profile id (the temporary one included).
func (s *session) profile(id string) (profiles.Profile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.temp != nil && id == tempID {
		return *s.temp, true
	}
	return s.set.Get(id)
}

// saveProfiles writes the list (s.mu held).
func (s *session) saveProfilesLocked() {
	if err := s.set.Save(s.cfg.dataDir); err != nil {
		log.Printf("%v", err)
	}
}

// hasAccount: a profile other than the demo exists (no welcome then).
func (s *session) hasAccount() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.temp != nil {
		return true
	}
	for _, p := range s.set.Profiles {
		if !p.Demo {
			return true
		}
	}
	return false
}

// run is the open profile id, opening it when it is not: its store, service layer and poller.
func (s *session) run(id string) (*profileRun, error) {
	s.openMu.Lock()
	defer s.openMu.Unlock()
	s.mu.Lock()
	r := s.runs[id]
	s.mu.Unlock()
	if r != nil {
		return r, nil
	}
	p, ok := s.profile(id)
	if !ok {
		return nil, fmt.Errorf("profile %s: %w", id, profiles.ErrNotFound)
	}
	r, err := s.openRun(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.runs[id] = r
	s.mu.Unlock()
	return r, nil
}

// openRun opens profile p: its secrets, store, clients, service layer, alerts and poller.
func (s *session) openRun(p profiles.Profile) (r *profileRun, err error) {
	r = &profileRun{p: p, dir: p.StoreDir(s.cfg.dataDir), endpoint: p.Endpoint, lang: p.Lang}
	r.ctx, r.cancel = context.WithCancel(s.ctx)
	defer func() {
		if err != nil {
			s.closeRun(r)
		}
	}()
	if r.lang == "" {
		r.lang = s.prefs.Lang
	}
	if r.endpoint == "" {
		r.endpoint = client.DefaultEndpoint
	}
	r.secrets = cache.Scoped(s.secrets, p.Scope())
	storeSecrets := r.secrets
	switch {
	case p.Demo:
		if err := os.MkdirAll(r.dir, 0o700); err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
		if r.endpoint, r.key, r.demo, err = s.startDemo(r.dir); err != nil {
			return nil, err
		}
		r.secrets = cache.Scoped(s.secrets, "") // a key entered in the demo is the first account's
		if !s.memoryOnly {
			if storeSecrets, err = s.demoSecrets(r.dir); err != nil {
				return nil, err
			}
		}
	case p.ID == tempID:
		r.key = s.cfg.apiKey
		if r.key == "" { // -api-url alone: the first account's key on another endpoint
			r.key, _ = s.secrets.Get(cache.SecretAPIKey)
		}
		if s.cfg.apiKey != "" {
			r.secrets = cache.NewMemorySecrets()
			_ = r.secrets.Set(cache.SecretAPIKey, s.cfg.apiKey)
		}
	default:
		if r.key, err = r.secrets.Get(cache.SecretAPIKey); err != nil && !errors.Is(err, cache.ErrNotFound) {
			log.Printf("profile %s: API key: %v", p.ID, err)
		}
	}
	if r.store, err = s.openStoreIn(r.dir, storeSecrets); err != nil {
		return nil, err
	}
	opts := []client.Option{
		client.WithEndpoint(r.endpoint),
		client.WithAPIKey(r.key),
		client.WithUserAgent("hstockplus/" + version),
		client.WithRateLimit(5, 10),
		client.WithLogf(log.Printf),
		// A whole catalog on a slow link takes its time; every call still ends (the client's own
		// bound is 60 s by default, the poller's checks keep it).
		client.WithCallTimeout(2 * time.Minute),
	}
	if r.lang != "" {
		opts = append(opts, client.WithLang(r.lang))
	}
	api, err := client.New(opts...)
	if err != nil {
		return nil, err
	}
	// The poller's checks go through a client without hidden retries: its own rate limit is
	// what the server sees.
	checkAPI, err := client.New(append(opts, watch.ClientOptions()...)...)
	if err != nil {
		return nil, err
	}
	settings := gui.Settings(gui.LoadPrefs(s.app.Preferences()))
	features := map[account.Feature]bool{}
	for f, ok := range p.Features {
		features[account.Feature(f)] = ok
	}
	id := p.ID
	r.svc, err = account.New(account.Params{Store: r.store, API: api, CheckAPI: checkAPI, Settings: &settings,
		Endpoint: api.Endpoint(), Logf: log.Printf, Features: features,
		OnFeatures: func(m map[account.Feature]bool) { s.keepFeatures(id, m) }})
	if err != nil {
		return nil, err
	}
	var copier account.Copier
	if s.clip != nil {
		copier = s.clip
	}
	alerts := account.NewAlerts(account.AlertParams{
		Settings: r.svc.Settings,
		Notifier: s.notifier,
		Copier:   copier,
		Format:   s.format(r), // in the interface language, named after the profile
		Logf:     log.Printf,
	})
	schedule := gui.Schedule(gui.LoadPrefs(s.app.Preferences()))
	lim, share := s.limiter(r.endpoint)
	r.poller = watch.New(r.svc, watch.Options{Schedule: &schedule, Logf: log.Printf, Limiter: lim, Share: share})
	r.svc.Attach(r.poller)
	// Listeners, in order: the window (when it shows this profile) and tray, then the alerts.
	r.svc.Subscribe(func(ev account.Event) { s.uiDo(func() { s.routeEvent(r, ev) }) })
	r.svc.Subscribe(alerts.Handle)
	r.polled = make(chan struct{})
	go func() {
		defer close(r.polled)
		if err := r.poller.Run(r.ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Printf("poller (%s): %v", p.ID, err)
		}
	}()
	log.Printf("profile %s: open on %s", p.ID, hostOf(r.endpoint))
	return r, nil
}

// hostOf is the host of an endpoint, for the log (never the key: it is not in the URL).
func hostOf(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return "?"
}

// format writes a notification in the interface language, its title naming the profile when
// there is more than one.
func (s *session) format(r *profileRun) account.Format {
	return func(ev account.Event, copied bool) (string, string) {
		title, body := gui.NotificationText(ev, copied)
		if s.profileCount() > 1 {
			title = s.nameOf(r) + " · " + title
		}
		return title, body
	}
}

// nameOf is r's profile's name as it is now (a rename does not reopen the profile).
func (s *session) nameOf(r *profileRun) string {
	if p, ok := s.profile(r.p.ID); ok {
		return profileName(p)
	}
	return r.name()
}

func (s *session) profileCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.set.Profiles)
	if s.temp != nil {
		n++
	}
	return n
}

// limiter is the poller's request limit shared by every profile on endpoint, and the demand of
// their pollers (each plans with the demand of them all).
func (s *session) limiter(endpoint string) (*rate.Limiter, *watch.Share) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.limiters[endpoint]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(watch.DefaultRatePerSecond), watch.DefaultBurst)
		s.limiters[endpoint] = l
	}
	if s.shares == nil {
		s.shares = map[string]*watch.Share{}
	}
	sh := s.shares[endpoint]
	if sh == nil {
		sh = watch.NewShare()
		s.shares[endpoint] = sh
	}
	return l, sh
}

// keepFeatures saves what profile id's panel was found to offer.
func (s *session) keepFeatures(id string, m map[account.Feature]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.set.Get(id)
	if !ok {
		return
	}
	p.Features = map[string]bool{}
	for f, v := range m {
		p.Features[string(f)] = v
	}
	if s.set.Update(p) == nil {
		s.saveProfilesLocked()
	}
}

// routeEvent hands an event of r to the window when it shows r; another profile's balance
// updates the tray. UI goroutine.
func (s *session) routeEvent(r *profileRun, ev account.Event) {
	if s.ui == nil {
		return
	}
	if s.shown == r {
		s.ui.HandleEvent(ev)
		return
	}
	switch ev.Kind {
	case account.KindBalance, account.KindLowBalance, account.KindCodeReceived, account.KindDelivered,
		account.KindSMSStatus, account.KindNumberExpired, account.KindJournal:
		s.ui.RefreshTray()
	}
}

// TrayState is what the tray lists for every profile followed: the shown one's first, the
// others' named ("Name · label") when there are several. Off the UI goroutine.
func (s *session) TrayState(now time.Time) (account.Tray, error) {
	s.mu.Lock()
	shown := s.runs[s.activeID]
	runs := make([]*profileRun, 0, len(s.runs))
	if shown != nil {
		runs = append(runs, shown)
	}
	for _, r := range s.runs {
		if r != shown {
			runs = append(runs, r)
		}
	}
	s.mu.Unlock()
	from := 0
	if shown != nil {
		from = 1 // the shown profile first, the others in a steady order
	}
	slices.SortStableFunc(runs[from:], func(a, b *profileRun) int { return strings.Compare(a.p.ID, b.p.ID) })
	var out account.Tray
	var firstErr error
	for _, r := range runs {
		t, err := r.svc.TrayState(now)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if len(runs) > 1 {
			name := s.nameOf(r)
			for i := range t.Numbers {
				t.Numbers[i].Label = name + " · " + t.Numbers[i].Label
			}
			for i := range t.Deliveries {
				t.Deliveries[i].Label = name + " · " + t.Deliveries[i].Label
			}
		}
		out.Numbers = append(out.Numbers, t.Numbers...)
		out.Deliveries = append(out.Deliveries, t.Deliveries...)
	}
	// The newest deliveries of any profile; the live numbers of the shown one first.
	slices.SortStableFunc(out.Deliveries, func(a, b account.TrayDelivery) int { return b.At.Compare(a.At) })
	out.Numbers = out.Numbers[:min(len(out.Numbers), account.TrayRecent*2)]
	out.Deliveries = out.Deliveries[:min(len(out.Deliveries), account.TrayRecent)]
	return out, firstErr
}

// closeRun stops a profile: its poller, then its store and its demo sandbox. Off the UI
// goroutine when the window's work on it may still run.
func (s *session) closeRun(r *profileRun) {
	r.cancel()
	if r.polled != nil {
		<-r.polled // before the store closes: the checks write to it
	}
	if r.store != nil {
		if err := r.store.Close(); err != nil {
			log.Printf("store (%s): %v", r.p.ID, err)
		}
	}
	if r.demo != nil {
		if err := r.demo.Close(context.Background()); err != nil {
			log.Printf("demo sandbox: %v", err)
		}
	}
}

// openOthers opens every other profile in the background, so that all are followed.
func (s *session) openOthers() {
	s.mu.Lock()
	var ids []string
	for _, p := range s.set.Profiles {
		if s.runs[p.ID] == nil {
			ids = append(ids, p.ID)
		}
	}
	s.mu.Unlock()
	s.bg.Go(func() {
		if len(ids) > 0 && s.othersAfter > 0 { // the shown profile's first rows come first
			select {
			case <-time.After(s.othersAfter):
			case <-s.ctx.Done():
				return
			}
		}
		for _, id := range ids {
			if s.ctx.Err() != nil {
				return
			}
			if _, err := s.run(id); err != nil {
				log.Printf("profile %s: not followed: %v", id, err)
			}
		}
		s.uiDo(func() {
			if s.ui != nil {
				s.ui.RefreshTray()
			}
		})
	})
}

// Entries implements gui.Profiles.
func (s *session) Entries() []gui.ProfileEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := append([]profiles.Profile(nil), s.set.Profiles...)
	if s.temp != nil {
		list = append(list, *s.temp)
	}
	var out []gui.ProfileEntry
	for _, p := range list {
		e := gui.ProfileEntry{ID: p.ID, Name: profileName(p), Active: p.ID == s.activeID}
		if r := s.runs[p.ID]; r != nil {
			if b, ok := r.svc.Balance(); ok {
				e.Balance = &b.Balance
			}
		}
		out = append(out, e)
	}
	return out
}

// Switch implements gui.Profiles: the window shows profile id. UI goroutine.
func (s *session) Switch(id string) {
	r, err := s.run(id)
	if errors.Is(err, cache.ErrWrongKey) {
		p, _ := s.profile(id)
		gui.ShowWrongKey(s.app, p.StoreDir(s.cfg.dataDir), err, func() {
			if moved, err := cache.MoveAside(p.StoreDir(s.cfg.dataDir)); err == nil {
				log.Printf("store: old data kept in %s", moved)
			}
			s.Switch(id)
		})
		return
	}
	if err != nil {
		log.Printf("profile %s: %v", id, err)
		if s.ui != nil {
			name := id
			if p, ok := s.profile(id); ok {
				name = profileName(p)
			}
			s.ui.ShowProfileError(name, err)
		}
		return
	}
	s.mu.Lock()
	s.activeID = id
	if id != tempID {
		s.set.Active = id
		s.saveProfilesLocked()
	}
	s.mu.Unlock()
	s.show(r)
}

// Add implements gui.Profiles. Off the UI goroutine.
func (s *session) Add(name, endpoint, key string) (string, error) {
	s.mu.Lock()
	p, err := s.set.Add(name, endpoint, gui.LoadPrefs(s.app.Preferences()).Lang)
	s.mu.Unlock()
	if errors.Is(err, profiles.ErrName) {
		return "", fmt.Errorf("%w: %w", gui.ErrProfileName, err)
	}
	if err != nil {
		return "", err
	}
	if err := cache.Scoped(s.secrets, p.Scope()).Set(cache.SecretAPIKey, key); err != nil {
		s.mu.Lock()
		_, _ = s.set.Remove(p.ID)
		s.mu.Unlock()
		return "", fmt.Errorf("%w: %w", gui.ErrKeyNotSaved, err)
	}
	s.mu.Lock()
	s.saveProfilesLocked()
	s.mu.Unlock()
	log.Printf("profile %s added on %s", p.ID, hostOf(endpoint))
	return p.ID, nil
}

// Rename implements gui.Profiles. UI goroutine.
func (s *session) Rename(id, name string) error {
	s.mu.Lock()
	err := s.set.Rename(id, name)
	if err == nil {
		s.saveProfilesLocked()
	}
	s.mu.Unlock()
	if errors.Is(err, profiles.ErrName) {
		return fmt.Errorf("%w: %w", gui.ErrProfileName, err)
	}
	if err == nil {
		s.refreshView()
	}
	return err
}

// Remove implements gui.Profiles: the profile stops, its store is kept aside (or deleted with
// its secrets); when it was shown, the window shows the first profile left. Off the UI goroutine.
func (s *session) Remove(id string, deleteData bool) error {
	s.mu.Lock()
	p, err := s.set.Remove(id)
	if err == nil {
		s.saveProfilesLocked()
	}
	r := s.runs[id]
	delete(s.runs, id)
	wasActive, next := s.activeID == id, s.set.Active
	s.mu.Unlock()
	if errors.Is(err, profiles.ErrLast) {
		return fmt.Errorf("%w: %w", gui.ErrLastProfile, err)
	}
	if err != nil {
		return err
	}
	done := make(chan struct{})
	s.uiDo(func() {
		if wasActive {
			s.Switch(next)
		} else {
			s.refreshView()
		}
		close(done)
	})
	<-done
	// The rest waits for the views replaced — this call may run in one of them (the Profiles
	// dialog's background work): it goes on in the session's own background.
	s.bg.Go(func() {
		if err := s.retire(id, p, r, deleteData); err != nil {
			log.Printf("profile %s: %v", id, err)
			s.uiDo(func() {
				if s.ui != nil {
					s.ui.ShowProfileError(profileName(p), err)
				}
			})
		}
	})
	return nil
}

// retire closes a removed profile once no view works on it, then keeps its data aside or
// deletes it with its secrets. Off the UI goroutine.
func (s *session) retire(id string, p profiles.Profile, r *profileRun, deleteData bool) error {
	s.waitViews()
	if r != nil {
		if s.isShown(r) { // the switch the removal asked for failed
			return fmt.Errorf("still shown: its store stays open")
		}
		s.closeRun(r)
	}
	if deleteData {
		err := profiles.Delete(s.cfg.dataDir, p)
		sec := cache.Scoped(s.secrets, p.Scope())
		for _, name := range []string{cache.SecretAPIKey, cache.SecretDBKey} {
			if p.Demo {
				break
			}
			if derr := sec.Delete(name); derr != nil {
				log.Printf("profile %s: secret not deleted: %v", id, derr)
			}
		}
		log.Printf("profile %s removed, its data deleted", id)
		return err
	}
	moved, err := profiles.KeepAside(s.cfg.dataDir, p, time.Now())
	log.Printf("profile %s removed, its data kept in %s", id, filepath.Base(moved))
	return err
}

// isShown reports whether the window shows r (asked on the UI goroutine).
func (s *session) isShown(r *profileRun) bool {
	shown := make(chan bool, 1)
	s.uiDo(func() { shown <- s.shown == r })
	select {
	case v := <-shown:
		return v
	case <-s.ctx.Done():
		return false // the session ends: nothing shows r any more
	}
}

// refreshView rebuilds the window on the profile it shows (a name changed). UI goroutine.
func (s *session) refreshView() {
	if s.shown != nil {
		s.show(s.shown)
	}
}
