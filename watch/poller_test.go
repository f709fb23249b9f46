package watch

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

func TestScheduleIntervals(t *testing.T) {
	s := DefaultSchedule()
	for _, c := range []struct {
		age    time.Duration
		manual bool
		want   time.Duration
	}{
		{0, false, 5 * time.Second},
		{59 * time.Second, false, 5 * time.Second},
		{time.Minute, false, 15 * time.Second},
		{10 * time.Minute, false, time.Minute},
		{2 * time.Hour, false, 5 * time.Minute},
		{48 * time.Hour, false, 15 * time.Minute},
		{0, true, 30 * time.Second},
		{30 * time.Minute, true, 2 * time.Minute},
		{3 * time.Hour, true, 10 * time.Minute},
		{72 * time.Hour, true, 30 * time.Minute},
	} {
		if got := s.OrderInterval(c.age, c.manual); got != c.want {
			t.Errorf("OrderInterval(%v, manual %v) = %v, want %v", c.age, c.manual, got, c.want)
		}
	}
	for _, c := range []struct{ age, want time.Duration }{
		{0, 3 * time.Second}, {3 * time.Minute, 6 * time.Second}, {15 * time.Minute, 15 * time.Second},
	} {
		if got := s.SMSInterval(c.age); got != c.want {
			t.Errorf("SMSInterval(%v) = %v, want %v", c.age, got, c.want)
		}
	}
	if got := (Schedule{}).MinInterval(); got != 3*time.Second {
		t.Errorf("MinInterval = %v", got)
	}
	// A partial schedule keeps its own fields and takes the rest from the default.
	p := Schedule{SMS: []Step{{0, time.Second}}}.filled()
	if p.SMS[0].Every != time.Second || len(p.Orders) != 5 || p.RetryBase != 2*time.Second {
		t.Errorf("filled = %+v", p)
	}
}

func TestBackoff(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 12; n++ {
		ceiling := min(2*time.Second<<(n-1), 5*time.Minute)
		for range 200 {
			d := backoff(n, 2*time.Second, 5*time.Minute, rnd)
			if d < ceiling/2 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, ceiling/2, ceiling)
			}
		}
	}
	for range 200 {
		if d := jittered(10*time.Second, 0.1, rnd); d < 9*time.Second || d > 11*time.Second {
			t.Fatalf("jittered = %v", d)
		}
	}
}

// An order: polled at once, then every 5 s; partial deliveries reach the vault at once and the
// sinks once, together (an order delivering account after account is one notification with the
// count); it is dropped when terminal.
func TestOrderLifecycle(t *testing.T) {
	h := newHarness(t, Options{})
	h.placeOrder(23501, "Gmail Account - USA",
		orderStep{0, st("Pending")},
		orderStep{10 * time.Second, st("In progress", "u1:p1")},
		orderStep{20 * time.Second, st("In progress", "u1:p1", "u2:p2")},
		orderStep{30 * time.Second, st("Completed", "u1:p1", "u2:p2", "u3:p3")},
	)
	h.start()
	h.runFor(2 * time.Minute)

	calls := h.api.callsOf("status", 23501)
	if len(calls) == 0 || !calls[0].at.Equal(epoch) {
		t.Fatalf("first status poll not at once: %v", calls)
	}
	for _, g := range gaps(calls) {
		if g < 4500*time.Millisecond || g > 5500*time.Millisecond {
			t.Errorf("gap between polls %v, want 5 s ±10%%", g)
		}
	}
	if last := calls[len(calls)-1].at.Sub(epoch); last < 30*time.Second || last > 36*time.Second {
		t.Errorf("last poll at +%v: want it soon after the order completed (+30 s), then none", last)
	}
	d, err := h.store.Deliveries(23501)
	if err != nil || len(d) != 3 {
		t.Fatalf("vault: %v, %v", d, err)
	}
	delivered := h.rec.eventsOf(account.KindDelivered)
	var got []string
	for _, e := range delivered {
		if e.Count != len(e.Deliveries) {
			t.Errorf("event %v: count %d but %d deliveries", e, e.Count, len(e.Deliveries))
		}
		for _, x := range e.Deliveries {
			got = append(got, x.Value)
		}
	}
	if strings.Join(got, ",") != "u1:p1,u2:p2,u3:p3" {
		t.Errorf("delivered to listeners: %v", got)
	}
	statuses := h.rec.eventsOf(account.KindStatusChanged)
	var seq []string
	for _, e := range statuses {
		seq = append(seq, e.Status)
	}
	if strings.Join(seq, ",") != "Pending,In progress,Completed" {
		t.Errorf("status events %v", seq)
	}
	if !statuses[2].Terminal || statuses[0].Label != "Gmail Account - USA" {
		t.Errorf("status event %+v", statuses[2])
	}
	if len(delivered) != 1 || delivered[0].Count != 3 {
		t.Errorf("delivery events %v, want one of 3 accounts", delivered)
	}
	// Notifications: one for the delivery, which says Completed; none for the statuses.
	notes := h.rec.allNotes()
	if len(notes) != 1 || !strings.Contains(notes[0].title, "3 accounts delivered") {
		t.Fatalf("notifications %v", notes)
	}
	for _, n := range notes {
		if x := containsAny(n.title+n.body, "u1", "p1", "u2", "p2", "u3", "p3"); x != "" {
			t.Errorf("notification %q shows a credential (%q)", n, x)
		}
	}
	if !strings.Contains(notes[0].body, "Completed") {
		t.Errorf("the notification %q should tell the order completed", notes[0])
	}
	// Credentials are not auto-copied by default.
	if w := h.clip.allWrites(); len(w) != 0 {
		t.Errorf("clipboard writes %q", w)
	}
	if s := h.p.Stats(); s.Orders != 0 {
		t.Errorf("still tracking %d orders", s.Orders)
	}
	pending, _ := h.store.PendingEvents()
	if len(pending) != 0 {
		t.Errorf("pending events left: %v", pending)
	}
}

