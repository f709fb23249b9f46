package account

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// TestFailedClaimAnnouncesNothingUntilRetried: when the store cannot claim a batch, no listener
// sees any of it, ReplayPending leaves it to the retry, and RetryUnannounced delivers it exactly
// once.
//
// The store offers no way to make ClaimEvents fail once and then work (closing it fails it for
// good, and a closed store's batch is dropped by design), so the test hands announce a batch
// whose second event id does not exist yet (ClaimEvents fails with ErrNotFound, claiming
// nothing), then records that event, so that the retry succeeds.
func TestFailedClaimAnnouncesNothingUntilRetried(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	svc := newService(t, st, &fakeAPI{}, clk, nil)
	var claimedHook [][]uint64
	svc.hooks.Claimed = func(ids []uint64) { claimedHook = append(claimedHook, ids) }
	rec := record(svc)

	up, err := st.RecordSMSCode(21, client.SMSCode{Status: "completed", Code: "556677"})
	if err != nil || len(up.Events) != 1 {
		t.Fatalf("setup: %+v, %v", up, err)
	}
	code := up.Events[0]
	later := cache.Event{ID: code.ID + 1, Kind: cache.EventSMSStatus, Order: 21, At: clk.Now(), Status: "code_received"}

	svc.announce(batch{events: []cache.Event{code, later}, fresh: up.New})
	if n := len(rec.all()); n != 0 {
		t.Fatalf("listeners saw %v although the claim failed", rec.all())
	}
	if n := svc.Unannounced(); n != 2 {
		t.Fatalf("Unannounced = %d, want 2", n)
	}
	if pend, _ := st.PendingEvents(); len(pend) != 1 || pend[0].ID != code.ID {
		t.Fatalf("pending = %v: the failed claim marked something", pend)
	}
	// The replay leaves the batch to its retry.
	if err := svc.ReplayPending(); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.all()); n != 0 {
		t.Fatalf("ReplayPending announced a batch that waits for its retry: %v", rec.all())
	}

	ev, created, err := st.RecordEvent(cache.Event{Kind: cache.EventSMSStatus, Order: 21, Status: "code_received"})
	if err != nil || !created || ev.ID != later.ID {
		t.Fatalf("setup: recorded %+v (created %v), want id %d: %v", ev, created, later.ID, err)
	}
	if left := svc.RetryUnannounced(); left != 0 {
		t.Fatalf("RetryUnannounced left %d", left)
	}
	got := rec.stored()
	if len(got) != 2 || got[0].Kind != KindCodeReceived || got[1].Kind != KindSMSStatus {
		t.Fatalf("announced %v, want the code and the status", got)
	}
	if got[0].Replayed || len(got[0].Deliveries) != 1 || got[0].Deliveries[0].Value != "556677" {
		t.Fatalf("code event = %v", got[0])
	}
	if len(claimedHook) != 1 || len(claimedHook[0]) != 2 {
		t.Fatalf("Claimed hook calls = %v", claimedHook)
	}

	// Exactly once: no second retry, replay or restart brings them back.
	svc.RetryUnannounced()
	if err := svc.ReplayPending(); err != nil {
		t.Fatal(err)
	}
	svc2 := newService(t, st, &fakeAPI{}, clk, nil)
	rec2 := record(svc2)
	if err := svc2.ReplayPending(); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.all()); n != 2 || len(rec2.all()) != 0 {
		t.Fatalf("announced again: %v / %v", rec.all()[2:], rec2.all())
	}
}

