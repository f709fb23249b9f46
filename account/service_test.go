package account

import (
	"context"
	"errors"
	"slices"
	"syscall"
	"testing"

	"github.com/hstockplus/hstockplus/client"
)

// TestSetReachableAnnouncesChangesOnly: going offline and back is announced once each.
func TestSetReachableAnnouncesChangesOnly(t *testing.T) {
	clk := newFakeClock()
	svc := newService(t, memStore(t, clk), &fakeAPI{}, clk, nil)
	rec := record(svc)
	if svc.Online() {
		t.Fatal("a new service says online before any answer")
	}
	svc.SetReachable(true, nil) // the first answer: announced
	svc.SetReachable(true, nil)
	why := errors.New("dial tcp: connection refused")
	svc.SetReachable(false, why)
	svc.SetReachable(false, why)
	if svc.Online() {
		t.Fatal("online after SetReachable(false)")
	}
	svc.SetReachable(true, nil)
	evs := rec.all()
	if len(evs) != 3 || evs[0].Kind != KindOnline || evs[1].Kind != KindOffline || !errors.Is(evs[1].Err, why) || evs[2].Kind != KindOnline || evs[1].Stored() {
		t.Fatalf("events = %v, want online, offline (with why), online", evs)
	}
}

// Online means an answer: every call the service makes says whether HstockPlus answered. An
// API refusal is an answer; a 502 page, a refused connection or a timeout is not.
func TestCallsSayWhetherHstockPlusAnswers(t *testing.T) {
	clk := newFakeClock()
	var next error
	api := &fakeAPI{balance: func() (*client.Balance, error) {
		if next != nil {
			return nil, next
		}
		return &client.Balance{Balance: client.MustDecimal("1.00"), Currency: "USD"}, nil
	}}
	svc := newService(t, memStore(t, clk), api, clk, nil)
	rec := record(svc)
	cases := []struct {
		err    error
		online bool
	}{
		{&client.TransportError{HTTPStatus: 502, Excerpt: "<html>Bad gateway</html>"}, false},
		{nil, true},
		{&client.TransportError{Err: syscall.ECONNREFUSED}, false},
		{&client.APIError{Message: "Invalid API key"}, true},
		{context.DeadlineExceeded, false},
		{&client.RateLimitError{}, true},
	}
	for _, c := range cases {
		next = c.err
		_, _ = svc.RefreshBalance(context.Background())
		if svc.Online() != c.online {
			t.Fatalf("after %v: online %v, want %v", c.err, svc.Online(), c.online)
		}
	}
	var kinds []Kind
	for _, ev := range rec.all() {
		if ev.Kind == KindOnline || ev.Kind == KindOffline {
			kinds = append(kinds, ev.Kind)
		}
	}
	want := []Kind{KindOffline, KindOnline, KindOffline, KindOnline, KindOffline, KindOnline}
	if !slices.Equal(kinds, want) {
		t.Fatalf("announced %v, want %v", kinds, want)
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