// An order that stalls part-way: the accounts it delivered are announced once they have waited
// cache.DeliveryHold, though its status no longer changes; the rest when it completes.
func TestStalledDeliveryAnnouncedAfterTheHold(t *testing.T) {
	h := newHarness(t, Options{})
	h.placeOrder(23501, "Gmail Account - USA",
		orderStep{0, st("In progress", "u1:p1")},
		orderStep{3 * time.Minute, st("Completed", "u1:p1", "u2:p2")},
	)
	h.start()
	h.runFor(5 * time.Minute)
	delivered := h.rec.eventsOf(account.KindDelivered)
	if len(delivered) != 2 || delivered[0].Count != 1 || delivered[1].Count != 1 {
		t.Fatalf("delivery events %v, want 1 account then 1", delivered)
	}
	if at := delivered[0].At.Sub(epoch); at < cache.DeliveryHold || at > cache.DeliveryHold+time.Minute {
		t.Errorf("the stalled account was announced at +%v, want soon after the hold (%v)", at, cache.DeliveryHold)
	}
	if d := delivered[0].Deliveries; len(d) != 1 || d[0].Value != "u1:p1" {
		t.Errorf("first delivery %v", d)
	}
	if d := delivered[1].Deliveries; len(d) != 1 || d[0].Value != "u2:p2" {
		t.Errorf("second delivery %v", d)
	}
}

// An SMS number: sms_status first, sms_code every 3 s, the code copied, the notification
// masked (and saying it was copied), the number closed.
func TestSMSCode(t *testing.T) {
	h := newHarness(t, Options{})
	h.placeSMS(30001, "+15550001", 20*time.Second, "482915", 20*time.Minute)
	h.start()
	h.runFor(25 * time.Second)

	all := h.api.allCalls()
	if len(all) < 2 || all[0].action != "sms_status" && all[1].action != "sms_status" {
		t.Fatalf("calls %v", all)
	}
	codes := h.api.callsOf("sms_code", 30001)
	for _, g := range gaps(codes) {
		if g < 2700*time.Millisecond || g > 3300*time.Millisecond {
			t.Errorf("sms_code gap %v, want 3 s ±10%%", g)
		}
	}
	if n := len(codes); n < 6 || n > 9 {
		t.Errorf("%d sms_code calls in 20 s", n)
	}
	ev := h.rec.eventsOf(account.KindCodeReceived)
	if len(ev) != 1 || len(ev[0].Deliveries) != 1 || ev[0].Deliveries[0].Value != "482915" || ev[0].Phone != "+15550001" {
		t.Fatalf("code events %+v", ev)
	}
	// The alerts copy in the listener, before the loop goes idle.
	if got := h.clip.allWrites(); len(got) != 1 || got[0] != "482915" {
		t.Fatalf("clipboard writes %q, want the code once", got)
	}
	if f := h.rec.allFormatted(); len(f) != 1 || f[0].ev.ID != ev[0].ID || !f[0].copied {
		t.Fatalf("notified %+v: want the code's event, copied", f)
	}
	notes := h.rec.allNotes()
	if len(notes) != 1 || strings.Contains(notes[0].title+notes[0].body, "482915") || !strings.Contains(notes[0].body, "Copied") {
		t.Fatalf("notifications %q: want one, without the code, saying it was copied", notes)
	}
	n, _ := h.store.SMSNumber(30001)
	if !n.Closed || n.Codes != 1 {
		t.Errorf("number %+v", n)
	}
	before := len(h.api.allCalls())
	h.runFor(40 * time.Second)
	if after := len(h.api.allCalls()); after-before > 1 { // at most the balance
		t.Errorf("%d more calls after the code", after-before)
	}
	if w := h.clip.allWrites(); len(w) != 1 {
		t.Errorf("clipboard writes %q after the code: want none more", w)
	}
}

