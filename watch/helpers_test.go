package watch

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// ---- fake clock ----

type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []*fakeWaiter
}

type fakeWaiter struct {
	at      time.Time
	ch      chan time.Time
	fn      func()
	stopped bool
}

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newFakeClock() *fakeClock { return &fakeClock{now: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, &fakeWaiter{at: c.now.Add(d), ch: ch})
	return ch
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := &fakeWaiter{at: c.now.Add(d), fn: f}
	c.waiters = append(c.waiters, w)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if w.stopped || !slices.Contains(c.waiters, w) {
			return false
		}
		w.stopped = true
		return true
	}
}

// Set moves the clock to t (never back) and fires what is due, in time order. AfterFunc
// functions run synchronously, after the lock is released.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	if t.Before(c.now) {
		t = c.now
	}
	c.now = t
	sort.SliceStable(c.waiters, func(i, j int) bool { return c.waiters[i].at.Before(c.waiters[j].at) })
	var fire []*fakeWaiter
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			fire = append(fire, w)
		} else {
			keep = append(keep, w)
		}
	}
	c.waiters = keep
	c.mu.Unlock()
	for _, w := range fire {
		if w.stopped {
			continue
		}
		if w.ch != nil {
			w.ch <- w.at
		} else {
			w.fn()
		}
	}
}

func (c *fakeClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// ---- fake API ----

type call struct {
	action string
	id     int64
	at     time.Time
}

type orderStep struct {
	from time.Duration // since the order's start
	st   client.OrderStatus
}

type fakeOrder struct {
	start time.Time
	steps []orderStep
}

type fakeSMS struct {
	start     time.Time
	phone     string
	codeAfter time.Duration // 0: never
	code      string
	life      time.Duration
	noExpiry  bool // sms_status gives no expires_at
}

type fakeAPI struct {
	apiStubs
	clk *fakeClock

	mu      sync.Mutex
	orders  map[int64]*fakeOrder
	sms     map[int64]*fakeSMS
	balance client.Decimal
	calls   []call
	// fail, when set, may fail a call before it is answered.
	fail func(action string, id int64) error
}

func newFakeAPI(clk *fakeClock) *fakeAPI {
	return &fakeAPI{clk: clk, orders: map[int64]*fakeOrder{}, sms: map[int64]*fakeSMS{}, balance: client.MustDecimal("100.00")}
}

func (f *fakeAPI) begin(action string, id int64) error {
	f.mu.Lock()
	f.calls = append(f.calls, call{action, id, f.clk.Now()})
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		return fail(action, id)
	}
	return nil
}

