package watch

import (
	"container/heap"
	"time"

	"golang.org/x/time/rate"
)

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
			d := max(l.period(it, now), backoff(it.failures, l.p.sched.RetryBase, ceiling, l.rnd))
			l.setDue(it, now.Add(d), now)
		}
	} else if r.err == nil {
		it.failures = 0
		if it.prio {
			it.due, it.deadline = now, now
		} else {
			l.planRegular(it, now, jittered(l.interval(it, now), l.p.sched.Jitter, l.rnd), now)
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
	l.p.svc.SetReachable(false, err)
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
		l.setDue(it, now.Add(l.spread(l.period(it, now))), now)
		heap.Push(&l.wait, it)
	}
	l.p.logf("watch: online again")
	l.p.svc.SetReachable(true, nil)
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
	l.restretch(now)
}