// The copy failed: the notification does not say "Copied".
func TestSMSCodeCopyFails(t *testing.T) {
	h := newHarness(t, Options{})
	h.clip.err = errors.New("no clipboard")
	h.placeSMS(30006, "+15550006", 4*time.Second, "550011", 20*time.Minute)
	h.start()
	h.runFor(10 * time.Second)
	if len(h.rec.eventsOf(account.KindCodeReceived)) != 1 {
		t.Fatalf("code events %+v", h.rec.allEvents())
	}
	notes := h.rec.allNotes()
	if len(notes) != 1 || strings.Contains(notes[0].body, "Copied") || strings.Contains(notes[0].title+notes[0].body, "550011") {
		t.Fatalf("notifications %q: want one, not saying copied, without the code", notes)
	}
	if f := h.rec.allFormatted(); len(f) != 1 || f[0].copied {
		t.Errorf("formatted %+v: want copied false", f)
	}
}

func TestSMSCodeShownWhenAsked(t *testing.T) {
	s := account.DefaultSettings()
	s.ShowCodeInNotification = true
	s.AutoCopyCodes = false
	h := newHarnessWith(t, Options{}, sinks{settings: &s})
	h.placeSMS(30002, "+15550002", 4*time.Second, "771100", 20*time.Minute)
	h.start()
	h.runFor(10 * time.Second)
	notes := h.rec.allNotes()
	if len(notes) != 1 || !strings.Contains(notes[0].body, "771100") {
		t.Fatalf("notifications %q: want the code shown", notes)
	}
	if w := h.clip.allWrites(); len(w) != 0 {
		t.Errorf("copied %q with AutoCopyCodes off", w)
	}
}

// A number that never gets a code: one last look after expires_at, "number expired" once, closed.
func TestSMSExpired(t *testing.T) {
	h := newHarness(t, Options{})
	h.placeSMS(30003, "+15550003", 0, "", 3*time.Minute)
	h.start()
	h.runFor(5 * time.Minute)
	exp := h.rec.eventsOf(account.KindNumberExpired)
	if len(exp) != 1 || exp[0].Phone != "+15550003" {
		t.Fatalf("expired events %+v", exp)
	}
	n, _ := h.store.SMSNumber(30003)
	if !n.Closed || n.Status != "expired" {
		t.Errorf("number %+v", n)
	}
	codes := h.api.callsOf("sms_code", 30003)
	last := codes[len(codes)-1].at.Sub(epoch)
	if last < 3*time.Minute || last > 3*time.Minute+10*time.Second {
		t.Errorf("last sms_code at +%v, want just after the expiry", last)
	}
	// 2 min at 3 s, 1 min at 6 s, the last look: about 40 + 10 + 1.
	if len(codes) > 60 {
		t.Errorf("%d sms_code calls", len(codes))
	}
	notes := h.rec.allNotes()
	if len(notes) != 1 || notes[0].title != "Number expired" {
		t.Errorf("notifications %q", notes)
	}
}

// The server gives no expiry: the assumed lifetime (20 min) ends it.
func TestSMSAssumedLifetime(t *testing.T) {
	h := newHarness(t, Options{})
	h.placeSMS(30004, "+15550004", 0, "", 21*time.Minute)
	h.api.sms[30004].noExpiry = true
	h.start()
	h.runFor(21 * time.Minute)
	if len(h.rec.eventsOf(account.KindNumberExpired)) != 1 {
		t.Fatalf("no expiry after the assumed lifetime")
	}
	// A code that came just before the end is still caught by the last look.
	h2 := newHarness(t, Options{Schedule: &Schedule{SMS: []Step{{0, time.Hour}}}})
	h2.placeSMS(30005, "+15550005", 19*time.Minute, "123", 21*time.Minute)
	h2.api.sms[30005].noExpiry = true
	h2.start()
	h2.runFor(21 * time.Minute)
	if len(h2.rec.eventsOf(account.KindCodeReceived)) != 1 || len(h2.rec.eventsOf(account.KindNumberExpired)) != 0 {
		t.Fatalf("the last look missed the code: %+v", h2.rec.allEvents())
	}
}

