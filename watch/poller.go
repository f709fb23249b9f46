package watch

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
)

// ErrRunning is returned by Run when the poller is already running.
var ErrRunning = errors.New("watch: the poller is already running")

// Service is the service layer as the poller uses it: the journal's open orders and numbers,
// the checks it schedules (each stores what it finds and announces it), and the announcement
// upkeep. *account.Service implements it.
type Service interface {
	OpenOrders() ([]account.Order, error)
	OpenNumbers() ([]account.SMSNumber, error)

	CheckOrder(ctx context.Context, c account.OrderCheck) (account.CheckResult, error)
	CheckCode(ctx context.Context, id int64) (account.CheckResult, error)
	CheckNumberStatus(ctx context.Context, id int64, assumeExpired bool, last account.Fingerprint) (account.CheckResult, error)
	FinalLook(ctx context.Context, id int64, final *client.SMSStatus) (account.CheckResult, error)
	CloseNumber(id int64) (account.CheckResult, error)
	GiveUpNumber(id int64, final *client.SMSStatus) (account.CheckResult, error)
	RefreshBalance(ctx context.Context) (client.Balance, error)

	ReplayPending() error
	Unannounced() int
	RetryUnannounced() int
	SetReachable(ok bool, why error)
}

// WatchService is the service layer's watch list, as the poller checks it: a Service that
// implements it also has its watched services and products checked with inventory, every
// Schedule.Watch, at a low priority (only when no order or number is due, and never with the
// last token of the rate limit). *account.Service implements it.
type WatchService interface {
	Watches() ([]account.Watch, error)
	CheckWatch(ctx context.Context, service int64) (account.CheckResult, error)
}

// Poller schedules the checks of the open orders and SMS numbers of one account. Its methods are
// safe for concurrent use; Run is the poller itself.
type Poller struct {
	svc   Service
	opts  Options
	sched Schedule
	clock Clock
	logf  func(string, ...any)

	kick    chan struct{}
	balance chan struct{}
	running atomic.Bool
	online  atomic.Bool

	requests atomic.Int64
	failures atomic.Int64
	statsMu  sync.Mutex
	stats    Stats

	hooks testHooks
}

// testHooks let the package's tests drive the loop with a fake clock.
type testHooks struct {
	// idle is called when the loop is about to wait with nothing in flight; wake is when it
	// will wake by itself (zero: only a kick or the context can wake it).
	idle func(wake time.Time)
}

// New makes a poller that runs its checks through svc.
func New(svc Service, opts Options) *Poller {
	if opts.RatePerSecond <= 0 {
		opts.RatePerSecond = DefaultRatePerSecond
	}
	if opts.Burst <= 0 {
		opts.Burst = DefaultBurst
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = DefaultMaxInFlight
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	var sched Schedule
	if opts.Schedule != nil {
		sched = *opts.Schedule
	}
	p := &Poller{
		svc:     svc,
		opts:    opts,
		sched:   sched.filled(),
		clock:   opts.Clock,
		logf:    opts.Logf,
		kick:    make(chan struct{}, 1),
		balance: make(chan struct{}, 1),
	}
	p.online.Store(true)
	p.stats = Stats{Online: true, Rate: opts.RatePerSecond, Stretch: 1}
	return p
}

// limiter is the request limit of a run: the shared one of Options, else its own.
func (p *Poller) limiter() *rate.Limiter {
	if p.opts.Limiter != nil {
		return p.opts.Limiter
	}
	return rate.NewLimiter(rate.Limit(p.opts.RatePerSecond), p.opts.Burst)
}

// Kick makes Run read the journal again now and check what is new at once: the service calls
// it after placing an order or a number, or settling a journal entry. It never blocks.
func (p *Poller) Kick() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// BalanceSoon asks for the balance soon (a new low-balance threshold). It never blocks.
func (p *Poller) BalanceSoon() {
	select {
	case p.balance <- struct{}{}:
	default:
	}
}

// Online reports whether the API answered lately (true until it stops answering).
func (p *Poller) Online() bool { return p.online.Load() }

// Stats returns the poller's counters.
func (p *Poller) Stats() Stats {
	p.statsMu.Lock()
	s := p.stats
	p.statsMu.Unlock()
	s.Requests = p.requests.Load()
	s.Failures = p.failures.Load()
	s.Online = p.online.Load()
	s.Unmarked = p.svc.Unannounced()
	return s
}

// Run polls until ctx ends (it then returns nil, once every check in flight has returned) or
// the store is closed under it (it returns that error). Only one Run may be active at a time.
func (p *Poller) Run(ctx context.Context) error {
	if !p.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer p.running.Store(false)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l := &loop{
		p:       p,
		ctx:     ctx,
		cancel:  cancel,
		rnd:     rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		items:   map[itemKey]*item{},
		ready:   queue{ready: true},
		results: make(chan result, p.opts.MaxInFlight+1),
		limiter: p.limiter(),
		rate:    p.opts.RatePerSecond,
		stretch: 1,
	}
	p.online.Store(true)
	return l.run()
}
