package account

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// watchRig is a service on a store in a directory (so it can be reopened, as after a restart)
// against the sandbox on loopback, with the alerts writing to a log.
type watchRig struct {
	t   *testing.T
	ctx context.Context
	env *sandboxEnv
	clk *fakeClock
	dir string
	key []byte
	st  *cache.Store
	svc *Service
	log *alertLog
}

func newWatchRig(t *testing.T) *watchRig {
	r := &watchRig{t: t, ctx: context.Background(), clk: newFakeClock(), dir: t.TempDir(), key: bytes.Repeat([]byte{9}, cache.EncryptionKeySize)}
	r.env = newSandbox(t, r.clk, "")
	r.start(Hooks{})
	return r
}

// start opens the store and a new service with its alerts (a start of the app), and replays
// what was stored but never announced.
func (r *watchRig) start(h Hooks) {
	r.t.Helper()
	st, err := cache.Open(r.dir, cache.Options{EncryptionKey: r.key, Now: r.clk.Now, GCInterval: -1})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = st.Close() })
	r.st = st
	if h.BeforeClaim != nil {
		h.BeforeClaim = func([]uint64) { _ = st.Close() } // the app stops there
	}
	r.svc, err = New(Params{Store: st, API: r.env.api, Clock: r.clk, Logf: r.t.Logf, Hooks: h})
	if err != nil {
		r.t.Fatal(err)
	}
	r.log = &alertLog{}
	r.svc.Subscribe(NewAlerts(AlertParams{Settings: r.svc.Settings, Notifier: r.log, Clock: r.clk}).Handle)
	if err := r.svc.ReplayPending(); err != nil {
		r.t.Fatal(err)
	}
}

func (r *watchRig) restart(h Hooks) {
	r.t.Helper()
	_ = r.st.Close()
	r.start(h)
}