// Retry-After is honoured for everything, and the rate is halved then recovers.
func TestRetryAfter(t *testing.T) {
	h := newHarness(t, Options{})
	h.placeOrder(1, "x", orderStep{0, st("Pending")})
	h.placeOrder(2, "y", orderStep{0, st("Pending")})
	var once atomic.Bool
	h.api.fail = func(action string, id int64) error {
		if action == "status" && once.CompareAndSwap(false, true) {
			return &client.RateLimitError{Action: action, HTTPStatus: 429, RetryAfter: 7 * time.Second}
		}
		return nil
	}
	h.start()
	h.runFor(30 * time.Second)
	all := h.api.allCalls()
	var first time.Time
	for i, c := range all {
		if i == 0 {
			first = c.at
			continue
		}
		if c.at.Before(first.Add(7*time.Second)) && c.at.After(first) {
			t.Errorf("call %v during the Retry-After pause", c)
		}
	}
	if h.p.Stats().Rate >= DefaultRatePerSecond {
		t.Errorf("rate not lowered after a 429: %v", h.p.Stats().Rate)
	}
	h.runFor(2 * time.Minute)
	if r := h.p.Stats().Rate; r != DefaultRatePerSecond {
		t.Errorf("rate %v did not recover", r)
	}
}

// Offline: detected after consecutive failures, shown once, probed with backoff, resumed once,
// without a storm.
func TestOfflineResume(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 100 {
		h.placeOrder(int64(100+i), "o", orderStep{0, st("Pending")})
	}
	var down atomic.Bool
	down.Store(true)
	h.api.fail = func(action string, id int64) error {
		if down.Load() {
			return networkErr(action)
		}
		return nil
	}
	h.start()
	h.runFor(5 * time.Minute)
	if n := len(h.rec.eventsOf(account.KindOffline)); n != 1 {
		t.Fatalf("%d offline events", n)
	}
	if h.p.Online() {
		t.Fatal("still online")
	}
	// While offline: one probe at a time, backing off to ProbeMax (1 min): about 3+log steps.
	calls := h.api.allCalls()
	if len(calls) > 20 {
		t.Errorf("%d calls in 5 minutes offline", len(calls))
	}
	down.Store(false)
	mark := len(calls)
	h.runFor(2 * time.Minute)
	if n := len(h.rec.eventsOf(account.KindOnline)); n != 1 {
		t.Fatalf("%d online events", n)
	}
	after := h.api.allCalls()[mark:]
	if len(after) < 100 {
		t.Fatalf("only %d calls after resuming", len(after))
	}
	// No storm: within any second, at most burst + rate requests.
	start := after[0].at
	for i := range after {
		j := i
		for j < len(after) && after[j].at.Sub(after[i].at) < time.Second {
			j++
		}
		if j-i > DefaultBurst+int(DefaultRatePerSecond) {
			t.Fatalf("%d requests within a second after resuming (from +%v)", j-i, after[i].at.Sub(start))
		}
	}
	if len(h.rec.eventsOf(account.KindOffline)) != 1 {
		t.Error("offline again")
	}
}

// The global limit and the in-flight bound, with a slow API (each request takes 30 ms) on the
// fake clock.
func TestLimits(t *testing.T) {
	clk := newFakeClock()
	store := newStore(t, clk)
	step := newStepper(clk)
	api := &slowAPI{delay: 30 * time.Millisecond, step: step}
	for i := range 50 {
		sp, _ := store.BeginAdd(client.AddRequest{Service: 1, Quantity: 1}, "", client.Decimal{})
		if _, err := store.MarkPlaced(sp.ID, int64(1000+i)); err != nil {
			t.Fatal(err)
		}
	}
	svc := newService(t, store, api, clk, t.Logf, sinks{})
	p := New(svc, Options{RatePerSecond: 40, Burst: 5, MaxInFlight: 3, Clock: step, Logf: t.Logf})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	step.run(t, p, epoch.Add(time.Second))
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if m := api.max.Load(); m > 3 || m < 2 {
		t.Errorf("max in flight %d, want 3", m)
	}
	// 1 s at 40/s plus a burst of 5: at most 45 (+1 for timing slack).
	if n := api.calls.Load(); n > 46 || n < 20 {
		t.Errorf("%d calls in 1 s at 40/s", n)
	}
	t.Logf("%d calls in 1 s, at most %d in flight", api.calls.Load(), api.max.Load())
}

