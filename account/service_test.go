package account

import (
	"errors"
	"testing"
)

// TestSetReachableAnnouncesChangesOnly: going offline and back is announced once each.
func TestSetReachableAnnouncesChangesOnly(t *testing.T) {
	clk := newFakeClock()
	svc := newService(t, memStore(t, clk), &fakeAPI{}, clk, nil)
	rec := record(svc)
	if !svc.Online() {
		t.Fatal("a new service is offline")
	}
	svc.SetReachable(true, nil)
	why := errors.New("dial tcp: connection refused")
	svc.SetReachable(false, why)
	svc.SetReachable(false, why)
	if svc.Online() {
		t.Fatal("online after SetReachable(false)")
	}
	svc.SetReachable(true, nil)
	evs := rec.all()
	if len(evs) != 2 || evs[0].Kind != KindOffline || !errors.Is(evs[0].Err, why) || evs[1].Kind != KindOnline || evs[0].Stored() {
		t.Fatalf("events = %v, want offline (with why) then online", evs)
	}
}

// TestNewNeedsStoreAndAPI: a service without a store or an API is refused.
func TestNewNeedsStoreAndAPI(t *testing.T) {
	clk := newFakeClock()
	if _, err := New(Params{API: &fakeAPI{}}); err == nil {
		t.Fatal("no store: no error")
	}
	if _, err := New(Params{Store: memStore(t, clk)}); err == nil {
		t.Fatal("no API: no error")
	}
}