// row is the catalog row of service n as a refresh downloads it.
func (r *watchRig) row(n int64) client.Service {
	r.t.Helper()
	c, err := r.svc.RefreshCatalog(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, s := range c.Rows {
		if s.Service == n {
			return s
		}
	}
	r.t.Fatalf("no service %d in the catalog", n)
	return client.Service{}
}

func (r *watchRig) check(n int64) {
	r.t.Helper()
	if _, err := r.svc.CheckWatch(r.ctx, n); err != nil {
		r.t.Fatal(err)
	}
}

// notes are the notifications so far, "title|body".
func (r *watchRig) notes(title string) []string { return r.log.with("notify:" + title + "|") }

// firstOf finds the first service of a kind in the catalog.
func (r *watchRig) firstOf(product bool) client.Service {
	r.t.Helper()
	c, err := r.svc.RefreshCatalog(r.ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, s := range c.Rows {
		if s.IsProduct() == product && s.PriceKnown() && (!product || r.env.sb.Variants(int(s.Service)) >= 2) {
			return s
		}
	}
	r.t.Fatal("no such service in the sandbox")
	return client.Service{}
}

// TestSandboxWatchStockAndPriceOnce: a watched service out of stock comes back (0 → 5) and its
// price drops: one notification each, whoever sees it (the poller's check, a catalog refresh,
// the window's live stock), and none after a restart.
func TestSandboxWatchStockAndPriceOnce(t *testing.T) {
	r := newWatchRig(t)
	n := r.firstOf(false).Service
	if err := r.env.sb.SetStock(int(n), -1, 0); err != nil {
		t.Fatal(err)
	}
	row := r.row(n)
	if row.Stock != 0 {
		t.Fatalf("stock %d, want 0", row.Stock)
	}
	if _, err := r.svc.SetWatch(row, WatchOptions{BackInStock: true, PriceDrop: true}); err != nil {
		t.Fatal(err)
	}
	r.check(n)
	if got := r.log.all(); len(got) != 0 {
		t.Fatalf("notified %q before any change", got)
	}

	if err := r.env.sb.SetStock(int(n), -1, 5); err != nil {
		t.Fatal(err)
	}
	lower := row.Rate.Sub(row.Rate.Shift(-1)) // 10 % off
	if err := r.env.sb.SetRate(int(n), lower.StringFixed(4)); err != nil {
		t.Fatal(err)
	}
	r.check(n)
	r.check(n)
	r.row(n) // a catalog refresh sees the same change
	if _, err := r.svc.Inventory(r.ctx, n); err != nil {
		t.Fatal(err)
	}
	stock, price := r.notes("Back in stock"), r.notes("Price drop")
	if len(stock) != 1 || !strings.Contains(stock[0], "5 available") || len(price) != 1 {
		t.Fatalf("notifications %q, want one back in stock and one price drop", r.log.all())
	}
	if !strings.Contains(price[0], "(was "+row.Rate.String()) {
		t.Errorf("price drop %q does not say the old price %s", price[0], row.Rate)
	}

	r.restart(Hooks{})
	r.check(n)
	r.row(n)
	if got := r.log.all(); len(got) != 0 {
		t.Fatalf("notified again after a restart: %q", got)
	}
	w, ok, err := r.svc.Watched(n)
	if err != nil || !ok || w.Seen.Stock != 5 || w.Seen.Rate.Cmp(lower) != 0 {
		t.Fatalf("watched after a restart: %+v, %v, %v", w, ok, err)
	}

	// Out of stock again, then back: a new change, a new notification.
	_ = r.env.sb.SetStock(int(n), -1, 0)
	r.check(n)
	_ = r.env.sb.SetStock(int(n), -1, 3)
	r.row(n)
	r.check(n)
	if got := r.notes("Back in stock"); len(got) != 1 || !strings.Contains(got[0], "3 available") {
		t.Fatalf("second return: %q", r.log.all())
	}
}

// TestSandboxWatchCrashBeforeClaim: the app stops after a change is stored with its event and
// before the event is claimed. Nothing was announced; the restart announces it once (replayed),
// and checking again finds nothing new.
func TestSandboxWatchCrashBeforeClaim(t *testing.T) {
	r := newWatchRig(t)
	n := r.firstOf(false).Service
	_ = r.env.sb.SetStock(int(n), -1, 0)
	if _, err := r.svc.SetWatch(r.row(n), WatchOptions{BackInStock: true}); err != nil {
		t.Fatal(err)
	}
	r.restart(Hooks{BeforeClaim: func([]uint64) {}})
	_ = r.env.sb.SetStock(int(n), -1, 5)
	_, _ = r.svc.CheckWatch(r.ctx, n) // the store closes before the claim
	if got := r.log.all(); len(got) != 0 {
		t.Fatalf("announced before the claim: %q", got)
	}
	r.restart(Hooks{})
	if got := r.notes("Back in stock"); len(got) != 1 {
		t.Fatalf("replayed %q, want the one notification", r.log.all())
	}
	r.check(n)
	r.restart(Hooks{})
	r.check(n)
	if got := r.log.all(); len(got) != 0 {
		t.Fatalf("announced again: %q", got)
	}
}

// TestSandboxWatchBelowThreshold: with a price set, only a price that goes below it is announced,
// once per crossing; a drop above it or further below it is not.
func TestSandboxWatchBelowThreshold(t *testing.T) {
	r := newWatchRig(t)
	n := r.firstOf(false).Service
	setRate := func(v string) {
		t.Helper()
		if err := r.env.sb.SetRate(int(n), v); err != nil {
			t.Fatal(err)
		}
		r.check(n)
	}
	setRate("1.0000")
	below := dec("0.80")
	if _, err := r.svc.SetWatch(r.row(n), WatchOptions{PriceDrop: true, Below: &below}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.SetWatch(r.row(n), WatchOptions{PriceDrop: true, Below: new(client.Decimal)}); err != ErrBadThreshold {
		t.Fatalf("a zero threshold: %v", err)
	}
	setRate("0.9000") // lower, not below 0.80
	if got := r.log.all(); len(got) != 0 {
		t.Fatalf("announced a drop above the threshold: %q", got)
	}
	setRate("0.8000") // at it is not below it
	setRate("0.7500")
	setRate("0.7000") // already below
	got := r.notes("Price drop")
	if len(got) != 1 || !strings.Contains(got[0], "0.7500") || !strings.Contains(got[0], "below your 0.80") {
		t.Fatalf("notifications %q, want one at 0.7500", r.log.all())
	}
	setRate("0.8500")
	setRate("0.7900") // crosses again
	if got := r.notes("Price drop"); len(got) != 2 {
		t.Fatalf("notifications %q, want a second crossing", r.log.all())
	}
	// A price the answer does not give is not a price: no drop to zero.
	w, _, _ := r.svc.Watched(n)
	evs := compareSeen(&w, observation{stockKnown: true, stock: 1}, r.clk.Now(), true)
	if len(evs) != 0 || !w.Seen.RateKnown || w.Seen.Rate.String() != "0.7900" {
		t.Fatalf("an unknown price: %v, seen %+v", evs, w.Seen)
	}
}

// TestSandboxWatchNewVariant: a product's variant comes on sale: one notification, naming it.
func TestSandboxWatchNewVariant(t *testing.T) {
	r := newWatchRig(t)
	p := r.firstOf(true)
	n := p.Service
	if err := r.env.sb.SetVariantHidden(int(n), 1, true); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.SetWatch(p, WatchOptions{NewVariant: true}); err != nil {
		t.Fatal(err)
	}
	r.check(n) // the variants on sale now
	if got := r.log.all(); len(got) != 0 {
		t.Fatalf("notified %q before any change", got)
	}
	_ = r.env.sb.SetVariantHidden(int(n), 1, false)
	r.check(n)
	r.check(n)
	inv, err := r.env.api.Inventory(r.ctx, n)
	if err != nil || len(inv.Subproducts) < 2 {
		t.Fatalf("inventory %+v, %v", inv, err)
	}
	got := r.notes("New variant")
	if len(got) != 1 || !strings.Contains(got[0], inv.Subproducts[1].Name) {
		t.Fatalf("notifications %q, want one naming %q", r.log.all(), inv.Subproducts[1].Name)
	}
	r.restart(Hooks{})
	r.check(n)
	if got := r.log.all(); len(got) != 0 {
		t.Fatalf("announced again after a restart: %q", got)
	}
	if err := r.svc.Unwatch(n); err != nil {
		t.Fatal(err)
	}
	if res, err := r.svc.CheckWatch(r.ctx, n); err != nil || !res.Done {
		t.Fatalf("check of an unwatched item: %+v, %v", res, err)
	}
}
