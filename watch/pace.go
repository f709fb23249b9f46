package watch

import (
	"container/heap"
	"math"
	"sync"
	"time"

	"github.com/hstockplus/hstockplus/account"
)

// LoadShare is the share of the request rate the regular polls of the open orders and numbers
// are planned to use. The rest is left for the balance's own interval, first looks and
// follow-ups, retries, what the user asks in the window, and watched items.
const LoadShare = 0.9

// PaceService is told the poller's pace each time it is worked out (every Schedule.Rescan, and
// when the request rate changes): a Service that implements it can show the user that the checks
// fell behind. *account.Service implements it.
type PaceService interface {
	SetPace(account.Pace)
}

// demand is what the regular polls of the open orders and numbers ask for at the schedule, in
// requests per second (Σ 1/interval), and how many items ask it. A number past its expiry or
// done (its last looks are one-off requests) asks nothing.
func (l *loop) demand(now time.Time) (orders, numbers float64, nOrders, nNumbers int) {
	for _, it := range l.items {
		switch it.kind {
		case kindOrder:
			if iv := l.interval(it, now); iv > 0 {
				orders += 1 / iv.Seconds()
				nOrders++
			}
		case kindSMS:
			if it.closeOnly || it.final != nil || l.pastExpiry(it, now) {
				continue
			}
			if iv := l.interval(it, now); iv > 0 {
				numbers += 1 / iv.Seconds()
				nNumbers++
			}
		}
	}
	return orders, numbers, nOrders, nNumbers
}

// stretchFor is the factor the regular intervals of orders and numbers are multiplied by, for a
// demand (requests per second) at a rate:
//
//	budget  = LoadShare·rate − pollers/Schedule.Balance   (never below a tenth of the rate)
//	stretch = max(1, demand / budget)
//
// The same for orders and numbers: each keeps its share of the rate, so that neither starves.
func stretchFor(demand, rate float64, balance time.Duration, pollers int) float64 {
	budget := LoadShare * rate
	if balance > 0 {
		budget -= float64(max(pollers, 1)) / balance.Seconds()
	}
	budget = max(budget, 0.1*rate)
	if budget <= 0 || demand <= budget {
		return 1
	}
	return demand / budget
}

// restretch works the stretch out again from the demand and the current rate, moves the polls
// planned to it when it changed (by more than 2 %), and reports the pace.
func (l *loop) restretch(now time.Time) {
	od, nd, no, nn := l.demand(now)
	total, pollers := od+nd, 1
	if sh := l.p.opts.Share; sh != nil {
		total, pollers = sh.set(l, od+nd)
	}
	f := stretchFor(total, l.rate, l.p.sched.Balance, pollers)
	if (f > 1) != (l.stretch > 1) || math.Abs(f-l.stretch) > 0.02*l.stretch {
		l.stretch = f
		l.replan(now)
	}
	pace := account.Pace{Stretch: l.stretch}
	if no > 0 {
		pace.OrderEvery = time.Duration(float64(no) / od * l.stretch * float64(time.Second))
	}
	if nn > 0 {
		pace.NumberEvery = time.Duration(float64(nn) / nd * l.stretch * float64(time.Second))
	}
	l.pace = pace
	if ps, ok := l.p.svc.(PaceService); ok {
		ps.SetPace(pace)
	}
}

// replan moves the queued orders and numbers to the current stretch: every deadline, and a
// regular poll later when the stretch grew (span stretched after its last check). When it
// shrank, a poll planned keeps its time and the next one is planned at the new stretch: brought
// forward, they would all fall due at once.
func (l *loop) replan(now time.Time) {
	for _, it := range l.items {
		if it.index < 0 || it.prio || (it.kind != kindOrder && it.kind != kindSMS) {
			continue
		}
		l.unqueue(it)
		if from, span := it.from, it.span; span > 0 {
			due := it.due
			l.planRegular(it, from, span, now)
			if it.due.Before(due) {
				l.setDue(it, due, now)
				it.from, it.span = from, span
			}
		} else {
			l.setDue(it, it.due, now)
		}
		heap.Push(&l.wait, it)
	}
}

// scaled is d stretched, for an item whose intervals stretch (orders and numbers).
func (l *loop) scaled(it *item, d time.Duration) time.Duration {
	if l.stretch <= 1 || (it.kind != kindOrder && it.kind != kindSMS) {
		return d
	}
	return time.Duration(float64(d) * l.stretch)
}

// period is an item's interval now, stretched.
func (l *loop) period(it *item, now time.Time) time.Duration {
	return l.scaled(it, l.interval(it, now))
}

// planRegular schedules a regular poll: span (the interval, jittered, not stretched) after from,
// stretched — and again when the stretch changes.
func (l *loop) planRegular(it *item, from time.Time, span time.Duration, now time.Time) {
	l.setDue(it, from.Add(l.scaled(it, span)), now)
	it.from, it.span = from, span
}

// Share is what the pollers of several accounts on one endpoint ask of its request rate, which
// they share (Options.Limiter): with it (Options.Share), each plans its polls with the demand of
// them all, so that together they keep within the one limit, all stretched by the same factor,
// and each shows the pace it really gets. Each works the total out again at its own rescan
// (Schedule.Rescan) and when its rate or items change. Safe for concurrent use.
type Share struct {
	mu     sync.Mutex
	demand map[*loop]float64
}

// NewShare returns the share of one endpoint, for the pollers of every account on it.
func NewShare() *Share { return &Share{demand: map[*loop]float64{}} }

// set records l's demand (requests per second) and returns the total of every poller on the
// endpoint, and how many they are.
func (s *Share) set(l *loop, d float64) (total float64, pollers int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.demand[l] = d
	for _, v := range s.demand {
		total += v
	}
	return total, len(s.demand)
}

// leave takes l's demand out (its poller stopped).
func (s *Share) leave(l *loop) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.demand, l)
}
