// Package account is the service layer: the one place that changes the app's state. Every call
// that spends money, asks HstockPlus about an order or a number, refreshes the balance, the
// catalog or the shops goes through a Service, which writes the local store (cache) and then
// announces what changed to its listeners: the window, the tray, the alerts (notifications and
// the clipboard). The window reads the read models it offers and asks; it never writes the store.
// The poller (watch) schedules the checks and runs them through the same operations, so a code
// found by "Check now" and one found by the poller travel the same way:
//
//	API → Service → store (synced) → event (claimed once, synced) → listeners
//
// # Exactly once
//
// What an answer brings is written by the store in one synced transaction: the status, the new
// deliveries into the vault and the events announcing them. The service then claims the events
// (marks them notified, synced) and only then hands them to the listeners. A delivery is never
// lost (it is in the vault before anybody is told); an event is never announced twice (only the
// call that claims it announces it, across crashes too); events stored but not claimed when the
// app stopped are announced once, marked Replayed, by ReplayPending. A crash in the instant
// between the claim and the listeners loses that one notification; the delivery stays in the
// vault and the window shows it.
package account

import (
	"context"
	"errors"
	"maps"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// API is what the service asks HstockPlus; *client.Client implements it.
type API interface {
	Lang() string
	Balance(ctx context.Context) (*client.Balance, error)
	AllServices(ctx context.Context, p client.ServicesParams, pageSize int, progress func(done, total int)) ([]client.Service, client.SkipReport, error)
	Shops(ctx context.Context, page, limit int) (*client.ShopsPage, error)
	Services(ctx context.Context, p client.ServicesParams) (*client.ServicesPage, error)
	Inventory(ctx context.Context, service int64) (*client.Inventory, error)
	Add(ctx context.Context, r client.AddRequest) (*client.AddResult, error)
	FetchImage(ctx context.Context, url string) ([]byte, string, error)
	Status(ctx context.Context, order int64) (*client.OrderStatus, error)
	SMSCountries(ctx context.Context) ([]client.SMSCountry, error)
	SMSProjects(ctx context.Context, country string) ([]client.SMSProject, error)
	AddSMS(ctx context.Context, r client.AddSMSRequest) ([]client.SMSOrder, error)
	SMSCode(ctx context.Context, order int64) (*client.SMSCode, error)
	SMSStatus(ctx context.Context, order int64) (*client.SMSStatus, error)
}

// Clock is the service's and the poller's source of time. Tests inject a fake one.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
	// AfterFunc calls f in its own goroutine once d has passed, unless stop is called first
	// (stop reports whether it prevented the call).
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// After is time.After.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// AfterFunc is time.AfterFunc.
func (SystemClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// Watcher is the poller as the service sees it: told when something new is to be followed, or
// when the balance is worth asking soon. *watch.Poller implements it.
type Watcher interface {
	Kick()
	BalanceSoon()
}

// Hooks let crash tests widen the windows between storing, claiming and announcing events.
type Hooks struct {
	// BeforeClaim is called with the events about to be claimed (they are stored); Claimed with
	// those claimed, before any listener sees them.
	BeforeClaim func(ids []uint64)
	Claimed     func(ids []uint64)
}

// Params are what a Service is built from.
type Params struct {
	Store *cache.Store // required
	API   API          // required
	// CheckAPI runs the checks the poller schedules (status, sms_code, sms_status, balance):
	// a client without hidden retries, so that the poller's rate limit is what the server sees
	// (watch.ClientOptions). Nil: API.
	CheckAPI API
	Clock    Clock // nil: SystemClock
	// Settings are the initial settings (nil: DefaultSettings).
	Settings *Settings
	Logf     func(format string, args ...any)
	Hooks    Hooks
	// Endpoint is the API's address, named in what the window says when it cannot be reached.
	Endpoint string
	// Features: what an earlier run learnt of the panel (see Feature); OnFeatures is told each
	// time the service learns more (to keep it), with all it knows. Any goroutine.
	Features   map[Feature]bool
	OnFeatures func(map[Feature]bool)
}

// Service is the service layer of one account (one store, one API endpoint). Its methods are
// safe for concurrent use; those that ask the API or read the store block, so the window calls
// them off its goroutine.
type Service struct {
	store *cache.Store
	api   API
	check API
	clock Clock
	logf  func(string, ...any)
	hooks Hooks

	settingsMu sync.RWMutex
	settings   Settings

	watcherMu sync.Mutex
	watcher   Watcher

	subMu  sync.Mutex
	subs   []subscriber
	subSeq uint64
	emitMu sync.Mutex // one announcement at a time, in order

	pendMu   sync.Mutex
	unmarked []batch // stored events whose claim failed: retried, no listener has seen them

	balMu   sync.Mutex
	balance *BalanceReading
	lowKey  string

	endpoint string
	whyMu    sync.Mutex
	why      string       // the last reason for being offline
	reach    atomic.Int32 // reachUnknown until the first answer or failure, then reachOnline/reachOffline

	feat features // what the panel offers (features.go)

	paceMu sync.Mutex
	pace   Pace // the poller's, as it last reported it (pace.go)
}

// Reachability of HstockPlus as the last call found it.
const (
	reachUnknown int32 = iota
	reachOnline
	reachOffline
)

type subscriber struct {
	id uint64
	fn func(Event)
}

// BalanceReading is the balance as last read, and when.
type BalanceReading struct {
	Balance client.Balance
	At      time.Time
	// Saved: read from the store (an earlier run), not from HstockPlus in this one.
	Saved bool
}

// New builds the service layer on a store and an API client.
func New(p Params) (*Service, error) {
	if p.Store == nil || p.API == nil {
		return nil, errors.New("account: a store and an API are required")
	}
	if p.Clock == nil {
		p.Clock = SystemClock{}
	}
	if p.Logf == nil {
		p.Logf = func(string, ...any) {}
	}
	settings := DefaultSettings()
	if p.Settings != nil {
		settings = *p.Settings
	}
	if p.CheckAPI == nil {
		p.CheckAPI = p.API
	}
	s := &Service{store: p.Store, api: p.API, check: p.CheckAPI, clock: p.Clock, logf: p.Logf, hooks: p.Hooks, settings: settings}
	s.endpoint = p.Endpoint
	s.feat.known, s.feat.onLearn = maps.Clone(p.Features), p.OnFeatures
	if s.feat.known == nil {
		s.feat.known = map[Feature]bool{}
	}
	if pt, err := p.Store.LastBalance(); err == nil {
		s.balance = &BalanceReading{Balance: client.Balance{Balance: pt.Balance, Currency: pt.Currency}, At: pt.At, Saved: true}
	}
	return s, nil
}

// Lang is the catalog language the API answers in (and the store keys its snapshots by).
func (s *Service) Lang() string { return s.api.Lang() }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.clock.Now() }

// Attach tells the service which poller follows its orders and numbers.
func (s *Service) Attach(w Watcher) {
	s.watcherMu.Lock()
	s.watcher = w
	s.watcherMu.Unlock()
}

func (s *Service) kick() {
	s.watcherMu.Lock()
	w := s.watcher
	s.watcherMu.Unlock()
	if w != nil {
		w.Kick()
	}
}

// Settings returns the current settings.
func (s *Service) Settings() Settings {
	s.settingsMu.RLock()
	defer s.settingsMu.RUnlock()
	return s.settings
}

// SetSettings changes the settings; they apply from the next event (a new low-balance threshold
// is checked soon: the poller is asked for the balance).
func (s *Service) SetSettings(st Settings) {
	s.settingsMu.Lock()
	old := s.settings
	s.settings = st
	s.settingsMu.Unlock()
	if old.LowBalance.Cmp(st.LowBalance.Decimal) != 0 {
		s.watcherMu.Lock()
		w := s.watcher
		s.watcherMu.Unlock()
		if w != nil {
			w.BalanceSoon()
		}
	}
}

// Subscribe adds a listener for every event; cancel removes it. Listeners are called one after
// the other, in the order they subscribed, on the goroutine that made the change; they must not
// block nor call back into the service (the window wraps its work in fyne.Do). A listener that
// panics is logged and skipped.
func (s *Service) Subscribe(fn func(Event)) (cancel func()) {
	if fn == nil {
		return func() {}
	}
	s.subMu.Lock()
	s.subSeq++
	id := s.subSeq
	s.subs = append(s.subs, subscriber{id, fn})
	s.subMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.subMu.Lock()
			defer s.subMu.Unlock()
			for i, sub := range s.subs {
				if sub.id == id {
					s.subs = append(s.subs[:i:i], s.subs[i+1:]...)
					return
				}
			}
		})
	}
}