// stepper moves the fake clock for a loop whose requests take time: one event at a time — the
// loop's timer, or the end of one request of the slow API — each followed until the loop has
// dealt with it and waits again. It is the poller's Clock: time is the fake clock's, After is
// the loop's timer (the loop asks for one each time before it waits, and only then).
type stepper struct {
	clk    *fakeClock
	parked chan struct{} // the loop asked for its timer: it is about to wait

	mu      sync.Mutex
	timerAt time.Time // the loop's timer (zero: none)
	timer   chan time.Time
	calls   []*slowCall // requests in flight, by arrival
}

type slowCall struct {
	end  time.Time
	done chan struct{}
}

func newStepper(clk *fakeClock) *stepper {
	return &stepper{clk: clk, parked: make(chan struct{}, 16)}
}

func (s *stepper) Now() time.Time { return s.clk.Now() }

func (s *stepper) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	s.mu.Lock()
	s.timerAt, s.timer = s.clk.Now().Add(d), ch // the loop waits on its latest timer only
	s.mu.Unlock()
	select {
	case s.parked <- struct{}{}:
	default: // cannot happen while run steps one event at a time
	}
	return ch
}

func (s *stepper) AfterFunc(d time.Duration, f func()) func() bool { return s.clk.AfterFunc(d, f) }

// request is a request of the slow API arriving: it ends d later.
func (s *stepper) request(d time.Duration) *slowCall {
	c := &slowCall{end: s.clk.Now().Add(d), done: make(chan struct{})}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	return c
}

func (s *stepper) inFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// run steps until the next event would come after until. The loop must be running.
func (s *stepper) run(t *testing.T, p *Poller, until time.Time) {
	t.Helper()
	for {
		select {
		case <-s.parked:
		case <-time.After(10 * time.Second):
			t.Fatal("the loop did not wait again")
		}
		// Every request the loop started has reached the API (InFlight is published before the
		// loop asks for its timer).
		want := p.Stats().InFlight
		waitFor(t, "the requests started to arrive", 10*time.Second, func() bool { return s.inFlight() == want })

		s.mu.Lock()
		// The earliest event; a request before the timer of the same instant.
		next, call := s.timerAt, -1
		for i, c := range s.calls {
			switch {
			case call >= 0 && !c.end.Before(next):
			case call < 0 && !next.IsZero() && c.end.After(next):
			default:
				next, call = c.end, i
			}
		}
		if next.IsZero() || next.After(until) {
			s.mu.Unlock()
			return
		}
		s.clk.Set(next)
		if call >= 0 {
			close(s.calls[call].done)
			s.calls = slices.Delete(s.calls, call, call+1)
		} else {
			s.timer <- next
			s.timerAt, s.timer = time.Time{}, nil
		}
		s.mu.Unlock()
	}
}

// slowAPI answers every request after delay on the stepper's clock, counting those in flight.
type slowAPI struct {
	apiStubs
	delay    time.Duration
	step     *stepper
	inflight atomic.Int32
	max      atomic.Int32
	calls    atomic.Int32
}

func (a *slowAPI) enter(ctx context.Context) error {
	a.calls.Add(1)
	n := a.inflight.Add(1)
	defer a.inflight.Add(-1)
	for {
		m := a.max.Load()
		if n <= m || a.max.CompareAndSwap(m, n) {
			break
		}
	}
	c := a.step.request(a.delay)
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *slowAPI) Status(ctx context.Context, _ int64) (*client.OrderStatus, error) {
	if err := a.enter(ctx); err != nil {
		return nil, err
	}
	s := st("Pending")
	return &s, nil
}
func (a *slowAPI) SMSCode(ctx context.Context, _ int64) (*client.SMSCode, error) {
	if err := a.enter(ctx); err != nil {
		return nil, err
	}
	return &client.SMSCode{Status: "waiting"}, nil
}
func (a *slowAPI) SMSStatus(ctx context.Context, _ int64) (*client.SMSStatus, error) {
	if err := a.enter(ctx); err != nil {
		return nil, err
	}
	return &client.SMSStatus{Status: "waiting"}, nil
}
func (a *slowAPI) Balance(ctx context.Context) (*client.Balance, error) {
	if err := a.enter(ctx); err != nil {
		return nil, err
	}
	return &client.Balance{Balance: client.MustDecimal("1.00"), Currency: "USD"}, nil
}

