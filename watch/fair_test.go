package watch

import (
	"math/rand/v2"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// loadHarness is a harness whose store can be put in the past, to journal orders and numbers of
// any age, each last checked within its interval: a running app's steady state.
type loadHarness struct {
	*harness
	past atomic.Pointer[time.Time] // the store's clock while setting up; nil: the fake clock
	rnd  *rand.Rand
}

func newLoadHarness(t *testing.T, opts Options) *loadHarness {
	t.Helper()
	lh := &loadHarness{rnd: rand.New(rand.NewPCG(13, 13))}
	clk := newFakeClock()
	h := &harness{t: t, clk: clk, api: newFakeAPI(clk), rec: &recorder{}, clip: &fakeCopier{}}
	st, err := cache.OpenInMemory(cache.Options{Now: func() time.Time {
		if p := lh.past.Load(); p != nil {
			return *p
		}
		return clk.Now()
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h.store = st
	h.idleCh = make(chan time.Time, 64)
	opts.Clock = clk
	opts.Logf = t.Logf
	h.svc = newService(t, h.store, h.api, clk, t.Logf, sinks{notifier: h.rec, format: h.rec.format, copier: h.clip}, h.rec.listen)
	h.p = New(h.svc, opts)
	h.svc.Attach(h.p)
	h.p.hooks.idle = func(w time.Time) { h.idleCh <- w }
	lh.harness = h
	return lh
}

func (lh *loadHarness) at(t time.Time) { lh.past.Store(&t) }

// start runs the loop; the events of the history journaled were announced long ago.
func (lh *loadHarness) start() {
	pending, err := lh.store.PendingEvents()
	if err != nil {
		lh.t.Fatal(err)
	}
	for _, ev := range pending {
		if err := lh.store.MarkNotified(ev.ID); err != nil {
			lh.t.Fatal(err)
		}
	}
	lh.harness.start()
}

// order journals order id placed age ago (by hand: manual), last checked within its interval
// (it returns when).
func (lh *loadHarness) order(id int64, age time.Duration, manual bool) time.Time {
	t := lh.t
	now := lh.clk.Now()
	lh.at(now.Add(-age))
	sp, err := lh.store.BeginAdd(client.AddRequest{Service: 1, Quantity: 3}, "o", client.MustDecimal("1.00"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lh.store.MarkPlaced(sp.ID, id); err != nil {
		t.Fatal(err)
	}
	s := st("In progress")
	s.AutoDelivery = !manual
	lh.api.mu.Lock()
	lh.api.orders[id] = &fakeOrder{start: now.Add(-age), steps: []orderStep{{0, s}}}
	lh.api.mu.Unlock()
	iv := DefaultSchedule().OrderInterval(age, manual)
	checked := now.Add(-time.Duration(lh.rnd.Int64N(int64(iv))))
	lh.at(checked)
	if _, err := lh.store.RecordOrderStatus(id, s); err != nil {
		t.Fatal(err)
	}
	lh.past.Store(nil)
	return checked
}

// number journals SMS number id bought age ago, waiting for a code that never comes until it
// expires life after it was bought, last checked within its interval (it returns when).
func (lh *loadHarness) number(id int64, age, life time.Duration) time.Time {
	t := lh.t
	now := lh.clk.Now()
	start := now.Add(-age)
	lh.at(start)
	sp, err := lh.store.BeginAddSMS(client.AddSMSRequest{ProjectID: "p1", Quantity: 1}, "Telegram", client.MustDecimal("0.50"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lh.store.MarkSMSPlaced(sp.ID, []client.SMSOrder{{Order: id, Phone: "+1555", Country: "us", Status: "active"}}); err != nil {
		t.Fatal(err)
	}
	lh.api.mu.Lock()
	lh.api.sms[id] = &fakeSMS{start: start, phone: "+1555", life: life}
	lh.api.mu.Unlock()
	iv := DefaultSchedule().SMSInterval(age)
	checked := now.Add(-time.Duration(lh.rnd.Int64N(int64(iv))))
	lh.at(checked)
	s := client.SMSStatus{Status: "waiting", Phone: "+1555", Charge: client.MustDecimal("0.5000"), Currency: "USD", ExpiresAt: start.Add(life)}
	if _, err := lh.store.RecordSMSStatus(id, s); err != nil {
		t.Fatal(err)
	}
	lh.past.Store(nil)
	return checked
}

// paceSample is the poller's stretch from a time on.
type paceSample struct {
	at      time.Time
	stretch float64
}

// run runs the loop for d in steps of a minute, noting the stretch after each.
func (lh *loadHarness) run(d time.Duration) []paceSample {
	lh.waitIdle()
	out := []paceSample{{lh.clk.Now(), lh.p.Stats().Stretch}}
	for end := lh.clk.Now().Add(d); lh.clk.Now().Before(end); {
		lh.runFor(time.Minute)
		out = append(out, paceSample{lh.clk.Now(), lh.p.Stats().Stretch})
	}
	return out
}

// maxStretch is the largest stretch in force between from and to.
func maxStretch(samples []paceSample, from, to time.Time) float64 {
	m := 1.0
	for i, s := range samples {
		if s.at.Before(from.Add(-time.Minute)) && i+1 < len(samples) && samples[i+1].at.Before(from) {
			continue
		}
		if s.at.After(to.Add(time.Minute)) {
			break
		}
		m = max(m, s.stretch)
	}
	return m
}

// rateWindows is the largest number of calls in any window of d.
func rateWindows(calls []call, d time.Duration) int {
	ts := make([]time.Time, len(calls))
	for i, c := range calls {
		ts[i] = c.at
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	most, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= d {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

// gapCheck is how an item's polls kept to their (stretched) intervals: the worst ratio of a gap
// between two polls to the interval asked for then (stretched or not), that gap; how much longer
// than the stretched interval with its jitter (10 %) a gap was, and how much longer than what
// the test allows: that, plus queueing (5 % of the interval and 3 s).
type gapCheck struct {
	ratio float64
	gap   time.Duration
	id    int64
	late  time.Duration
	over  time.Duration
}

func worstGaps(calls []call, samples []paceSample, interval func(at time.Time) time.Duration) (plain, stretched gapCheck) {
	for i := 1; i < len(calls); i++ {
		from, to := calls[i-1].at, calls[i].at
		g := to.Sub(from)
		iv := interval(latest(from, epoch)) // planned when the run started, for a poll before it
		if r := g.Seconds() / iv.Seconds(); r > plain.ratio {
			plain = gapCheck{ratio: r, gap: g, id: calls[i].id}
		}
		want := time.Duration(float64(iv) * maxStretch(samples, from, to))
		if r := g.Seconds() / want.Seconds(); r > stretched.ratio {
			stretched.ratio, stretched.gap, stretched.id = r, g, calls[i].id
		}
		stretched.late = max(stretched.late, g-want*11/10)
		stretched.over = max(stretched.over, g-want*11/10-want/20-3*time.Second)
	}
	return plain, stretched
}

// TestFairUnderLoad: 1,000 open orders and 50 numbers at the default schedule ask more than the
// rate allows. Over an hour the requests stay within the limit, and every order and every number
// is polled at its interval stretched by the poller's factor (jitter and a little queueing
// aside); the stats and a KindPace event report the stretch.
func TestFairUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("an hour of polling: skipped with -short")
	}
	lh := newLoadHarness(t, Options{})
	type tracked struct {
		placed  time.Time
		manual  bool
		checked time.Time // before the run
	}
	orders, numbers := map[int64]tracked{}, map[int64]tracked{}
	for i := range 1000 {
		age := time.Duration(lh.rnd.Int64N(int64(24 * time.Hour)))
		manual := i%10 < 3
		id := int64(10000 + i)
		checked := lh.order(id, age, manual)
		orders[id] = tracked{epoch.Add(-age), manual, checked}
	}
	for i := range 50 {
		age := time.Duration(lh.rnd.Int64N(int64(15 * time.Minute)))
		id := int64(50000 + i)
		checked := lh.number(id, age, 3*time.Hour) // no expiry within the hour: the load stays
		numbers[id] = tracked{epoch.Add(-age), false, checked}
	}
	sched := DefaultSchedule()
	lh.start()
	samples := lh.run(time.Hour)

	calls := lh.api.allCalls()
	perSecond, perMinute := rateWindows(calls, time.Second), rateWindows(calls, time.Minute)
	// Each item's polls, from its last one before the run.
	byID := map[int64][]call{}
	for id, o := range orders {
		byID[id] = []call{{"before", id, o.checked}}
	}
	for id, n := range numbers {
		byID[id] = []call{{"before", id, n.checked}}
	}
	nOrders, nSMS := 0, 0
	for _, c := range calls {
		switch c.action {
		case "status":
			nOrders++
			byID[c.id] = append(byID[c.id], c)
		case "sms_code", "sms_status":
			nSMS++
			byID[c.id] = append(byID[c.id], c)
		}
	}
	least, most := samples[0].stretch, samples[0].stretch
	for _, s := range samples {
		least, most = min(least, s.stretch), max(most, s.stretch)
	}
	st := lh.p.Stats()
	t.Logf("over an hour: %d requests (%d order checks, %d SMS checks); at most %d in a second, %d in a minute",
		len(calls), nOrders, nSMS, perSecond, perMinute)
	t.Logf("stretch %.2f–%.2f (now %.2f: orders every %v, numbers every %v on average)",
		least, most, st.Stretch, st.OrderEvery.Round(time.Second), st.NumberEvery.Round(time.Second))

	// The limit: 4 a second, and a burst of 4.
	if perSecond > DefaultRatePerSecond+DefaultBurst || float64(perMinute) > 60*DefaultRatePerSecond+DefaultBurst {
		t.Errorf("at most %d requests in a second, %d in a minute: over the limit", perSecond, perMinute)
	}
	if least <= 1.2 || st.Stretch <= 1 {
		t.Errorf("stretch %.2f–%.2f: the load asks more than the limit", least, most)
	}
	if st.OrderEvery <= 0 || st.NumberEvery <= 0 || st.OrderEvery < 5*time.Minute {
		t.Errorf("stats: orders every %v, numbers every %v", st.OrderEvery, st.NumberEvery)
	}
	if evs := lh.rec.eventsOf(account.KindPace); len(evs) == 0 || !evs[0].Pace.Slowed() {
		t.Errorf("pace events %v: want the slowed pace announced", evs)
	}
	if p := lh.svc.Pace(); !p.Slowed() || p.Stretch != st.Stretch {
		t.Errorf("the service's pace %+v, the stats' stretch %.2f", p, st.Stretch)
	}

	// Every order and number polled at its stretched interval: within its jitter (10 %) and some
	// queueing (the numbers go first when both are due: an order waits for them).
	var plainO, worstO, plainN, worstN gapCheck
	for id, o := range orders {
		cs := byID[id]
		if len(cs) < 2 {
			t.Fatalf("order %d never polled in an hour", id)
		}
		p, s := worstGaps(cs, samples, func(at time.Time) time.Duration {
			return sched.OrderInterval(at.Sub(o.placed), o.manual)
		})
		if p.ratio > plainO.ratio {
			plainO = p
		}
		if s.ratio > worstO.ratio {
			worstO.ratio, worstO.gap, worstO.id = s.ratio, s.gap, s.id
		}
		worstO.late, worstO.over = max(worstO.late, s.late), max(worstO.over, s.over)
	}
	for id, n := range numbers {
		cs := byID[id]
		if len(cs) < 100 {
			t.Fatalf("number %d polled %d times in an hour", id, len(cs)-1)
		}
		p, s := worstGaps(cs, samples, func(at time.Time) time.Duration { return sched.SMSInterval(at.Sub(n.placed)) })
		if p.ratio > plainN.ratio {
			plainN = p
		}
		if s.ratio > worstN.ratio {
			worstN.ratio, worstN.gap, worstN.id = s.ratio, s.gap, s.id
		}
		worstN.late, worstN.over = max(worstN.late, s.late), max(worstN.over, s.over)
	}
	t.Logf("worst gap of an order: %v (order %d), %.2f× its interval stretched (%.2f× unstretched); at most %v past the stretched interval and its jitter",
		worstO.gap.Round(time.Millisecond), worstO.id, worstO.ratio, plainO.ratio, worstO.late.Round(time.Millisecond))
	t.Logf("worst gap of a number: %v (number %d), %.2f× its interval stretched (%.2f× unstretched); at most %v past the stretched interval and its jitter",
		worstN.gap.Round(time.Millisecond), worstN.id, worstN.ratio, plainN.ratio, worstN.late.Round(time.Millisecond))
	if worstO.over > 0 || worstN.over > 0 {
		t.Errorf("polled up to %v (an order) and %v (a number) after the stretched interval, its jitter and 5 %% + 3 s", worstO.over, worstN.over)
	}
}

// TestOnScheduleUnderLightLoad: what the rate allows is polled at the schedule's own intervals,
// and no pace is announced.
func TestOnScheduleUnderLightLoad(t *testing.T) {
	lh := newLoadHarness(t, Options{})
	for i := range 20 {
		lh.order(int64(100+i), time.Hour+time.Duration(i)*time.Minute, i%4 == 0) // 5 min (by hand: 10 min)
	}
	for i := range 2 {
		lh.number(int64(500+i), 6*time.Minute, time.Hour) // 15 s
	}
	lh.start()
	samples := lh.run(30 * time.Minute)
	for _, s := range samples {
		if s.stretch != 1 {
			t.Fatalf("stretch %.2f at %v", s.stretch, s.at.Sub(epoch))
		}
	}
	if st := lh.p.Stats(); st.Stretch != 1 || st.OrderEvery <= 0 || st.NumberEvery != 15*time.Second {
		t.Errorf("stats %+v", st)
	}
	if evs := lh.rec.eventsOf(account.KindPace); len(evs) != 0 || lh.svc.Pace().Slowed() {
		t.Errorf("pace events %v, pace %+v: want none", evs, lh.svc.Pace())
	}
	check := func(id int64, action string, iv time.Duration) {
		g := gaps(lh.api.callsOf(action, id))
		if len(g)+1 < int(30*time.Minute/(iv*11/10)) {
			t.Fatalf("%s %d: %d polls in 30 min, every %v", action, id, len(g)+1, iv)
		}
		for _, d := range g {
			if d < iv*9/10-time.Second || d > iv*11/10+time.Second {
				t.Errorf("%s %d: %v between two polls, want %v ± 10 %%", action, id, d, iv)
			}
		}
	}
	for i := range 20 {
		iv := 5 * time.Minute
		if i%4 == 0 {
			iv = 10 * time.Minute
		}
		check(int64(100+i), "status", iv)
	}
	for i := range 2 {
		check(int64(500+i), "sms_code", 15*time.Second)
	}
}

// TestSharedEndpoint: pollers of several accounts on one endpoint plan with the demand of them
// all (Share): a light schedule beside a busy one is stretched as much as the busy one, and
// goes back on schedule when the busy one stops.
func TestSharedEndpoint(t *testing.T) {
	sh := NewShare()
	other := &loop{} // the busy account's poller: 4 requests a second asked
	sh.set(other, 4)
	lh := newLoadHarness(t, Options{Share: sh})
	for i := range 20 {
		lh.order(int64(100+i), time.Hour+time.Duration(i)*time.Minute, false) // 5 min
	}
	lh.start()
	lh.run(5 * time.Minute)
	st := lh.p.Stats()
	od := 20.0 / 300
	budget := LoadShare*DefaultRatePerSecond - 2/lh.p.sched.Balance.Seconds()
	if want := (4 + od) / budget; st.Stretch < want*0.98 || st.Stretch > want*1.02 || !lh.svc.Pace().Slowed() {
		t.Fatalf("beside a busy poller: stretch %.3f, want %.3f (pace %+v)", st.Stretch, want, lh.svc.Pace())
	}
	sh.leave(other)
	lh.run(2 * lh.p.sched.Rescan)
	if st := lh.p.Stats(); st.Stretch != 1 {
		t.Errorf("alone again: stretch %.3f", st.Stretch)
	}
	lh.stop() // a poller that stops leaves the share
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if len(sh.demand) != 0 {
		t.Errorf("%d pollers still counted after the last stopped", len(sh.demand))
	}
}