func (f *fakeAPI) Status(_ context.Context, id int64) (*client.OrderStatus, error) {
	if err := f.begin("status", id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.orders[id]
	if o == nil {
		return nil, &client.APIError{HTTPStatus: 200, Action: "status", Message: "Order not found"}
	}
	age := f.clk.Now().Sub(o.start)
	st := o.steps[0].st
	for _, s := range o.steps {
		if age >= s.from {
			st = s.st
		}
	}
	st.Accounts = slices.Clone(st.Accounts)
	return &st, nil
}

func (f *fakeAPI) smsState(id int64) (*fakeSMS, bool, bool, error) {
	n := f.sms[id]
	if n == nil {
		return nil, false, false, &client.APIError{HTTPStatus: 200, Message: "Order not found"}
	}
	age := f.clk.Now().Sub(n.start)
	got := n.codeAfter > 0 && age >= n.codeAfter && n.codeAfter < n.life
	return n, got, age >= n.life, nil
}

func (f *fakeAPI) SMSCode(_ context.Context, id int64) (*client.SMSCode, error) {
	if err := f.begin("sms_code", id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, got, expired, err := f.smsState(id)
	if err != nil {
		return nil, err
	}
	switch {
	case got:
		return &client.SMSCode{Status: "completed", Code: n.code, SMSContent: "Your code is " + n.code}, nil
	case expired:
		return &client.SMSCode{Status: "expired"}, nil
	}
	return &client.SMSCode{Status: "waiting", Message: "Waiting for code"}, nil
}

func (f *fakeAPI) SMSStatus(_ context.Context, id int64) (*client.SMSStatus, error) {
	if err := f.begin("sms_status", id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, got, expired, err := f.smsState(id)
	if err != nil {
		return nil, err
	}
	st := &client.SMSStatus{Status: "waiting", Phone: n.phone, Charge: client.MustDecimal("0.5000"), Currency: "USD"}
	if !n.noExpiry {
		st.ExpiresAt = n.start.Add(n.life)
	}
	switch {
	case expired:
		st.Status = "expired"
	case got:
		st.Status = "code_received"
	}
	if got {
		st.Code = n.code
	}
	return st, nil
}

func (f *fakeAPI) Balance(context.Context) (*client.Balance, error) {
	if err := f.begin("balance", 0); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return &client.Balance{Balance: f.balance, Currency: "USD"}, nil
}

func (f *fakeAPI) setBalance(s string) {
	f.mu.Lock()
	f.balance = client.MustDecimal(s)
	f.mu.Unlock()
}

func (f *fakeAPI) callsOf(action string, id int64) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.action == action && (id == 0 || c.id == id) {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeAPI) allCalls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// networkErr is what the client returns when the connection fails.
func networkErr(action string) error {
	return &client.TransportError{Action: action, Err: errors.New("connection refused")}
}

// apiStubs are the calls of account.API the poller never makes: they fail.
type apiStubs struct{}

var errNotFaked = errors.New("watch test: not faked")

func (apiStubs) Lang() string { return "en" }
func (apiStubs) AllServices(context.Context, client.ServicesParams, int, func(int, int)) ([]client.Service, client.SkipReport, error) {
	return nil, client.SkipReport{}, errNotFaked
}
func (apiStubs) Shops(context.Context, int, int) (*client.ShopsPage, error) { return nil, errNotFaked }
func (apiStubs) Services(context.Context, client.ServicesParams) (*client.ServicesPage, error) {
	return nil, errNotFaked
}
func (apiStubs) Inventory(context.Context, int64) (*client.Inventory, error) { return nil, errNotFaked }
func (apiStubs) Add(context.Context, client.AddRequest) (*client.AddResult, error) {
	return nil, errNotFaked
}
func (apiStubs) FetchImage(context.Context, string) ([]byte, string, error) {
	return nil, "", errNotFaked
}
func (apiStubs) SMSCountries(context.Context) ([]client.SMSCountry, error) { return nil, errNotFaked }
func (apiStubs) SMSProjects(context.Context, string) ([]client.SMSProject, error) {
	return nil, errNotFaked
}
func (apiStubs) AddSMS(context.Context, client.AddSMSRequest) ([]client.SMSOrder, error) {
	return nil, errNotFaked
}

var (
	_ account.API = (*fakeAPI)(nil)
	_ account.API = (*slowAPI)(nil)
)

// ---- fake sinks ----

type note struct{ title, body string }

// formatted is an event the alerts wrote a notification for, and whether its secret was copied.
type formatted struct {
	ev     account.Event
	copied bool
}

type recorder struct {
	mu      sync.Mutex
	events  []account.Event
	notes   []note
	formats []formatted
}

func (r *recorder) listen(ev account.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

func (r *recorder) Notify(title, body string) {
	r.mu.Lock()
	r.notes = append(r.notes, note{title, body})
	r.mu.Unlock()
}

// format is the alerts' Format: account.DefaultText, noting which events it wrote for (the
// alerts call it only for an event they notify).
func (r *recorder) format(ev account.Event, copied bool) (string, string) {
	r.mu.Lock()
	r.formats = append(r.formats, formatted{ev, copied})
	r.mu.Unlock()
	return account.DefaultText(ev, copied)
}

func (r *recorder) eventsOf(k account.Kind) []account.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []account.Event
	for _, e := range r.events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) allEvents() []account.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (r *recorder) allNotes() []note {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.notes)
}

func (r *recorder) allFormatted() []formatted {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.formats)
}

// fakeCopier is the alerts' Copier: it records what it is given, or fails with err.
type fakeCopier struct {
	mu     sync.Mutex
	value  string
	writes []string
	err    error
}

func (c *fakeCopier) CopySecret(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.value = s
	c.writes = append(c.writes, s)
	return nil
}

func (c *fakeCopier) get() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value
}

func (c *fakeCopier) allWrites() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.writes)
}

// ---- harness: the loop on a fake clock ----

type harness struct {
	t      *testing.T
	clk    *fakeClock
	store  *cache.Store
	api    *fakeAPI
	svc    *account.Service
	p      *Poller
	rec    *recorder
	clip   *fakeCopier
	idleCh chan time.Time
	cancel context.CancelFunc
	done   chan error

	isIdle   bool
	lastWake time.Time
}

// sinks configure the service and its alerts in a harness; zero fields take the harness's own
// (DefaultSettings, the recorder, its fakeCopier).
type sinks struct {
	settings *account.Settings
	notifier account.Notifier
	format   account.Format
	copier   account.Copier
}

