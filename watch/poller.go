package watch

import (
	"container/heap"
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// ErrRunning is returned by Run when the poller is already running.
var ErrRunning = errors.New("watch: the poller is already running")

// Poller tracks the open orders and SMS numbers of a store. Its methods are safe for concurrent
// use; Run is the poller itself.
type Poller struct {
	store *cache.Store
	api   API
	opts  Options
	sched Schedule
	clock Clock
	logf  func(string, ...any)
	clip  *clipper

	settingsMu sync.RWMutex
	settings   Settings

	kick      chan struct{}
	settingCh chan struct{}
	running   atomic.Bool
	online    atomic.Bool

	subMu  sync.Mutex
	subs   map[uint64]func(Event)
	subSeq uint64

	requests atomic.Int64
	failures atomic.Int64
	statsMu  sync.Mutex
	stats    Stats

	hooks testHooks
}

// testHooks let the package's tests drive the loop with a fake clock and watch the marks.
type testHooks struct {
	// idle is called when the loop is about to wait with nothing in flight; wake is when it
	// will wake by itself (zero: only a kick or the context can wake it).
	idle func(wake time.Time)
	// beforeMark is called before events are marked notified (they are stored); marked after
	// they were marked and before any sink sees them.
	beforeMark func(ids []uint64)
	marked     func(ids []uint64)
}

// New makes a poller for the orders and numbers of store, asking api.
func New(store *cache.Store, api API, opts Options) *Poller {
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
	if opts.Format == nil {
		opts.Format = DefaultText
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
	settings := DefaultSettings()
	if opts.Settings != nil {
		settings = *opts.Settings
	}
	p := &Poller{
		store:     store,
		api:       api,
		opts:      opts,
		sched:     sched.filled(),
		clock:     opts.Clock,
		logf:      opts.Logf,
		settings:  settings,
		kick:      make(chan struct{}, 1),
		settingCh: make(chan struct{}, 1),
		subs:      map[uint64]func(Event){},
	}
	p.clip = &clipper{cb: opts.Clipboard, clock: opts.Clock, logf: opts.Logf}
	p.online.Store(true)
	p.stats = Stats{Online: true, Rate: opts.RatePerSecond}
	return p
}

// Kick makes Run read the journal again now and poll what is new at once: call it after placing
// an order or a number (or settling an unconfirmed entry). It never blocks.
func (p *Poller) Kick() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Subscribe adds a listener for every event; cancel removes it. Listeners are called one after
// the other on the poller's goroutine and must not block (the GUI wraps its work in fyne.Do).
// A listener that panics is logged and skipped.
func (p *Poller) Subscribe(fn func(Event)) (cancel func()) {
	if fn == nil {
		return func() {}
	}
	p.subMu.Lock()
	p.subSeq++
	id := p.subSeq
	p.subs[id] = fn
	p.subMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			p.subMu.Lock()
			delete(p.subs, id)
			p.subMu.Unlock()
		})
	}
}

// Online reports whether the API answered lately (true until it stops answering).
func (p *Poller) Online() bool { return p.online.Load() }

// Settings returns the current settings.
func (p *Poller) Settings() Settings {
	p.settingsMu.RLock()
	defer p.settingsMu.RUnlock()
	return p.settings
}

// SetSettings changes the settings; they apply from the next event (a new low-balance threshold
// is checked at once).
func (p *Poller) SetSettings(s Settings) {
	p.settingsMu.Lock()
	p.settings = s
	p.settingsMu.Unlock()
	select {
	case p.settingCh <- struct{}{}:
	default:
	}
}

// CopySecret puts value on the clipboard and clears it after Settings.ClearAfter if the
// clipboard still holds it then: the one-click copy of the GUI.
func (p *Poller) CopySecret(value string) error {
	return p.clip.copy(value, p.Settings().ClearAfter)
}

// ClearSecret clears the last secret the poller or CopySecret copied, now, if the clipboard
// still holds it. Call it when the app quits.
func (p *Poller) ClearSecret() { p.clip.clearNow() }

// Stats returns the poller's counters.
func (p *Poller) Stats() Stats {
	p.statsMu.Lock()
	s := p.stats
	p.statsMu.Unlock()
	s.Requests = p.requests.Load()
	s.Failures = p.failures.Load()
	s.Online = p.online.Load()
	return s
}

