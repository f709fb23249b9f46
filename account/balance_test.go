package account

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

// balanceAPI answers the balance the test sets.
type balanceAPI struct {
	fakeAPI
	mu  sync.Mutex
	bal string
}

func newBalanceAPI() *balanceAPI {
	a := &balanceAPI{}
	a.balance = func() (*client.Balance, error) {
		a.mu.Lock()
		defer a.mu.Unlock()
		return &client.Balance{Balance: dec(a.bal), Currency: "USD"}, nil
	}
	return a
}

func (a *balanceAPI) set(b string) {
	a.mu.Lock()
	a.bal = b
	a.mu.Unlock()
}

// TestRefreshBalance: a refresh records the balance, announces it and updates Balance(); a low
// balance is announced once per episode below the setting, with typed amounts, across restarts.
func TestRefreshBalance(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	st := memStore(t, clk)
	api := newBalanceAPI()
	settings := DefaultSettings()
	settings.LowBalance = dec("10.00")
	svc := newService(t, st, api, clk, &settings)
	rec := record(svc)

	if _, ok := svc.Balance(); ok {
		t.Fatal("a balance before any was read")
	}
	if c := svc.Currency(); c != "USD" {
		t.Fatalf("default currency %q", c)
	}

	refresh := func(s *Service, bal string) {
		t.Helper()
		clk.Advance(time.Minute)
		api.set(bal)
		got, err := s.RefreshBalance(ctx)
		if err != nil || got.Balance.String() != bal {
			t.Fatalf("RefreshBalance = %v, %v", got, err)
		}
	}
	lows := func(r *recorder) []Event { return r.of(KindLowBalance) }

	refresh(svc, "50.00")
	bs := rec.of(KindBalance)
	if len(bs) != 1 || bs[0].Balance.String() != "50.00" || bs[0].Currency != "USD" || bs[0].Stored() {
		t.Fatalf("balance events = %v", bs)
	}
	r, ok := svc.Balance()
	if !ok || r.Saved || r.Balance.Balance.String() != "50.00" || !r.At.Equal(clk.Now()) {
		t.Fatalf("Balance() = %+v, %v", r, ok)
	}
	if pt, err := st.LastBalance(); err != nil || pt.Balance.String() != "50.00" {
		t.Fatalf("stored balance = %+v, %v", pt, err)
	}
	if n := len(lows(rec)); n != 0 {
		t.Fatalf("low balance announced above the threshold")
	}

	refresh(svc, "9.50")
	lo := lows(rec)
	if len(lo) != 1 {
		t.Fatalf("low-balance events = %v, want one", lo)
	}
	if !lo[0].Stored() || lo[0].Balance.Cmp(dec("9.5").Decimal) != 0 || lo[0].Currency != "USD" ||
		lo[0].Threshold.Cmp(dec("10").Decimal) != 0 || lo[0].Threshold.String() != "10.00" {
		t.Fatalf("low-balance event = %+v", lo[0])
	}
	if r, _ := svc.Balance(); r.Balance.Balance.String() != "9.50" {
		t.Fatalf("Balance() = %+v", r)
	}

	refresh(svc, "9.50") // unchanged
	refresh(svc, "9.00") // lower still: the same episode
	if n := len(lows(rec)); n != 1 {
		t.Fatalf("low balance announced %d times in one episode", n)
	}
	if n := len(rec.of(KindBalance)); n != 4 {
		t.Fatalf("%d balance events for 4 refreshes", n)
	}

	// A restart: the saved balance is known at once, and the episode is not announced again.
	svc2 := newService(t, st, api, clk, &settings)
	rec2 := record(svc2)
	if r, ok := svc2.Balance(); !ok || !r.Saved || r.Balance.Balance.String() != "9.00" {
		t.Fatalf("Balance() after restart = %+v, %v", r, ok)
	}
	if err := svc2.ReplayPending(); err != nil {
		t.Fatal(err)
	}
	refresh(svc2, "9.00")
	if n := len(lows(rec2)); n != 0 {
		t.Fatalf("low balance announced again after a restart: %v", lows(rec2))
	}

	// Back above, then below again: a new episode, announced once.
	refresh(svc2, "20.00")
	refresh(svc2, "5.00")
	refresh(svc2, "5.00")
	if lo := lows(rec2); len(lo) != 1 || lo[0].Balance.String() != "5.00" {
		t.Fatalf("second episode = %v", lo)
	}
}

// TestLowBalanceOff: a zero setting never announces.
func TestLowBalanceOff(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	api := newBalanceAPI()
	svc := newService(t, st, api, clk, nil)
	rec := record(svc)
	api.set("0.01")
	if _, err := svc.RefreshBalance(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.of(KindLowBalance)); n != 0 {
		t.Fatal("low balance announced with the setting off")
	}
}

// TestSetSettingsAsksBalanceOnNewThreshold: a new threshold asks the poller for the balance soon;
// other changes do not.
func TestSetSettingsAsksBalanceOnNewThreshold(t *testing.T) {
	clk := newFakeClock()
	svc := newService(t, memStore(t, clk), &fakeAPI{}, clk, nil)
	w := &fakeWatcher{}
	svc.Attach(w)
	st := svc.Settings()
	st.AutoCopyCodes = !st.AutoCopyCodes
	svc.SetSettings(st)
	if _, soon := w.counts(); soon != 0 {
		t.Fatal("BalanceSoon without a threshold change")
	}
	st.LowBalance = dec("3.00")
	svc.SetSettings(st)
	if _, soon := w.counts(); soon != 1 {
		t.Fatalf("BalanceSoon = %d after a threshold change", soon)
	}
	if got := svc.Settings(); got.LowBalance.String() != "3.00" || got.AutoCopyCodes == DefaultSettings().AutoCopyCodes {
		t.Fatalf("Settings() = %+v", got)
	}
}

// TestBalanceFailureChangesNothing: an API failure neither records nor announces.
func TestBalanceFailureChangesNothing(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	svc := newService(t, st, &fakeAPI{}, clk, nil)
	rec := record(svc)
	if _, err := svc.RefreshBalance(context.Background()); err == nil {
		t.Fatal("no error")
	}
	if _, ok := svc.Balance(); ok || len(rec.all()) != 0 {
		t.Fatalf("after a failure: balance known %v, events %v", ok, rec.all())
	}
}
