package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/time/rate"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
	"github.com/hstockplus/hstockplus/gui"
	"github.com/hstockplus/hstockplus/internal/profiles"
)

// notes records the notifications.
type notes struct {
	mu     sync.Mutex
	titles []string
}

func (n *notes) Notify(title, _ string) {
	n.mu.Lock()
	n.titles = append(n.titles, title)
	n.mu.Unlock()
}

func (n *notes) with(prefix string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, t := range n.titles {
		if strings.HasPrefix(t, prefix+" · ") {
			c++
		}
	}
	return c
}

// loopback serves a sandbox with key on 127.0.0.1 (fast orders), until the test ends.
func loopback(t *testing.T, key, balance string, panel bool) string {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Key: key, Balance: balance, Speed: 1000, Seed: 3, Panel: panel})
	if err != nil {
		t.Fatal(err)
	}
	rn, err := sandbox.Listen("127.0.0.1:0", sb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rn.Close(context.Background()) })
	return rn.URL
}

// testSession is a session on dir with three profiles on loopback sandboxes — two HstockPlus
// accounts and another panel — as Settings would have added them, showing Alpha.
func testSession(t *testing.T) (*session, *notes) {
	t.Helper()
	dir := t.TempDir()
	mem := cache.NewMemorySecrets()
	set := profiles.Adopt(false, appName, "", "")
	for _, a := range []struct{ name, key, balance string }{{"Alpha", "alpha-key", "50.00"}, {"Beta", "beta-key", "70.00"}, {"Panel", "panel-key", "30.00"}} {
		p, err := set.Add(a.name, loopback(t, a.key, a.balance, a.name == "Panel"), "en")
		if err != nil {
			t.Fatal(err)
		}
		if err := cache.Scoped(mem, p.Scope()).Set(cache.SecretAPIKey, a.key); err != nil {
			t.Fatal(err)
		}
	}
	if err := set.Save(dir); err != nil {
		t.Fatal(err)
	}
	app := test.NewTempApp(t)
	s := &session{cfg: config{dataDir: dir, profile: "alpha"}, app: app, secrets: mem, prefs: gui.LoadPrefs(app.Preferences()),
		runs: map[string]*profileRun{}, limiters: map[string]*rate.Limiter{}, goUI: func(f func()) { f() }}
	q := &uiQueue{}
	s.do = q.add
	queues[s] = q
	s.ctx, s.cancel = context.WithCancel(context.Background())
	n := &notes{}
	s.notifier = n
	t.Cleanup(s.Close)
	if err := s.loadProfiles(); err != nil {
		t.Fatal(err)
	}
	r, err := s.run(s.activeID)
	if err != nil {
		t.Fatal(err)
	}
	s.show(r)
	return s, n
}

// uiQueue is the test's UI goroutine: what the session hands to it waits until the test runs it.
type uiQueue struct {
	mu sync.Mutex
	fs []func()
}

var queues = map[*session]*uiQueue{}

func (q *uiQueue) add(f func()) {
	q.mu.Lock()
	q.fs = append(q.fs, f)
	q.mu.Unlock()
}

// drain runs what was handed to the UI goroutine of s, on the test's goroutine.
func drain(s *session) {
	q := queues[s]
	for {
		q.mu.Lock()
		fs := q.fs
		q.fs = nil
		q.mu.Unlock()
		if len(fs) == 0 {
			return
		}
		for _, f := range fs {
			f()
		}
	}
}

// offUI runs f off the UI goroutine (as the window's background work does), running what it
// hands to the UI goroutine meanwhile.
func offUI(s *session, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	for {
		select {
		case err := <-done:
			drain(s)
			return err
		case <-time.After(5 * time.Millisecond):
			drain(s)
		}
	}
}

// find is the first object of type T in the window.
func find[T fyne.CanvasObject](w fyne.Window) (found T) {
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		if v, ok := o.(T); ok {
			found = v
			return true
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, o := range c.Objects {
				if walk(o) {
					return true
				}
			}
		}
		return false
	}
	walk(w.Content())
	return found
}

func tabTitles(w fyne.Window) []string {
	var out []string
	for _, it := range find[*container.AppTabs](w).Items {
		out = append(out, it.Text)
	}
	return out
}

