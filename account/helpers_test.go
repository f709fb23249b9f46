package account

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// fakeClock is a Clock that moves only when the test says so.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 14, 12, 0, 0, 0, time.Local)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) After(time.Duration) <-chan time.Time { return make(chan time.Time) }

func (c *fakeClock) AfterFunc(time.Duration, func()) func() bool { return func() bool { return true } }

// fakeAPI implements API; every method calls its function if set, else fails. Calls are counted
// per method.
type fakeAPI struct {
	mu    sync.Mutex
	calls map[string]int

	add       func(client.AddRequest) (*client.AddResult, error)
	addSMS    func(client.AddSMSRequest) ([]client.SMSOrder, error)
	status    func(int64) (*client.OrderStatus, error)
	smsCode   func(int64) (*client.SMSCode, error)
	smsStatus func(int64) (*client.SMSStatus, error)
	balance   func() (*client.Balance, error)
}

var errNotFaked = errors.New("fakeAPI: not faked")

func (f *fakeAPI) count(m string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[m]++
}

func (f *fakeAPI) n(m string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[m]
}

func (f *fakeAPI) Lang() string { return "en" }

func (f *fakeAPI) Balance(context.Context) (*client.Balance, error) {
	f.count("balance")
	if f.balance == nil {
		return nil, errNotFaked
	}
	return f.balance()
}

func (f *fakeAPI) AllServices(context.Context, client.ServicesParams, int, func(int, int)) ([]client.Service, client.SkipReport, error) {
	f.count("services")
	return nil, client.SkipReport{}, errNotFaked
}

func (f *fakeAPI) Shops(context.Context, int, int) (*client.ShopsPage, error) {
	f.count("shops")
	return nil, errNotFaked
}

func (f *fakeAPI) Services(context.Context, client.ServicesParams) (*client.ServicesPage, error) {
	f.count("services")
	return nil, errNotFaked
}

func (f *fakeAPI) Inventory(context.Context, int64) (*client.Inventory, error) {
	f.count("inventory")
	return nil, errNotFaked
}

func (f *fakeAPI) Add(_ context.Context, r client.AddRequest) (*client.AddResult, error) {
	f.count("add")
	if f.add == nil {
		return nil, errNotFaked
	}
	return f.add(r)
}

func (f *fakeAPI) FetchImage(context.Context, string) ([]byte, string, error) {
	f.count("image")
	return nil, "", errNotFaked
}

func (f *fakeAPI) Status(_ context.Context, id int64) (*client.OrderStatus, error) {
	f.count("status")
	if f.status == nil {
		return nil, errNotFaked
	}
	return f.status(id)
}

func (f *fakeAPI) SMSCountries(context.Context) ([]client.SMSCountry, error) {
	f.count("sms_countries")
	return nil, errNotFaked
}

func (f *fakeAPI) SMSProjects(context.Context, string) ([]client.SMSProject, error) {
	f.count("sms_projects")
	return nil, errNotFaked
}

func (f *fakeAPI) AddSMS(_ context.Context, r client.AddSMSRequest) ([]client.SMSOrder, error) {
	f.count("add_sms")
	if f.addSMS == nil {
		return nil, errNotFaked
	}
	return f.addSMS(r)
}

func (f *fakeAPI) SMSCode(_ context.Context, id int64) (*client.SMSCode, error) {
	f.count("sms_code")
	if f.smsCode == nil {
		return nil, errNotFaked
	}
	return f.smsCode(id)
}

func (f *fakeAPI) SMSStatus(_ context.Context, id int64) (*client.SMSStatus, error) {
	f.count("sms_status")
	if f.smsStatus == nil {
		return nil, errNotFaked
	}
	return f.smsStatus(id)
}

// fakeWatcher records what the service tells the poller.
type fakeWatcher struct {
	mu          sync.Mutex
	kicks, soon int
}

func (w *fakeWatcher) Kick() {
	w.mu.Lock()
	w.kicks++
	w.mu.Unlock()
}

func (w *fakeWatcher) BalanceSoon() {
	w.mu.Lock()
	w.soon++
	w.mu.Unlock()
}

func (w *fakeWatcher) counts() (kicks, soon int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.kicks, w.soon
}

// recorder is a listener that keeps every event it is handed.
type recorder struct {
	mu  sync.Mutex
	evs []Event
}

func record(s *Service) *recorder {
	r := &recorder{}
	s.Subscribe(func(ev Event) {
		r.mu.Lock()
		r.evs = append(r.evs, ev)
		r.mu.Unlock()
	})
	return r
}

func (r *recorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.evs...)
}

func (r *recorder) of(k Kind) []Event {
	var out []Event
	for _, ev := range r.all() {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}

// stored are the stored (announced-once) events received.
func (r *recorder) stored() []Event {
	var out []Event
	for _, ev := range r.all() {
		if ev.Stored() {
			out = append(out, ev)
		}
	}
	return out
}

// alertLog records, in order, what the alerts copied and notified.
type alertLog struct {
	mu      sync.Mutex
	steps   []string // "copy:<value>", "notify:<title>|<body>"
	failCpy bool
}

func (l *alertLog) CopySecret(v string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failCpy {
		l.steps = append(l.steps, "copy-failed:"+v)
		return errors.New("fake clipboard: refused")
	}
	l.steps = append(l.steps, "copy:"+v)
	return nil
}

func (l *alertLog) Notify(title, body string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.steps = append(l.steps, "notify:"+title+"|"+body)
}

func (l *alertLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.steps...)
}

func (l *alertLog) with(prefix string) []string {
	var out []string
	for _, s := range l.all() {
		if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
			out = append(out, s[len(prefix):])
		}
	}
	return out
}

func memStore(t testing.TB, clk *fakeClock) *cache.Store {
	t.Helper()
	st, err := cache.OpenInMemory(cache.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func newService(t testing.TB, st *cache.Store, api API, clk *fakeClock, settings *Settings) *Service {
	t.Helper()
	s, err := New(Params{Store: st, API: api, Clock: clk, Settings: settings, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dec(s string) client.Decimal { return client.MustDecimal(s) }

func spendState(t testing.TB, st *cache.Store, id uint64) Spend {
	t.Helper()
	sp, err := st.Spend(id)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}