// emit hands ev to every listener.
func (p *Poller) emit(ev Event) {
	p.subMu.Lock()
	fns := make([]func(Event), 0, len(p.subs))
	ids := make([]uint64, 0, len(p.subs))
	for id := range p.subs {
		ids = append(ids, id)
	}
	sortU64(ids)
	for _, id := range ids {
		fns = append(fns, p.subs[id])
	}
	p.subMu.Unlock()
	for _, fn := range fns {
		func() {
			defer func() {
				if r := recover(); r != nil {
					p.logf("watch: a listener panicked on %v: %v", ev, r)
				}
			}()
			fn(ev)
		}()
	}
}

func sortU64(s []uint64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// ---- the loop ----

type itemKind uint8

const (
	kindOrder itemKind = iota + 1
	kindSMS
	kindBalance
)

type itemKey struct {
	kind itemKind
	id   int64
}

// item is one tracked order, SMS number, or the balance. Only the loop touches it.
type item struct {
	kind     itemKind
	id       int64
	due      time.Time
	deadline time.Time // due + interval: the order among items due
	prio     bool      // poll before anything else that is due (new, or a follow-up)
	index    int       // position in its queue, -1 when not queued
	ready    bool      // in the ready queue (due), not the waiting one
	busy     bool      // a request is in flight
	gone     bool      // no longer open in the store: drop when the request returns

	placedAt  time.Time
	changedAt time.Time // last status change or delivery seen by this run
	manual    bool
	unconf    bool
	spendID   uint64
	fp        [32]byte // fingerprint of the last answer stored
	failures  int

	// SMS numbers.
	expiresAt  time.Time
	needStatus bool              // ask sms_status next (first look, or the last one)
	final      *client.SMSStatus // it expired without a code: last sms_code look, then close
	closeOnly  bool              // its code is stored: just close it
}

// queue is a heap of items. The waiting queue orders them by due time; the ready queue (items
// due) by priority, then deadline (due + interval): when more is due than the rate allows, the
// item with the shortest interval (an SMS number waiting for its code) goes before one polled
// every 15 minutes, which is then at most about one interval late.
type queue struct {
	items []*item
	ready bool
}

func (q *queue) Len() int { return len(q.items) }
func (q *queue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	if q.ready {
		if a.prio != b.prio {
			return a.prio
		}
		if !a.deadline.Equal(b.deadline) {
			return a.deadline.Before(b.deadline)
		}
	}
	return a.due.Before(b.due)
}
func (q *queue) Swap(i, j int) {
	q.items[i], q.items[j] = q.items[j], q.items[i]
	q.items[i].index, q.items[j].index = i, j
}
func (q *queue) Push(x any) {
	it := x.(*item)
	it.index, it.ready = len(q.items), q.ready
	q.items = append(q.items, it)
}
func (q *queue) Pop() any {
	n := len(q.items)
	it := q.items[n-1]
	q.items[n-1] = nil
	it.index = -1
	q.items = q.items[:n-1]
	return it
}

type loop struct {
	p      *Poller
	ctx    context.Context
	cancel context.CancelFunc
	fatal  error
	rnd    *rand.Rand

	items    map[itemKey]*item
	wait     queue // by due
	ready    queue // due, by priority and deadline
	balance  *item
	orders   int
	numbers  int
	inFlight int
	results  chan result

	limiter    *rate.Limiter
	rate       float64
	last429    time.Time
	lastRaise  time.Time
	pauseUntil time.Time

	offline    bool
	failStreak int
	probing    bool
	probes     int
	probeAt    time.Time

	rescanAt  time.Time
	unmarked  []batch // stored events whose mark failed: retried, no sink has seen them
	markRetry time.Time
	lowKey    string
}

// batch is the events of one answer (or of the replay), with the deliveries they announce.
type batch struct {
	events   []cache.Event
	fresh    []cache.Delivery
	replayed bool
}

// Run polls until ctx ends (it then returns nil) or the store is closed under it (it returns
// that error). Only one Run may be active at a time.
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
		limiter: rate.NewLimiter(rate.Limit(p.opts.RatePerSecond), p.opts.Burst),
		rate:    p.opts.RatePerSecond,
	}
	p.online.Store(true)
	return l.run()
}

func (l *loop) now() time.Time { return l.p.clock.Now() }