func newStore(t *testing.T, clk *fakeClock) *cache.Store {
	t.Helper()
	st, err := cache.OpenInMemory(cache.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newService is the service layer on store and api as the app builds it: listeners subscribed
// first (they see each event before the alerts act on it), then the alerts with s's sinks.
func newService(t testing.TB, store *cache.Store, api account.API, clk account.Clock, logf func(string, ...any), s sinks, listeners ...func(account.Event)) *account.Service {
	t.Helper()
	svc, err := account.New(account.Params{Store: store, API: api, CheckAPI: api, Clock: clk, Settings: s.settings, Logf: logf})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range listeners {
		svc.Subscribe(l)
	}
	alerts := account.NewAlerts(account.AlertParams{
		Settings: svc.Settings, Notifier: s.notifier, Copier: s.copier, Format: s.format, Clock: clk, Logf: logf,
	})
	svc.Subscribe(alerts.Handle)
	return svc
}

func newHarness(t *testing.T, opts Options) *harness { return newHarnessWith(t, opts, sinks{}) }

func newHarnessWith(t *testing.T, opts Options, s sinks) *harness {
	t.Helper()
	clk := newFakeClock()
	h := &harness{t: t, clk: clk, api: newFakeAPI(clk), rec: &recorder{}, clip: &fakeCopier{}}
	h.store = newStore(t, clk)
	h.idleCh = make(chan time.Time, 64)
	opts.Clock = clk
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	if s.notifier == nil {
		s.notifier = h.rec
	}
	if s.format == nil {
		s.format = h.rec.format
	}
	if s.copier == nil {
		s.copier = h.clip
	}
	h.svc = newService(t, h.store, h.api, clk, t.Logf, s, h.rec.listen)
	h.p = New(h.svc, opts)
	h.svc.Attach(h.p)
	h.p.hooks.idle = func(w time.Time) { h.idleCh <- w }
	return h
}

func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	h.isIdle = false
	go func() { h.done <- h.p.Run(ctx) }()
	h.t.Cleanup(h.stop)
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Errorf("Run did not return")
	}
	// Drain stale idle signals for a later start.
	for len(h.idleCh) > 0 {
		<-h.idleCh
	}
}

func (h *harness) waitIdle() time.Time {
	h.t.Helper()
	if h.isIdle {
		return h.lastWake
	}
	select {
	case w := <-h.idleCh:
		for len(h.idleCh) > 0 {
			w = <-h.idleCh
		}
		h.isIdle, h.lastWake = true, w
		return w
	case <-time.After(10 * time.Second):
		h.t.Fatalf("the loop did not go idle")
		return time.Time{}
	}
}

func (h *harness) set(t time.Time) {
	h.clk.Set(t)
	if h.isIdle && !h.lastWake.IsZero() && !t.Before(h.lastWake) {
		h.isIdle = false
	}
}

// runFor lets the loop run for d of fake time, stepping from wake-up to wake-up.
func (h *harness) runFor(d time.Duration) {
	h.t.Helper()
	target := h.clk.Now().Add(d)
	for {
		w := h.waitIdle()
		if w.IsZero() || w.After(target) {
			h.set(target)
			if !h.isIdle {
				h.waitIdle()
			}
			return
		}
		h.set(w)
	}
}

func (h *harness) kick() {
	h.t.Helper()
	h.waitIdle()
	h.isIdle = false
	h.p.Kick()
	h.waitIdle()
}

// placeOrder journals an order placed now (at the fake clock) with id and registers it with the
// fake API.
func (h *harness) placeOrder(id int64, label string, steps ...orderStep) {
	h.t.Helper()
	sp, err := h.store.BeginAdd(client.AddRequest{Service: 1, Quantity: 3}, label, client.MustDecimal("1.00"))
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.store.MarkPlaced(sp.ID, id); err != nil {
		h.t.Fatal(err)
	}
	h.api.mu.Lock()
	h.api.orders[id] = &fakeOrder{start: h.clk.Now(), steps: steps}
	h.api.mu.Unlock()
}

func (h *harness) placeSMS(id int64, phone string, codeAfter time.Duration, code string, life time.Duration) {
	h.t.Helper()
	sp, err := h.store.BeginAddSMS(client.AddSMSRequest{ProjectID: "p1", Quantity: 1}, "Telegram", client.MustDecimal("0.50"))
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.store.MarkSMSPlaced(sp.ID, []client.SMSOrder{{Order: id, Phone: phone, Country: "us", Status: "active"}}); err != nil {
		h.t.Fatal(err)
	}
	h.api.mu.Lock()
	h.api.sms[id] = &fakeSMS{start: h.clk.Now(), phone: phone, codeAfter: codeAfter, code: code, life: life}
	h.api.mu.Unlock()
}

func st(status string, accounts ...string) client.OrderStatus {
	return client.OrderStatus{Status: client.Status(status), Charge: client.MustDecimal("3.00"), Currency: "USD",
		AutoDelivery: true, EntityType: "product", Accounts: accounts, Remains: int64(3 - len(accounts))}
}

// waitFor polls cond in real time.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func gaps(cs []call) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(cs); i++ {
		out = append(out, cs[i].at.Sub(cs[i-1].at))
	}
	return out
}

func containsAny(s string, subs ...string) string {
	for _, x := range subs {
		if x != "" && strings.Contains(s, x) {
			return x
		}
	}
	return ""
}
