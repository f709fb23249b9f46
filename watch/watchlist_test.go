package watch

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
)

// invAPI is the fake API with an inventory: every watched service's stock, set by the test.
type invAPI struct {
	*fakeAPI
	imu   sync.Mutex
	stock map[int64]int64
}

func (f *invAPI) Inventory(_ context.Context, id int64) (*client.Inventory, error) {
	if err := f.begin("inventory", id); err != nil {
		return nil, err
	}
	f.imu.Lock()
	defer f.imu.Unlock()
	return &client.Inventory{Service: id, Stock: f.stock[id], Available: f.stock[id] > 0, Rate: client.MustDecimal("1.00"), RateKnown: true, EntityType: "smm", AutoDelivery: true}, nil
}

func (f *invAPI) setStock(id, n int64) {
	f.imu.Lock()
	f.stock[id] = n
	f.imu.Unlock()
}

// watchHarness is the harness with the inventory API and n watched services (1…n), out of stock.
func watchHarness(t *testing.T, opts Options, n int) (*harness, *invAPI) {
	t.Helper()
	h := newHarness(t, opts)
	api := &invAPI{fakeAPI: h.api, stock: map[int64]int64{}}
	h.svc = newService(t, h.store, api, h.clk, t.Logf, sinks{notifier: h.rec, format: h.rec.format, copier: h.clip}, h.rec.listen)
	h.p = New(h.svc, h.p.opts)
	h.svc.Attach(h.p)
	h.p.hooks.idle = func(w time.Time) { h.idleCh <- w }
	for i := range n {
		row := client.Service{Service: int64(i + 1), Name: "Watched", Rate: client.MustDecimal("1.00"), EntityType: "smm"}
		if _, err := h.svc.SetWatch(row, account.WatchOptions{BackInStock: true, PriceDrop: true}); err != nil {
			t.Fatal(err)
		}
	}
	return h, api
}

// maxPerSecond is the most calls in any one second.
func maxPerSecond(cs []call) int {
	most := 0
	for i := range cs {
		n := 0
		for j := i; j < len(cs) && cs[j].at.Sub(cs[i].at) < time.Second; j++ {
			n++
		}
		most = max(most, n)
	}
	return most
}

// Watched items are checked every Schedule.Watch through the poller's limiter, alongside the
// orders and numbers, which keep their own pace; a service back in stock is announced once.
func TestWatchChecksShareTheLimit(t *testing.T) {
	const rate, burst = 2, 2
	h, api := watchHarness(t, Options{RatePerSecond: rate, Burst: burst, Schedule: &Schedule{
		Orders: []Step{{0, time.Minute}}, SMS: []Step{{0, 3 * time.Second}}, Balance: time.Hour, Watch: 5 * time.Minute,
	}}, 20)
	h.placeOrder(100, "o", orderStep{0, st("In progress")})
	h.placeSMS(1000, "+1555", 0, "", 24*time.Hour)
	h.placeSMS(1001, "+1556", 0, "", 24*time.Hour)
	h.start()
	h.runFor(7 * time.Minute)
	api.setStock(3, 5)
	h.runFor(8 * time.Minute)

	all := h.api.allCalls()
	if m := maxPerSecond(all); m > rate+burst {
		t.Errorf("%d calls in one second at %d/s, burst %d", m, rate, burst)
	}
	for i := range 20 {
		cs := h.api.callsOf("inventory", int64(i+1))
		if len(cs) < 2 {
			t.Fatalf("watched %d checked %d times in 15 min (every 5 min)", i+1, len(cs))
		}
		for _, d := range gaps(cs) {
			if d < 4*time.Minute {
				t.Errorf("watched %d checked again after %v (every 5 min)", i+1, d)
			}
		}
	}
	for _, id := range []int64{1000, 1001} {
		for _, d := range gaps(h.api.callsOf("sms_code", id)) {
			if d > 4*time.Second {
				t.Errorf("number %d waited %v between polls (every 3 s)", id, d)
			}
		}
	}
	if got := h.rec.eventsOf(account.KindBackInStock); len(got) != 1 || got[0].Service != 3 || got[0].Stock != 5 {
		t.Fatalf("back in stock events %v, want one for service 3", got)
	}
	if st := h.p.Stats(); st.Watched != 20 {
		t.Errorf("Stats.Watched = %d", st.Watched)
	}
}

// When more is due than the rate allows, the orders and numbers get it: the watched items wait.
func TestWatchChecksYieldUnderLoad(t *testing.T) {
	const rate = 2
	h, _ := watchHarness(t, Options{RatePerSecond: rate, Burst: 2, Schedule: &Schedule{
		SMS: []Step{{0, 3 * time.Second}}, Balance: time.Hour, Watch: 5 * time.Minute,
	}}, 20)
	for i := range 30 { // 10 polls a second wanted, 2 allowed
		h.placeSMS(int64(1000+i), "+1555", 0, "", 24*time.Hour)
	}
	h.start()
	h.runFor(10 * time.Minute)
	sms, inv := len(h.api.callsOf("sms_code", 0)), len(h.api.callsOf("inventory", 0))
	t.Logf("%d SMS polls, %d inventory checks in 10 min at %d/s", sms, inv, rate)
	if m := maxPerSecond(h.api.allCalls()); m > rate+2 {
		t.Errorf("%d calls in one second", m)
	}
	if inv > 0 && sms < 9*inv {
		t.Errorf("%d SMS polls and %d inventory checks: the watched items took the numbers' rate", sms, inv)
	}
	if sms < rate*600*8/10 {
		t.Errorf("%d SMS polls in 10 min at %d/s", sms, rate)
	}
}

// Unwatching an item stops its checks.
func TestWatchUnwatchedStops(t *testing.T) {
	h, _ := watchHarness(t, Options{Schedule: &Schedule{Balance: time.Hour, Watch: time.Minute}}, 2)
	h.start()
	h.runFor(3 * time.Minute)
	h.waitIdle()
	if err := h.svc.Unwatch(1); err != nil {
		t.Fatal(err)
	}
	h.kick()
	n := len(h.api.callsOf("inventory", 1))
	h.runFor(5 * time.Minute)
	if got := len(h.api.callsOf("inventory", 1)); got != n {
		t.Errorf("an unwatched item was checked %d more times", got-n)
	}
	if got := len(h.api.callsOf("inventory", 2)); got < 5 {
		t.Errorf("the other one was checked %d times in 8 min (every minute)", got)
	}
}