// Low balance: once per episode below the threshold, across restarts too.
func TestLowBalance(t *testing.T) {
	s := account.DefaultSettings()
	s.LowBalance = client.MustDecimal("10.00")
	h := newHarnessWith(t, Options{Schedule: &Schedule{Balance: 10 * time.Second}}, sinks{settings: &s})
	h.api.setBalance("20.00")
	h.start()
	h.runFor(15 * time.Second)
	step := func(bal string, want int) {
		t.Helper()
		h.api.setBalance(bal)
		h.runFor(25 * time.Second)
		if n := len(h.rec.eventsOf(account.KindLowBalance)); n != want {
			t.Fatalf("balance %s: %d low-balance events, want %d", bal, n, want)
		}
	}
	step("20.00", 0)
	step("5.00", 1)
	step("5.00", 1)
	step("4.00", 1)
	step("15.00", 1)
	step("3.00", 2)
	ev := h.rec.eventsOf(account.KindLowBalance)[1]
	if ev.Balance.String() != "3.00" || ev.Threshold.String() != "10.00" || ev.Currency != "USD" {
		t.Errorf("event %+v", ev)
	}
	notes := h.rec.allNotes()
	if len(notes) != 2 || !strings.Contains(notes[1].body, "3.00 USD") {
		t.Errorf("notes %q", notes)
	}
	// A restart in the same episode: nothing new.
	h.stop()
	h.start()
	h.runFor(30 * time.Second)
	if n := len(h.rec.eventsOf(account.KindLowBalance)); n != 2 {
		t.Fatalf("%d low-balance events after a restart", n)
	}
	// Balance events reach listeners.
	if len(h.rec.eventsOf(account.KindBalance)) == 0 {
		t.Error("no balance events")
	}
	// A new threshold applies at once.
	s.LowBalance = client.MustDecimal("50.00")
	h.api.setBalance("30.00")
	h.svc.SetSettings(s) // the service asks the poller for the balance soon
	h.isIdle = false
	h.runFor(time.Second)
	if n := len(h.rec.eventsOf(account.KindLowBalance)); n != 3 {
		t.Fatalf("%d low-balance events after raising the threshold", n)
	}
}

// Events stored but never marked (the app stopped first) are handed out once at the next start.
func TestReplayPending(t *testing.T) {
	h := newHarness(t, Options{})
	h.placeOrder(777, "Steam", orderStep{0, st("Completed", "a:1", "b:2")})
	up, err := h.store.RecordOrderStatus(777, st("Completed", "a:1", "b:2"))
	if err != nil || len(up.Events) != 2 {
		t.Fatal(up, err)
	}
	h.start()
	h.runFor(time.Second)
	d := h.rec.eventsOf(account.KindDelivered)
	if len(d) != 1 || !d[0].Replayed || len(d[0].Deliveries) != 2 || d[0].Deliveries[1].Value != "b:2" {
		t.Fatalf("replayed deliveries %+v", d)
	}
	if len(h.rec.allNotes()) != 1 {
		t.Errorf("notes %v", h.rec.allNotes())
	}
	h.stop()
	h.start()
	h.runFor(time.Second)
	if len(h.rec.eventsOf(account.KindDelivered)) != 1 || len(h.rec.allNotes()) != 1 {
		t.Error("replayed twice")
	}
}

// An unconfirmed journal entry whose order id is known is polled, and settled once it answers.
func TestUnconfirmedResumed(t *testing.T) {
	h := newHarness(t, Options{})
	sp, err := h.store.BeginAdd(client.AddRequest{Service: 2, Quantity: 1}, "Gmail", client.MustDecimal("25.00"))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.MarkUnconfirmed(sp.ID, "answer lost", 4242); err != nil {
		t.Fatal(err)
	}
	h.api.orders[4242] = &fakeOrder{start: epoch, steps: []orderStep{{0, st("Completed", "x:y")}}}
	h.start()
	h.runFor(time.Second)
	if d, _ := h.store.Deliveries(4242); len(d) != 1 {
		t.Fatalf("vault %v", d)
	}
	sp, _ = h.store.Spend(sp.ID)
	if sp.State != cache.SpendPlaced {
		t.Errorf("journal entry %s, want placed", sp.State)
	}
}