// Two accounts on two servers: an order placed in each is tracked by its own poller and
// notified under its profile's name; the window switches between them without a restart,
// showing each one's balance; another panel's profile works with its unsupported tabs hidden.
func TestProfilesRunSideBySide(t *testing.T) {
	s, n := testSession(t)
	ctx := context.Background()
	win := s.win
	if sel := find[*widget.Select](win); sel == nil || sel.Selected != "Alpha" || len(sel.Options) != 4 {
		t.Fatalf("profile selector: %+v", sel)
	}
	if got := tabTitles(win); len(got) != 5 {
		t.Fatalf("HstockPlus tabs: %v", got)
	}
	s.openOthers()
	s.bg.Wait()
	drain(s)
	ids := map[string]string{}
	for _, e := range s.Entries() {
		ids[e.Name] = e.ID
	}
	place := func(name string) (*profileRun, int64) {
		r := s.runs[ids[name]]
		cat, err := r.svc.RefreshCatalog(ctx)
		if err != nil {
			t.Fatalf("%s catalog: %v", name, err)
		}
		var svc client.Service
		for _, row := range cat.Rows {
			if !row.IsProduct() && row.Type == "Default" {
				svc = row
				break
			}
		}
		pl, err := r.svc.PlaceOrder(ctx, client.AddRequest{Service: svc.Service, Quantity: svc.Min, Link: "https://example.com/p"}, svc.Name, svc.Rate)
		if err != nil || pl.Outcome != account.Placed {
			t.Fatalf("%s order: %+v %v", name, pl, err)
		}
		return r, pl.Order
	}
	ra, _ := place("Alpha")
	rb, _ := place("Beta")
	rp, _ := place("Panel")
	// Each poller follows its own profile's order to its end, and the notification names it.
	deadline := time.Now().Add(60 * time.Second)
	for n.with("Alpha") == 0 || n.with("Beta") == 0 || n.with("Panel") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("notifications %v; pollers %+v %+v %+v", n.titles, ra.poller.Stats(), rb.poller.Stats(), rp.poller.Stats())
		}
		for _, r := range []*profileRun{ra, rb, rp} {
			r.poller.Kick()
		}
		time.Sleep(50 * time.Millisecond)
		drain(s)
	}
	for _, r := range []*profileRun{ra, rb} {
		if j, err := r.svc.OrdersJournal(); err != nil || len(j.Orders) != 1 {
			t.Fatalf("%s journal: %+v %v (one writer per store)", r.p.Name, j, err)
		}
	}

	// The tray lists every profile's live numbers, named: a number rented in Beta while Alpha
	// is shown.
	ps, err := rb.svc.SMSProjects(ctx, "us")
	if err != nil || len(ps) == 0 {
		t.Fatalf("Beta's SMS projects: %v", err)
	}
	rental, err := rb.svc.RentNumbers(ctx, client.AddSMSRequest{ProjectID: ps[0].ProjectID, Quantity: 1, Country: "us"}, ps[0].Name, ps[0].Price)
	if err != nil || len(rental.Numbers) != 1 {
		t.Fatalf("Beta's number: %+v %v", rental, err)
	}
	tray, err := s.TrayState(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(tray.Numbers) != 1 || tray.Numbers[0].Label != "Beta · "+ps[0].Name || tray.Numbers[0].Phone != rental.Numbers[0].Phone {
		t.Fatalf("tray numbers %+v, want Beta's, named", tray.Numbers)
	}

	// Switching: the same window shows Beta, its balance, then the panel with its tabs hidden.
	s.Switch(ids["Beta"])
	if s.win != win || s.shown != rb || find[*widget.Select](win).Selected != "Beta" {
		t.Fatal("the switch did not show Beta in the same window")
	}
	if _, err := rb.svc.RefreshBalance(ctx); err != nil {
		t.Fatal(err)
	}
	drain(s)
	for _, e := range s.Entries() {
		if e.Name == "Beta" && (!e.Active || e.Balance == nil || e.Balance.Balance.Cmp(client.MustDecimal("70.00").Decimal) >= 0) {
			t.Fatalf("Beta entry %+v: active, its own balance less its order", e)
		}
	}
	s.Switch(ids["Panel"])
	if got := strings.Join(tabTitles(win), ","); strings.Contains(got, "Shops") || strings.Contains(got, "SMS") || len(tabTitles(win)) != 3 {
		t.Fatalf("panel tabs: %s", got)
	}
	if overlays := win.Canvas().Overlays().List(); len(overlays) != 0 {
		t.Fatalf("a dialog is open on the panel: %v", overlays)
	}
	// What the panel lacks is kept in the profile list: the next start hides it at once.
	back, _, err := profiles.Load(s.cfg.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := back.Get(ids["Panel"]); p.Features["shops"] || p.Features["sms"] || len(p.Features) < 2 || back.Active != ids["Panel"] {
		t.Fatalf("kept %+v active %s", p, back.Active)
	}
}

// Adding, renaming and removing a profile: persisted, its key under its own name, its data kept
// aside (or deleted with its key when asked).
func TestProfilesAddRenameRemove(t *testing.T) {
	s, _ := testSession(t)
	var id string
	err := offUI(s, func() (err error) { id, err = s.Add("Gamma", "https://panel.example/api/v2", "gamma-key"); return err })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add("gamma", "https://panel.example/api/v2", "k"); err == nil {
		t.Fatal("a second Gamma")
	}
	if v, err := s.secrets.Get(cache.SecretAPIKey + "@" + id); err != nil || v != "gamma-key" {
		t.Fatalf("Gamma's key: %q %v", v, err)
	}
	if err := s.Rename(id, "Delta"); err != nil {
		t.Fatal(err)
	}
	set, _, _ := profiles.Load(s.cfg.dataDir)
	if p, ok := set.Find("Delta"); !ok || p.ID != id || p.Endpoint != "https://panel.example/api/v2" {
		t.Fatalf("saved: %+v", set)
	}
	// Alpha (shown) is removed: its data is kept aside, the window shows another profile.
	alpha := s.shown
	alphaDir := alpha.dir
	if err := offUI(s, func() error { return s.Remove(alpha.p.ID, false) }); err != nil {
		t.Fatal(err)
	}
	_ = offUI(s, func() error { s.bg.Wait(); return nil }) // the store is closed and moved in the background
	if s.shown == alpha || s.shown == nil {
		t.Fatal("the window still shows the removed profile")
	}
	if _, err := os.Stat(filepath.Join(alphaDir, "db")); !os.IsNotExist(err) {
		t.Fatalf("Alpha's store is still in place: %v", err)
	}
	kept, _ := filepath.Glob(filepath.Join(s.cfg.dataDir, "profiles-removed", alpha.p.ID+"-*", "db"))
	if len(kept) != 1 {
		t.Fatalf("Alpha's store kept aside: %v", kept)
	}
	if _, err := s.secrets.Get(cache.SecretAPIKey + "@" + alpha.p.ID); err != nil {
		t.Fatal("the key of data kept aside was deleted")
	}
	if err := offUI(s, func() error { return s.Remove(id, true) }); err != nil {
		t.Fatal(err)
	}
	_ = offUI(s, func() error { s.bg.Wait(); return nil })
	if _, err := s.secrets.Get(cache.SecretAPIKey + "@" + id); err == nil {
		t.Fatal("a deleted profile's key remains")
	}
	set, _, _ = profiles.Load(s.cfg.dataDir)
	if _, ok := set.Get(alpha.p.ID); ok || len(set.Profiles) != 3 {
		t.Fatalf("after removals: %+v", set)
	}
}

// An earlier version's data directory (its key under the old names, its store in the folder
// itself) becomes the first profile, where it is.
func TestOldLayoutIsAdoptedAsTheFirstProfile(t *testing.T) {
	dir := t.TempDir()
	mem := cache.NewMemorySecrets()
	_ = mem.Set(cache.SecretAPIKey, "old-key")
	app := test.NewTempApp(t)
	s := &session{cfg: config{dataDir: dir}, app: app, secrets: mem, prefs: gui.LoadPrefs(app.Preferences()),
		runs: map[string]*profileRun{}, limiters: map[string]*rate.Limiter{}}
	if err := s.loadProfiles(); err != nil {
		t.Fatal(err)
	}
	p, ok := s.profile(s.activeID)
	if !ok || p.ID != profiles.MainID || p.StoreDir(dir) != dir || p.Scope() != "" {
		t.Fatalf("adopted %+v", p)
	}
	if k, _ := cache.Scoped(mem, p.Scope()).Get(cache.SecretAPIKey); k != "old-key" {
		t.Fatal("the old key is not the first profile's")
	}
	if _, err := os.Stat(filepath.Join(dir, profiles.File)); err != nil {
		t.Fatal(err)
	}
}

// TestOneLimitPerEndpoint: the profiles on one endpoint share its request limit and their
// pollers' demand; another endpoint has its own.
func TestOneLimitPerEndpoint(t *testing.T) {
	s := &session{limiters: map[string]*rate.Limiter{}}
	l1, s1 := s.limiter("https://a.example/api/v2")
	l2, s2 := s.limiter("https://a.example/api/v2")
	l3, s3 := s.limiter("https://b.example/api/v2")
	if l1 != l2 || s1 != s2 || s1 == nil {
		t.Error("one endpoint: two limits or demands")
	}
	if l3 == l1 || s3 == s1 {
		t.Error("two endpoints share a limit")
	}
}
