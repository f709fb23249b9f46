package watch

import (
	"container/heap"
	"context"
	"errors"
	"time"

	"golang.org/x/time/rate"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/cache"
)

func (l *loop) now() time.Time { return l.p.clock.Now() }

func (l *loop) run() error {
	now := l.now()
	if err := l.p.svc.ReplayPending(); err != nil {
		l.storeFailed("announcing the pending events", err)
	}
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
		case <-l.p.balance:
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
	if sh := l.p.opts.Share; sh != nil {
		sh.leave(l) // after the last results: a 429 among them works the stretch out again
	}
	l.publish()
	return l.fatal
}

func (l *loop) publish() {
	st := Stats{Orders: l.orders, Numbers: l.numbers, Watched: l.watched, InFlight: l.inFlight, Rate: l.rate,
		Stretch: l.stretch, OrderEvery: l.pace.OrderEvery, NumberEvery: l.pace.NumberEvery}
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
// the rate after a quiet spell, retrying announcements whose claim failed. It returns when it next has work.
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
			l.restretch(now)
		}
		if l.rate < l.p.opts.RatePerSecond {
			wake = earliest(wake, at)
		}
	}
	if l.p.svc.Unannounced() > 0 {
		if l.markRetry.IsZero() {
			l.markRetry = now.Add(s.RetryBase)
		}
		if !now.Before(l.markRetry) {
			l.p.svc.RetryUnannounced()
			l.markRetry = now.Add(s.RetryBase)
		}
		if l.p.svc.Unannounced() > 0 {
			wake = earliest(wake, l.markRetry)
		} else {
			l.markRetry = time.Time{}
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
	orders, err := l.p.svc.OpenOrders()
	if err != nil {
		l.storeFailed("reading the open orders", err)
		return
	}
	// Every number not closed: a number past its expiry still gets its last look (a code may
	// have come before the expiry) before the poller closes it.
	numbers, err := l.p.svc.OpenNumbers()
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
	if ws, ok := l.p.svc.(WatchService); ok {
		watches, err := ws.Watches()
		if err != nil {
			l.storeFailed("reading the watch list", err)
			return
		}
		for _, w := range watches {
			k := itemKey{kindWatch, w.Service}
			seen[k] = true
			if it, ok := l.items[k]; ok {
				it.gone = false
				continue
			}
			l.add(k, l.watchItem(w, now))
		}
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
	l.restretch(now)
}

func (l *loop) add(k itemKey, it *item) {
	l.items[k] = it
	switch k.kind {
	case kindOrder:
		l.orders++
	case kindSMS:
		l.numbers++
	case kindWatch:
		l.watched++
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

// setDue sets when an item is next polled (never after a number's last look) and its deadline;
// the time is fixed (a stretch does not move it: see planRegular).
func (l *loop) setDue(it *item, due, now time.Time) {
	it.due = l.clampExpiry(it, due)
	it.deadline = it.due.Add(l.period(it, now))
	it.span = 0
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
		case kindWatch:
			l.watched--
		}
	}
}

func (l *loop) orderItem(o account.Order, now time.Time) *item {
	it := &item{
		kind: kindOrder, id: o.ID, index: -1, placedAt: o.PlacedAt,
		manual: o.Status != "" && !o.AutoDelivery, unconf: o.Unconfirmed, spendID: o.SpendID,
	}
	l.firstDue(it, o.CheckedAt, now)
	return it
}

func (l *loop) smsItem(n account.SMSNumber, now time.Time) *item {
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

// watchItem schedules a watched item: one interval after its last check, spread out if that is
// past (or it was never checked), so that neither a restart nor a new watch sends a burst.
func (l *loop) watchItem(w account.Watch, now time.Time) *item {
	it := &item{kind: kindWatch, id: w.Service, index: -1}
	iv := l.p.sched.Watch
	due := w.Seen.CheckedAt.Add(iv)
	if w.Seen.CheckedAt.IsZero() || w.Seen.CheckedAt.After(now) || due.Before(now) {
		due = now.Add(l.spread(iv))
	}
	l.setDue(it, due, now)
	return it
}

// firstDue schedules an item read from the journal: at once if never polled, else one
// (stretched) interval after its last poll — spread out if that is already past, so that a
// restart is no storm.
func (l *loop) firstDue(it *item, checked, now time.Time) {
	if checked.IsZero() || checked.After(now) {
		it.due, it.deadline, it.prio = now, now, true
		return
	}
	iv := l.interval(it, now)
	if checked.Add(l.scaled(it, iv)).Before(now) {
		l.setDue(it, now.Add(l.spread(l.scaled(it, iv))), now)
		return
	}
	l.planRegular(it, checked, iv, now)
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
	case kindWatch:
		return s.Watch
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
		l.start(op{kind: opProbe, now: now}, nil)
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
		if need := min(2, float64(l.limiter.Burst())); it.low() && l.limiter.TokensAt(now) < need {
			// The last token is kept for an order or a number that may fall due.
			return earliest(wake, now.Add(l.tokenIn(need)))
		}
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
	case kindWatch:
		o.kind = opWatch
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

// tokenIn is how long until the rate limit holds n tokens (at least a millisecond).
func (l *loop) tokenIn(n float64) time.Duration {
	have := l.limiter.TokensAt(l.now())
	r := float64(l.limiter.Limit())
	if r <= 0 || have >= n {
		return time.Millisecond
	}
	return max(time.Millisecond, time.Duration((n-have)/r*float64(time.Second)))
}