func (l *loop) run() error {
	now := l.now()
	l.replay(now)
	l.rescan(now, false)
	l.balance = &item{kind: kindBalance, due: now, deadline: now, index: -1}
	l.items[itemKey{kind: kindBalance}] = l.balance
	heap.Push(&l.wait, l.balance)
	for {
		if l.fatal != nil || l.ctx.Err() != nil {
			return l.shutdown()
		}
		now = l.now()
		wake := l.maintain(now)
		wake = earliest(wake, l.dispatch(now))
		l.publish()
		var timer <-chan time.Time
		if !wake.IsZero() {
			if wake.Sub(now) < time.Millisecond {
				wake = now.Add(time.Millisecond)
			}
			timer = l.p.clock.After(wake.Sub(now))
		}
		if l.inFlight == 0 && l.p.hooks.idle != nil {
			l.p.hooks.idle(wake) // after the timer is set: the test's clock may move at once
		}
		select {
		case <-l.ctx.Done():
		case r := <-l.results:
			l.handle(r)
		case <-l.p.kick:
			l.rescan(l.now(), true)
		case <-l.p.settingCh:
			l.balanceSoon(l.now(), 0)
		case <-timer:
		}
	}
}

// earliest returns the earlier of two wake times, zero meaning "none".
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero():
		return a
	case b.Before(a):
		return b
	}
	return a
}

func (l *loop) shutdown() error {
	for l.inFlight > 0 {
		l.handle(<-l.results)
	}
	l.publish()
	return l.fatal
}

func (l *loop) publish() {
	st := Stats{
		Orders: l.orders, Numbers: l.numbers, InFlight: l.inFlight,
		Unmarked: 0, Rate: l.rate,
	}
	for _, b := range l.unmarked {
		st.Unmarked += len(b.events)
	}
	l.p.statsMu.Lock()
	l.p.stats = st
	l.p.statsMu.Unlock()
}

// storeFailed notes a store error; a closed store stops Run.
func (l *loop) storeFailed(what string, err error) {
	if errors.Is(err, cache.ErrClosed) {
		if l.fatal == nil {
			l.fatal = err
		}
		l.cancel()
		return
	}
	l.p.logf("watch: %s: %v", what, err)
}

