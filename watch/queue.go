package watch

import (
	"context"
	"math/rand/v2"
	"time"

	"golang.org/x/time/rate"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
)

type itemKind uint8

const (
	kindOrder itemKind = iota + 1
	kindSMS
	kindBalance
	kindWatch // a watched service or product (low priority)
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
	deadline time.Time // due + interval (stretched): the order among items due
	// from and span: a regular poll is due span·stretch after from (the last check), so that a
	// new stretch moves it; span 0: due is fixed (a retry, a spread start, a follow-up).
	from  time.Time
	span  time.Duration
	prio  bool // poll before anything else that is due (new, or a follow-up)
	index int  // position in its queue, -1 when not queued
	ready bool // in the ready queue (due), not the waiting one
	busy  bool // a request is in flight
	gone  bool // no longer open in the store: drop when the request returns

	placedAt  time.Time
	changedAt time.Time // last status change or delivery seen by this run
	manual    bool
	unconf    bool
	spendID   uint64
	fp        account.Fingerprint // of the last answer stored
	failures  int

	// SMS numbers.
	expiresAt  time.Time
	needStatus bool              // ask sms_status next (first look, or the last one)
	final      *client.SMSStatus // it expired without a code: last sms_code look, then close
	closeOnly  bool              // its code is stored: just close it
}

// low: the item goes after every other one due, and leaves a token of the rate limit to them.
func (it *item) low() bool { return it.kind == kindWatch }

// queue is a heap of items. The waiting queue orders them by due time; the ready queue (items
// due) by priority, then deadline (due + interval, both stretched): earliest deadline first.
// Of items due together the one with the shorter interval (an SMS number waiting for its code)
// goes first, and one polled every 15 minutes still goes before a number that fell due after
// its deadline: as the stretch keeps the demand within the rate, every item is polled within
// about one (stretched) interval.
type queue struct {
	items []*item
	ready bool
}

func (q *queue) Len() int { return len(q.items) }
func (q *queue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	if q.ready {
		if a.low() != b.low() {
			return b.low()
		}
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
	watched  int
	inFlight int
	results  chan result

	limiter *rate.Limiter
	rate    float64
	// stretch multiplies the regular intervals of orders and numbers when they ask for more
	// than the rate allows (pace.go); 1 on schedule.
	stretch    float64
	pace       account.Pace // as last reported
	last429    time.Time
	lastRaise  time.Time
	pauseUntil time.Time

	offline    bool
	failStreak int
	probing    bool
	probes     int
	probeAt    time.Time

	rescanAt  time.Time
	markRetry time.Time // when the announcements whose claim failed are retried
}