// A restart with many orders last checked long ago spreads their polls instead of sending them
// all at once; a Kick polls a new order at once.
func TestRestartSpreadAndKick(t *testing.T) {
	h := newHarness(t, Options{RatePerSecond: 1000, Burst: 1000, MaxInFlight: 100})
	for i := range 200 {
		id := int64(5000 + i)
		h.placeOrder(id, "o", orderStep{0, st("In progress")})
		if _, err := h.store.RecordOrderStatus(id, st("In progress")); err != nil {
			t.Fatal(err)
		}
	}
	h.set(epoch.Add(3 * time.Hour)) // the app was closed for 3 hours: all overdue
	h.start()
	h.runFor(time.Second)
	if n := len(h.api.callsOf("status", 0)); n > 30 {
		t.Errorf("%d of 200 overdue orders polled in the first second, want them spread over 30 s", n)
	}
	h.runFor(40 * time.Second)
	if n := len(h.api.callsOf("status", 0)); n < 200 {
		t.Errorf("only %d polled in 41 s", n)
	}
	h.placeOrder(9999, "new", orderStep{0, st("Pending")})
	now := h.clk.Now()
	h.kick()
	c := h.api.callsOf("status", 9999)
	if len(c) != 1 || !c[0].at.Equal(now) {
		t.Errorf("new order not polled at once after Kick: %v", c)
	}
}

// "Order not found" backs off to long intervals; other errors back off exponentially but never
// below the regular interval.
func TestErrorBackoff(t *testing.T) {
	h := newHarness(t, Options{})
	sp, _ := h.store.BeginAdd(client.AddRequest{Service: 1, Quantity: 1}, "", client.Decimal{})
	if _, err := h.store.MarkPlaced(sp.ID, 31337); err != nil {
		t.Fatal(err)
	}
	h.placeOrder(2, "x", orderStep{0, st("Pending")})
	h.api.fail = func(action string, id int64) error {
		if id == 2 {
			return &client.TransportError{Action: action, HTTPStatus: 502, Err: client.ErrNotJSON}
		}
		return nil
	}
	h.start()
	h.runFor(2 * time.Hour)
	nf := h.api.callsOf("status", 31337)
	g := gaps(nf)
	if len(g) < 5 || g[len(g)-1] < 15*time.Minute {
		t.Errorf("not-found gaps %v", g)
	}
	bad := gaps(h.api.callsOf("status", 2))
	for i, d := range bad {
		if d < 4500*time.Millisecond {
			t.Errorf("retry %d after %v: sooner than the regular interval", i, d)
		}
	}
	if last := bad[len(bad)-1]; last < 2*time.Minute || last > 5*time.Minute+time.Second {
		t.Errorf("backoff reached %v, want up to 5 min", last)
	}
	if !h.p.Online() {
		t.Error("one failing order must not make the poller offline")
	}
}

func TestSubscribeCancelAndPanics(t *testing.T) {
	h := newHarnessWith(t, Options{}, sinks{
		notifier: account.NotifierFunc(func(string, string) { panic("notifier") }),
		format:   func(account.Event, bool) (string, string) { panic("format") },
	})
	var n atomic.Int32
	cancel := h.svc.Subscribe(func(account.Event) { n.Add(1) })
	h.svc.Subscribe(func(account.Event) { panic("listener") })
	h.placeOrder(1, "x", orderStep{0, st("Completed", "a:b")})
	h.start()
	h.runFor(time.Second)
	if n.Load() == 0 {
		t.Fatal("listener not called")
	}
	cancel()
	cancel()
	before := n.Load()
	h.placeOrder(2, "x", orderStep{0, st("Completed", "c:d")})
	h.kick()
	if n.Load() != before {
		t.Error("cancelled listener called")
	}
	if len(h.rec.eventsOf(account.KindDelivered)) != 2 {
		t.Error("a panicking sink stopped the others")
	}
}

func TestRunTwice(t *testing.T) {
	h := newHarness(t, Options{})
	h.start()
	h.waitIdle()
	if err := h.p.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Run: %v", err)
	}
}