// maintain does the periodic work that sends no request: reading the journal again, raising
// the rate after a quiet spell, retrying marks that failed. It returns when it next has work.
func (l *loop) maintain(now time.Time) time.Time {
	s := &l.p.sched
	if !now.Before(l.rescanAt) {
		l.rescan(now, false)
	}
	wake := l.rescanAt
	if l.rate < l.p.opts.RatePerSecond {
		at := latest(l.last429, l.lastRaise).Add(s.RateRecover)
		if !now.Before(at) {
			l.rate = min(l.p.opts.RatePerSecond, l.rate*1.5)
			l.limiter.SetLimitAt(now, rate.Limit(l.rate))
			l.lastRaise = now
			at = now.Add(s.RateRecover)
		}
		if l.rate < l.p.opts.RatePerSecond {
			wake = earliest(wake, at)
		}
	}
	if len(l.unmarked) > 0 {
		if !now.Before(l.markRetry) {
			pending := l.unmarked
			l.unmarked = nil
			for _, b := range pending {
				l.deliver(b)
			}
			l.markRetry = now.Add(s.RetryBase)
		}
		if len(l.unmarked) > 0 {
			wake = earliest(wake, l.markRetry)
		}
	}
	return wake
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// rescan reads the open orders and numbers of the journal: new ones are added (polled at once
// if never polled), those no longer open are dropped.
func (l *loop) rescan(now time.Time, kicked bool) {
	l.rescanAt = now.Add(l.p.sched.Rescan)
	orders, err := l.p.store.OpenOrders()
	if err != nil {
		l.storeFailed("reading the open orders", err)
		return
	}
	// The zero time lists every number not closed, and closes none on the way: a number past its
	// expiry still gets its last look (a code may have come before the expiry) before the poller
	// closes it itself.
	numbers, err := l.p.store.OpenSMS(time.Time{})
	if err != nil {
		l.storeFailed("reading the open SMS numbers", err)
		return
	}
	seen := make(map[itemKey]bool, len(orders)+len(numbers)+1)
	added := 0
	for _, o := range orders {
		k := itemKey{kindOrder, o.ID}
		seen[k] = true
		if it, ok := l.items[k]; ok {
			it.unconf, it.spendID = o.Unconfirmed, o.SpendID
			it.gone = false
			continue
		}
		l.add(k, l.orderItem(o, now))
		added++
	}
	for _, n := range numbers {
		k := itemKey{kindSMS, n.Order}
		seen[k] = true
		if it, ok := l.items[k]; ok {
			it.unconf, it.spendID = n.Unconfirmed, n.SpendID
			it.gone = false
			continue
		}
		l.add(k, l.smsItem(n, now))
		added++
	}
	for k, it := range l.items {
		if k.kind == kindBalance || seen[k] {
			continue
		}
		if it.busy {
			it.gone = true
			continue
		}
		l.remove(it)
	}
	if kicked && added > 0 {
		l.balanceSoon(now, l.p.sched.BalanceSoon)
	}
}

func (l *loop) add(k itemKey, it *item) {
	l.items[k] = it
	switch k.kind {
	case kindOrder:
		l.orders++
	case kindSMS:
		l.numbers++
	}
	heap.Push(&l.wait, it)
}

// unqueue takes an item out of its queue.
func (l *loop) unqueue(it *item) {
	switch {
	case it.index < 0:
	case it.ready:
		heap.Remove(&l.ready, it.index)
	default:
		heap.Remove(&l.wait, it.index)
	}
}

// setDue sets when an item is next polled (never after a number's last look) and its deadline.
func (l *loop) setDue(it *item, due, now time.Time) {
	it.due = l.clampExpiry(it, due)
	it.deadline = it.due.Add(l.interval(it, now))
}

func (l *loop) remove(it *item) {
	l.unqueue(it)
	k := itemKey{it.kind, it.id}
	if l.items[k] == it {
		delete(l.items, k)
		switch it.kind {
		case kindOrder:
			l.orders--
		case kindSMS:
			l.numbers--
		}
	}
}

func (l *loop) orderItem(o cache.Order, now time.Time) *item {
	it := &item{
		kind: kindOrder, id: o.ID, index: -1, placedAt: o.PlacedAt,
		manual: o.Status != "" && !o.AutoDelivery, unconf: o.Unconfirmed, spendID: o.SpendID,
	}
	l.firstDue(it, o.CheckedAt, now)
	return it
}

func (l *loop) smsItem(n cache.SMSNumber, now time.Time) *item {
	it := &item{
		kind: kindSMS, id: n.Order, index: -1, placedAt: n.PlacedAt, expiresAt: n.ExpiresAt,
		unconf: n.Unconfirmed, spendID: n.SpendID, needStatus: n.ExpiresAt.IsZero(),
	}
	if n.Codes > 0 {
		// Its code is in the vault but the number was not closed (a crash in between).
		it.closeOnly = true
		it.due, it.deadline, it.prio = now, now, true
		return it
	}
	l.firstDue(it, n.CheckedAt, now)
	return it
}

// firstDue schedules an item read from the journal: at once if never polled, else one interval
// after its last poll — spread out if that is already past, so that a restart is no storm.
func (l *loop) firstDue(it *item, checked, now time.Time) {
	if checked.IsZero() || checked.After(now) {
		it.due, it.deadline, it.prio = now, now, true
		return
	}
	iv := l.interval(it, now)
	due := checked.Add(iv)
	if due.Before(now) {
		due = now.Add(l.spread(iv))
	}
	l.setDue(it, due, now)
}

// spread is a random delay to start an overdue item after.
func (l *loop) spread(iv time.Duration) time.Duration {
	w := min(iv, l.p.sched.Respread)
	if w <= 0 {
		return 0
	}
	return time.Duration(l.rnd.Int64N(int64(w) + 1))
}

// interval is an item's regular interval now.
func (l *loop) interval(it *item, now time.Time) time.Duration {
	s := &l.p.sched
	switch it.kind {
	case kindOrder:
		age := now.Sub(latest(it.placedAt, it.changedAt))
		if it.manual {
			return stepInterval(s.Manual, age)
		}
		return stepInterval(s.Orders, age)
	case kindSMS:
		return stepInterval(s.SMS, now.Sub(it.placedAt))
	}
	return s.Balance
}

// expiry is when a number stops receiving: the server's expires_at, else the assumed lifetime.
func (l *loop) expiry(it *item) time.Time {
	if !it.expiresAt.IsZero() {
		return it.expiresAt
	}
	return it.placedAt.Add(l.p.sched.SMSLifetime)
}

// pastExpiry reports whether a number is due for its last look.
func (l *loop) pastExpiry(it *item, now time.Time) bool {
	return !now.Before(l.expiry(it).Add(l.p.sched.ExpiryGrace))
}

// clampExpiry moves a number's next poll to its last look if that comes first.
func (l *loop) clampExpiry(it *item, due time.Time) time.Time {
	if it.kind != kindSMS {
		return due
	}
	if last := l.expiry(it).Add(l.p.sched.ExpiryGrace); last.Before(due) {
		return last
	}
	return due
}

// balanceSoon brings the next balance poll forward to within d.
func (l *loop) balanceSoon(now time.Time, d time.Duration) {
	b := l.balance
	if b == nil || b.index < 0 || b.ready {
		return
	}
	if at := now.Add(d); at.Before(b.due) {
		l.setDue(b, at, now)
		heap.Fix(&l.wait, b.index)
	}
}

// dispatch starts the requests that are due, as far as the limits allow, and returns when it
// should be called again (zero: when a request returns).
func (l *loop) dispatch(now time.Time) time.Time {
	if l.ctx.Err() != nil {
		return time.Time{}
	}
	if l.offline {
		if l.probing || l.inFlight > 0 {
			return time.Time{}
		}
		if now.Before(l.probeAt) {
			return l.probeAt
		}
		if r := l.limiter.ReserveN(now, 1); r.OK() {
			if d := r.DelayFrom(now); d > 0 {
				r.CancelAt(now)
				return now.Add(d)
			}
		}
		l.probing = true
		l.start(op{kind: opProbe, now: now, settings: l.p.Settings(), lowKey: l.lowKey}, nil)
		return time.Time{}
	}
	if now.Before(l.pauseUntil) {
		return l.pauseUntil
	}
	for l.wait.Len() > 0 && !l.wait.items[0].due.After(now) {
		heap.Push(&l.ready, heap.Pop(&l.wait))
	}
	var wake time.Time
	if l.wait.Len() > 0 {
		wake = l.wait.items[0].due
	}
	for l.inFlight < l.p.opts.MaxInFlight && l.ready.Len() > 0 {
		it := l.ready.items[0]
		o := l.nextOp(it, now)
		if o.kind.sends() {
			r := l.limiter.ReserveN(now, 1)
			if !r.OK() {
				return earliest(wake, now.Add(time.Second))
			}
			if d := r.DelayFrom(now); d > 0 {
				r.CancelAt(now)
				return earliest(wake, now.Add(d))
			}
		}
		heap.Pop(&l.ready)
		it.busy = true
		l.start(o, it)
	}
	return wake
}

func (l *loop) start(o op, it *item) {
	l.inFlight++
	if o.kind.sends() {
		l.p.requests.Add(1)
	}
	go func() {
		ctx, cancel := context.WithTimeout(l.ctx, l.p.opts.RequestTimeout)
		r := l.p.exec(ctx, o)
		cancel()
		r.it = it
		l.results <- r
	}()
}

// nextOp decides what to ask about an item now.
func (l *loop) nextOp(it *item, now time.Time) op {
	o := op{id: it.id, now: now, fp: it.fp}
	switch it.kind {
	case kindBalance:
		o.kind = opBalance
		o.settings = l.p.Settings()
		o.lowKey = l.lowKey
	case kindOrder:
		o.kind = opStatus
		o.unconf, o.spendID = it.unconf, it.spendID
	case kindSMS:
		switch {
		case it.closeOnly:
			o.kind = opSMSClose
		case l.pastExpiry(it, now) && now.Sub(l.expiry(it)) > l.p.sched.GiveUpAfter:
			o.kind = opSMSGiveUp
			o.final = it.final
		case it.final != nil:
			o.kind = opSMSFinal
			o.final = it.final
		case it.needStatus || l.pastExpiry(it, now):
			o.kind = opSMSStatus
			o.assumeExpired = it.expiresAt.IsZero() && l.pastExpiry(it, now)
		default:
			o.kind = opSMSCode
		}
	}
	return o
}

// handle takes a returned request: errors, events, and the item's next poll.
func (l *loop) handle(r result) {
	l.inFlight--
	now := l.now()
	it := r.it
	if it != nil {
		it.busy = false
	}
	class, retryAfter := classify(r.err)
	if r.err != nil && class != errCanceled {
		l.p.failures.Add(1)
	}
	switch class {
	case errNone:
		l.answered(now)
	case errCanceled:
	case errStore:
		l.storeFailed("storing an answer", r.err)
	case errRateLimited:
		l.rateLimited(now, retryAfter)
		l.answered(now)
	case errNetwork:
		l.failStreak++
		if !l.offline && l.failStreak >= l.p.sched.OfflineAfter {
			l.goOffline(now, r.err)
		}
	case errAuth:
		l.goOffline(now, r.err)
	default: // the API answered with an error: it is reachable
		l.answered(now)
	}
	if r.probe {
		l.probing = false
		if l.offline {
			l.probes++
			l.probeAt = now.Add(backoff(l.probes+1, l.p.sched.ProbeBase, l.p.sched.ProbeMax, l.rnd))
		}
	}
	if r.lowKey != "" {
		l.lowKey = r.lowKey
	}
	if len(r.events) > 0 {
		l.deliver(batch{events: r.events, fresh: r.fresh})
	}
	if r.balance != nil {
		l.p.emit(Event{Kind: KindBalance, At: now, Balance: r.balance.Balance, Currency: r.balance.Currency})
	}
	if it == nil {
		return
	}
	if it.gone || r.done {
		l.remove(it)
		if it.kind == kindOrder && r.done {
			l.balanceSoon(now, l.p.sched.BalanceSoon)
		}
		return
	}
	l.update(it, r, now)
	if r.err != nil && class != errCanceled {
		switch class {
		case errRateLimited:
			l.setDue(it, latest(now, l.pauseUntil).Add(l.spread(time.Second)), now)
		default:
			it.failures++
			ceiling := l.p.sched.RetryMax
			if class == errNotFound {
				ceiling = l.p.sched.NotFoundMax
			}
			d := max(l.interval(it, now), backoff(it.failures, l.p.sched.RetryBase, ceiling, l.rnd))
			l.setDue(it, now.Add(d), now)
		}
	} else if r.err == nil {
		it.failures = 0
		if it.prio {
			it.due, it.deadline = now, now
		} else {
			l.setDue(it, now.Add(jittered(l.interval(it, now), l.p.sched.Jitter, l.rnd)), now)
		}
	} else {
		it.due, it.deadline = now, now // cancelled: the loop is stopping
	}
	heap.Push(&l.wait, it)
}

// update applies a successful answer to its item; a follow-up at once sets prio.
func (l *loop) update(it *item, r result, now time.Time) {
	it.prio = false
	if r.recorded {
		it.fp = r.fp
	}
	if r.changed {
		it.changedAt = now
	}
	if r.settled {
		it.unconf = false
	}
	switch it.kind {
	case kindOrder:
		if r.hasAuto {
			it.manual = !r.auto
		}
	case kindSMS:
		if r.codeStored {
			it.closeOnly, it.prio = true, true
		}
		if !r.expiresAt.IsZero() {
			it.expiresAt = r.expiresAt
		}
		if r.err == nil && r.op == opSMSStatus {
			it.needStatus = false
		}
		if r.expiredHint {
			it.needStatus, it.prio = true, true
		}
		if r.final != nil {
			it.final, it.prio = r.final, true
		}
	case kindBalance:
	}
}

// answered notes that the API answered (even with an error).
func (l *loop) answered(now time.Time) {
	l.failStreak = 0
	if l.offline {
		l.goOnline(now)
	}
}

func (l *loop) goOffline(now time.Time, err error) {
	if l.offline {
		return
	}
	l.offline = true
	l.p.online.Store(false)
	l.probes = 0
	l.probeAt = now.Add(backoff(1, l.p.sched.ProbeBase, l.p.sched.ProbeMax, l.rnd))
	l.p.logf("watch: offline: %v", err)
	l.p.emit(Event{Kind: KindOffline, At: now, Err: err})
}

// goOnline resumes polling: what fell due while offline is spread out, not sent at once.
func (l *loop) goOnline(now time.Time) {
	l.offline = false
	l.failStreak = 0
	l.p.online.Store(true)
	var moved []*item
	for _, q := range []*queue{&l.ready, &l.wait} {
		for _, it := range q.items {
			if !it.prio && it.due.Before(now) {
				moved = append(moved, it)
			}
		}
	}
	for _, it := range moved {
		l.unqueue(it)
		l.setDue(it, now.Add(l.spread(l.interval(it, now))), now)
		heap.Push(&l.wait, it)
	}
	l.p.logf("watch: online again")
	l.p.emit(Event{Kind: KindOnline, At: now})
}

// rateLimited pauses every request for the server's Retry-After (or RateLimitPause) and halves
// the request rate.
func (l *loop) rateLimited(now time.Time, retryAfter time.Duration) {
	pause := retryAfter
	if pause <= 0 {
		pause = l.p.sched.RateLimitPause
	}
	l.pauseUntil = latest(l.pauseUntil, now.Add(pause))
	l.rate = max(l.rate/2, min(0.1, l.p.opts.RatePerSecond))
	l.limiter.SetLimitAt(now, rate.Limit(l.rate))
	l.last429 = now
}