// publish hands events to every listener, in order. The caller holds emitMu.
func (s *Service) publishLocked(evs ...Event) {
	s.subMu.Lock()
	subs := s.subs
	s.subMu.Unlock()
	for _, ev := range evs {
		for _, sub := range subs {
			func() {
				defer func() {
					if r := recover(); r != nil {
						s.logf("account: a listener panicked on %v: %v", ev, r)
					}
				}()
				sub.fn(ev)
			}()
		}
	}
}

// publish hands events that are not stored (states, journal changes) to the listeners.
func (s *Service) publish(evs ...Event) {
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	s.publishLocked(evs...)
}

// Online reports whether HstockPlus gave a valid answer to the last call (false before the
// first answer: "online" means an answer, not the absence of a failure).
func (s *Service) Online() bool { return s.reach.Load() == reachOnline }

// Endpoint is the API's address (Params.Endpoint).
func (s *Service) Endpoint() string { return s.endpoint }

// SetReachable records whether HstockPlus answers. The service calls it after every call it
// makes (observe); the poller when it goes offline or comes back. A change is announced
// (KindOffline with why, KindOnline).
func (s *Service) SetReachable(ok bool, why error) {
	to := reachOnline
	if !ok {
		to = reachOffline
	}
	s.whyMu.Lock()
	why0 := s.why
	s.why = reasonKey(why)
	s.whyMu.Unlock()
	// A change is announced; so is a new reason for being offline (a refused connection after a
	// 502 page).
	if s.reach.Swap(to) == to && (ok || why0 == s.whyText()) {
		return
	}
	ev := Event{Kind: KindOnline, At: s.clock.Now()}
	if !ok {
		ev.Kind, ev.Err = KindOffline, why
	}
	s.publish(ev)
}