// Run stops with the store's error when the store is closed under it.
func TestStoreClosed(t *testing.T) {
	h := newHarness(t, Options{})
	h.placeOrder(1, "x", orderStep{0, st("Pending")})
	h.start()
	h.waitIdle()
	h.store.Close()
	h.isIdle = false
	h.p.Kick()
	select {
	case err := <-h.done:
		if !errors.Is(err, cache.ErrClosed) {
			t.Fatalf("Run: %v", err)
		}
		h.cancel = nil
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestEventStringRedacts(t *testing.T) {
	ev := account.Event{Kind: account.KindDelivered, Order: 1, Count: 1, Deliveries: []cache.Delivery{{Order: 1, Kind: cache.DeliveryAccount, Seq: 1, Value: "user:secretpw"}}}
	for _, s := range []string{ev.String(), ev.GoString()} {
		if strings.Contains(s, "secretpw") {
			t.Errorf("%q shows the secret", s)
		}
	}
	title, body := account.DefaultText(ev, false)
	if strings.Contains(title+body, "secretpw") || !strings.Contains(title, "1 account") {
		t.Errorf("text %q %q", title, body)
	}
}

// Under overload (more due than the rate allows) every interval is stretched by the same factor:
// the short intervals still take most of the rate, and the long ones are polled at their
// stretched interval.
func TestOverloadPrefersShortIntervals(t *testing.T) {
	h := newHarness(t, Options{RatePerSecond: 2, Burst: 1, Schedule: &Schedule{
		Orders: []Step{{0, time.Minute}}, SMS: []Step{{0, 3 * time.Second}}, Balance: time.Hour,
	}})
	for i := range 60 {
		h.placeOrder(int64(100+i), "o", orderStep{0, st("In progress")})
	}
	for i := range 30 {
		h.placeSMS(int64(1000+i), "+1555", 0, "", 24*time.Hour)
	}
	h.start()
	h.runFor(15 * time.Minute)
	sms := len(h.api.callsOf("sms_code", 0))
	orders := len(h.api.callsOf("status", 0))
	if total := len(h.api.allCalls()); total > 2*15*60+2 {
		t.Fatalf("%d calls in 15 min at 2/s", total)
	}
	// 60/min + 30/3 s = 11 requests/s asked, 0.9·2/s − 1/h allowed.
	stats := h.p.Stats()
	want := 11 / (0.9*2 - 1/3600.0)
	if math.Abs(stats.Stretch-want) > 0.01 {
		t.Errorf("stretch %.3f, want %.3f", stats.Stretch, want)
	}
	every := time.Duration(want * float64(time.Minute))
	t.Logf("%d SMS polls, %d order polls; stretch %.2f: orders every %v, numbers every %v", sms, orders, stats.Stretch, stats.OrderEvery, stats.NumberEvery)
	if stats.OrderEvery.Round(time.Second) != every.Round(time.Second) {
		t.Errorf("stats say orders every %v, want %v", stats.OrderEvery, every)
	}
	if sms < 3*orders {
		t.Errorf("%d SMS polls, %d order polls: the 3 s items should get most of the rate", sms, orders)
	}
	// Placed together, the orders fall due together, and the numbers go first: each order is
	// polled by its deadline, at most one stretched interval (jittered by 10 %) after it fell due.
	var worst, worstSMS time.Duration
	for i := range 60 {
		g := gaps(h.api.callsOf("status", int64(100+i)))
		if len(g) < 2 {
			t.Fatalf("order %d polled %d times in 15 min", 100+i, len(g)+1)
		}
		worst = max(worst, slices.Max(g))
	}
	for i := range 30 {
		g := gaps(h.api.callsOf("sms_code", int64(1000+i)))
		worstSMS = max(worstSMS, slices.Max(g))
	}
	nEvery := every * 3 / 60 // 3 s where an order has 1 min
	t.Logf("the longest wait between two polls: %v of an order (stretched interval %v), %v of a number (%v)", worst, every, worstSMS, nEvery)
	if worst > every*11/10*2 {
		t.Errorf("an order waited %v between polls (stretched interval %v)", worst, every)
	}
	if worstSMS > nEvery*11/10*2 {
		t.Errorf("a number waited %v between polls (stretched interval %v)", worstSMS, nEvery)
	}
}

func TestAutoCopyCredentials(t *testing.T) {
	s := account.DefaultSettings()
	s.AutoCopyCredentials = true
	h := newHarnessWith(t, Options{}, sinks{settings: &s})
	h.placeOrder(1, "x", orderStep{0, st("Completed", "a@b.c:pw1", "d@e.f:pw2")})
	h.start()
	h.runFor(time.Second)
	if got := h.clip.get(); got != "a@b.c:pw1\nd@e.f:pw2" {
		t.Fatalf("clipboard %q: want the credentials, one per line", got)
	}
	if n := h.rec.allNotes(); len(n) != 1 || strings.Contains(n[0].title+n[0].body, "pw") || !strings.Contains(n[0].body, "Copied") {
		t.Errorf("notes %q", n)
	}
	h.runFor(31 * time.Second)
	if w := h.clip.allWrites(); len(w) != 1 {
		t.Errorf("clipboard writes %q: want the credentials once", w)
	}
}