// TestCrashBeforeClaimReplaysOnce: the app stops after a code is stored and before its event is
// claimed (the hook closes the store there). Nothing was announced; after a restart the code is
// announced once, marked Replayed, with the code read back from the vault — and then never again.
func TestCrashBeforeClaimReplaysOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := bytes.Repeat([]byte{7}, cache.EncryptionKeySize)
	clk := newFakeClock()
	open := func() *cache.Store {
		st, err := cache.Open(dir, cache.Options{EncryptionKey: key, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	api := &fakeAPI{smsCode: func(int64) (*client.SMSCode, error) {
		return &client.SMSCode{Status: "completed", Code: "314159", SMSContent: "Your code is 314159"}, nil
	}}

	st := open()
	if _, err := st.RecordSMSStatus(41, client.SMSStatus{Status: "waiting", Phone: "+15557777", ExpiresAt: clk.Now().Add(DefaultSMSLifetime)}); err != nil {
		t.Fatal(err)
	}
	claimAll(t, st) // the setup's own status event is not the point
	svc, err := New(Params{Store: st, API: api, Clock: clk, Logf: t.Logf, Hooks: Hooks{
		BeforeClaim: func([]uint64) { _ = st.Close() }, // the app stops here
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec := record(svc)
	_ = svc.CheckNumberNow(ctx, 41)
	if n := len(rec.stored()); n != 0 {
		t.Fatalf("announced %v although the claim never happened", rec.stored())
	}
	if n := svc.Unannounced(); n != 0 {
		t.Fatalf("Unannounced = %d for a closed store", n)
	}

	clk.Advance(30e9) // the restart, 30 s later: still recent enough to copy
	st2 := open()
	svc2 := newService(t, st2, api, clk, nil)
	log := &alertLog{}
	svc2.Subscribe(NewAlerts(AlertParams{Settings: svc2.Settings, Notifier: log, Copier: log, Clock: clk}).Handle)
	rec2 := record(svc2)
	if err := svc2.ReplayPending(); err != nil {
		t.Fatal(err)
	}
	got := rec2.stored()
	if len(got) != 1 || got[0].Kind != KindCodeReceived || !got[0].Replayed || got[0].Phone != "+15557777" ||
		len(got[0].Deliveries) != 1 || got[0].Deliveries[0].Value != "314159" {
		t.Fatalf("replayed %v", got)
	}
	if c := log.with("copy:"); len(c) != 1 || c[0] != "314159" {
		t.Fatalf("copies = %q", c)
	}
	if err := svc2.ReplayPending(); err != nil {
		t.Fatal(err)
	}
	// The number is asked again after the restart: the code is known, nothing is announced.
	if err := svc2.CheckNumberNow(ctx, 41); err != nil {
		t.Fatal(err)
	}
	if n := len(rec2.stored()); n != 1 || len(log.with("notify:")) != 1 {
		t.Fatalf("announced again: %v, alerts %q", rec2.stored(), log.all())
	}
	if err := st2.Close(); err != nil {
		t.Fatal(err)
	}
	st3 := open()
	svc3 := newService(t, st3, api, clk, nil)
	rec3 := record(svc3)
	if err := svc3.ReplayPending(); err != nil {
		t.Fatal(err)
	}
	if n := len(rec3.all()); n != 0 {
		t.Fatalf("third run replayed %v", rec3.all())
	}
}

// TestListenerPanicDoesNotStopOthers: a listener that panics is skipped; the others and the
// claim are unaffected.
func TestListenerPanicDoesNotStopOthers(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	api := &fakeAPI{smsCode: func(int64) (*client.SMSCode, error) {
		return &client.SMSCode{Status: "completed", Code: "42"}, nil
	}}
	svc := newService(t, st, api, clk, nil)
	svc.Subscribe(func(Event) { panic(errors.New("boom")) })
	rec := record(svc)
	cancel := svc.Subscribe(func(Event) { t.Error("a cancelled listener was called") })
	cancel()
	if _, err := st.RecordSMSStatus(9, client.SMSStatus{Status: "waiting"}); err != nil {
		t.Fatal(err)
	}
	claimAll(t, st)
	if _, err := svc.CheckCode(context.Background(), 9); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.of(KindCodeReceived)); n != 1 {
		t.Fatalf("code events after a panicking listener: %d", n)
	}
	if pend, _ := st.PendingEvents(); len(pend) != 0 {
		t.Fatalf("pending = %v", pend)
	}
}

// claimAll marks every pending event of the store's setup as announced.
func claimAll(t testing.TB, st *cache.Store) {
	t.Helper()
	pend, err := st.PendingEvents()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pend {
		if err := st.MarkNotified(e.ID); err != nil {
			t.Fatal(err)
		}
	}
}