// reasonKey tells two reasons for being offline apart by what the user is told (the HTTP status,
// the root cause), not by which call met them.
func reasonKey(err error) string {
	if err == nil {
		return ""
	}
	var te *client.TransportError
	status := 0
	if errors.As(err, &te) {
		status = te.HTTPStatus
	}
	root := err
	for {
		next := errors.Unwrap(root)
		if next == nil {
			break
		}
		root = next
	}
	return strconv.Itoa(status) + " " + root.Error()
}

func (s *Service) whyText() string {
	s.whyMu.Lock()
	defer s.whyMu.Unlock()
	return s.why
}

// observe records what a call to HstockPlus says about its reachability: any answer — an API
// error included — means it is there; a failure to get one (network, timeout, a 5xx or a page
// that is not the API's) means it is not. Other errors (the store, a cancelled call) say nothing.
func (s *Service) observe(err error) {
	switch {
	case err == nil:
		s.SetReachable(true, nil)
	case errors.Is(err, context.Canceled), errors.Is(err, ErrEmptyAnswer):
	case isAnswer(err):
		s.SetReachable(true, nil)
	case isUnreachable(err):
		s.SetReachable(false, err)
	}
}

// isAnswer: the API answered (with a refusal, a rate limit…).
func isAnswer(err error) bool {
	var ae *client.APIError
	var rl *client.RateLimitError
	return errors.As(err, &ae) || errors.As(err, &rl)
}

// isUnreachable: no valid answer came (network, deadline, a 5xx, an HTML page).
func isUnreachable(err error) bool {
	var te *client.TransportError
	if errors.As(err, &te) {
		return !errors.Is(err, client.ErrInvalidArgument)
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne)
}

// Balance is the balance as last read (from HstockPlus in this run, else the store's last),
// without asking. ok is false when none was ever read.
func (s *Service) Balance() (r BalanceReading, ok bool) {
	s.balMu.Lock()
	defer s.balMu.Unlock()
	if s.balance == nil {
		return BalanceReading{}, false
	}
	return *s.balance, true
}

// Currency is the account currency as last seen; HstockPlus accounts are in USD.
func (s *Service) Currency() string {
	if b, ok := s.Balance(); ok && b.Balance.Currency != "" {
		return b.Balance.Currency
	}
	return "USD"
}
