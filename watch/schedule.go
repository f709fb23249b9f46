package watch

import (
	"math/rand/v2"
	"time"
)

// Step is one stage of a polling schedule: while the age is below Until, poll Every. The last
// step of a list should have Until 0 (for ever).
type Step struct {
	Until time.Duration
	Every time.Duration
}

// Schedule is when the poller asks. Every zero field takes its value from DefaultSchedule, so a
// test may set only what it needs.
type Schedule struct {
	// Orders: orders delivered automatically, by age (time since placed, or since their status
	// or deliveries last changed, whichever is later).
	Orders []Step
	// Manual: orders of products a supplier fills by hand (autoDelivery false), by the same age.
	Manual []Step
	// SMS: numbers waiting for a code (sms_code), by time since the number was bought.
	SMS []Step
	// Jitter spreads every regular interval by ±Jitter (a fraction; default 0.1), so that
	// orders placed together are not polled in lockstep. Negative: none.
	Jitter float64
	// ExpiryGrace is how long after expires_at the last look at a number is taken.
	ExpiryGrace time.Duration
	// SMSLifetime is the expiry assumed for a number whose server gave none (cache's default).
	SMSLifetime time.Duration
	// GiveUpAfter: a number still unreachable this long after its expiry is closed without its
	// last look (and announced as expired if it never had a code).
	GiveUpAfter time.Duration
	// Balance is how often the balance is asked; BalanceSoon how soon after an order ended or a
	// new order or number appeared (refunds, charges).
	Balance     time.Duration
	BalanceSoon time.Duration
	// Rescan is how often the journal is read again without a Kick.
	Rescan time.Duration
	// Watch is how often a watched service or product is checked with inventory.
	Watch time.Duration
	// RetryBase and RetryMax bound the per-item backoff after an error: base·2ⁿ⁻¹ with equal
	// jitter (half fixed, half random), capped at RetryMax — and never sooner than the item's
	// regular interval. NotFoundMax caps it instead for "Order not found".
	RetryBase   time.Duration
	RetryMax    time.Duration
	NotFoundMax time.Duration
	// OfflineAfter consecutive transport failures (network errors, 5xx, pages that are not
	// JSON) switch the poller offline: it then sends one probe at a time, ProbeBase·2ⁿ apart with
	// jitter, capped at ProbeMax, until one is answered.
	OfflineAfter int
	ProbeBase    time.Duration
	ProbeMax     time.Duration
	// Respread: polls that fell due while offline (or while the app was closed) are spread over
	// up to this much time (at most their own interval) instead of all going at once.
	Respread time.Duration
	// RateLimitPause is the pause after a 429 that gave no Retry-After (a Retry-After is always
	// honoured as given). RateRecover is how long without a 429 before the request rate, halved
	// by each 429, is raised again (×1.5, up to Options.RatePerSecond).
	RateLimitPause time.Duration
	RateRecover    time.Duration
}

// DefaultSchedule is the schedule of the app.
//
//	orders (automatic):  < 1 min: 5 s · < 5 min: 15 s · < 30 min: 1 min · < 6 h: 5 min · then 15 min
//	orders (by hand):    < 5 min: 30 s · < 1 h: 2 min · < 24 h: 10 min · then 30 min
//	SMS numbers:         < 2 min: 3 s · < 5 min: 6 s · then 15 s, until the code or expires_at
//	balance: every 2 min, and 10 s after an order ends or something new is placed
//	watched services and products: every 5 min, when nothing else is due
func DefaultSchedule() Schedule {
	return Schedule{
		Orders: []Step{
			{time.Minute, 5 * time.Second},
			{5 * time.Minute, 15 * time.Second},
			{30 * time.Minute, time.Minute},
			{6 * time.Hour, 5 * time.Minute},
			{0, 15 * time.Minute},
		},
		Manual: []Step{
			{5 * time.Minute, 30 * time.Second},
			{time.Hour, 2 * time.Minute},
			{24 * time.Hour, 10 * time.Minute},
			{0, 30 * time.Minute},
		},
		SMS: []Step{
			{2 * time.Minute, 3 * time.Second},
			{5 * time.Minute, 6 * time.Second},
			{0, 15 * time.Second},
		},
		Jitter:         0.1,
		ExpiryGrace:    5 * time.Second,
		SMSLifetime:    20 * time.Minute,
		GiveUpAfter:    24 * time.Hour,
		Balance:        2 * time.Minute,
		BalanceSoon:    10 * time.Second,
		Rescan:         time.Minute,
		Watch:          5 * time.Minute,
		RetryBase:      2 * time.Second,
		RetryMax:       5 * time.Minute,
		NotFoundMax:    30 * time.Minute,
		OfflineAfter:   3,
		ProbeBase:      2 * time.Second,
		ProbeMax:       time.Minute,
		Respread:       30 * time.Second,
		RateLimitPause: 5 * time.Second,
		RateRecover:    30 * time.Second,
	}
}

// filled returns s with its zero fields taken from DefaultSchedule.
func (s Schedule) filled() Schedule {
	d := DefaultSchedule()
	if len(s.Orders) == 0 {
		s.Orders = d.Orders
	}
	if len(s.Manual) == 0 {
		s.Manual = d.Manual
	}
	if len(s.SMS) == 0 {
		s.SMS = d.SMS
	}
	if s.Jitter == 0 {
		s.Jitter = d.Jitter
	}
	if s.Jitter < 0 {
		s.Jitter = 0
	}
	if s.Jitter > 0.5 {
		s.Jitter = 0.5
	}
	fill := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	fill(&s.ExpiryGrace, d.ExpiryGrace)
	fill(&s.SMSLifetime, d.SMSLifetime)
	fill(&s.GiveUpAfter, d.GiveUpAfter)
	fill(&s.Balance, d.Balance)
	fill(&s.BalanceSoon, d.BalanceSoon)
	fill(&s.Rescan, d.Rescan)
	fill(&s.Watch, d.Watch)
	fill(&s.RetryBase, d.RetryBase)
	fill(&s.RetryMax, d.RetryMax)
	fill(&s.NotFoundMax, d.NotFoundMax)
	fill(&s.ProbeBase, d.ProbeBase)
	fill(&s.ProbeMax, d.ProbeMax)
	fill(&s.Respread, d.Respread)
	fill(&s.RateLimitPause, d.RateLimitPause)
	fill(&s.RateRecover, d.RateRecover)
	if s.OfflineAfter <= 0 {
		s.OfflineAfter = d.OfflineAfter
	}
	s.RetryMax = max(s.RetryMax, s.RetryBase)
	s.NotFoundMax = max(s.NotFoundMax, s.RetryBase)
	s.ProbeMax = max(s.ProbeMax, s.ProbeBase)
	return s
}

func stepInterval(steps []Step, age time.Duration) time.Duration {
	for _, st := range steps {
		if st.Until <= 0 || age < st.Until {
			return st.Every
		}
	}
	return steps[len(steps)-1].Every
}

// OrderInterval is the regular interval between two status polls of an order of the given age
// (time since placed or last changed); manual is autoDelivery false. Jitter is not included.
func (s Schedule) OrderInterval(age time.Duration, manual bool) time.Duration {
	s = s.filled()
	if manual {
		return stepInterval(s.Manual, age)
	}
	return stepInterval(s.Orders, age)
}

// SMSInterval is the regular interval between two sms_code polls of a number bought age ago.
func (s Schedule) SMSInterval(age time.Duration) time.Duration {
	s = s.filled()
	return stepInterval(s.SMS, age)
}

// MinInterval is the shortest regular interval of the schedule. Jitter aside, an item is not
// polled more often: errors only lengthen its interval (a request refused by a 429 is sent again
// when the pause ends), and the only polls that follow at once are a number's first and last
// looks (sms_status, then sms_code), a few per number.
func (s Schedule) MinInterval() time.Duration {
	s = s.filled()
	m := time.Duration(1<<63 - 1)
	for _, steps := range [][]Step{s.Orders, s.Manual, s.SMS} {
		for _, st := range steps {
			m = min(m, st.Every)
		}
	}
	return m
}

// jittered spreads d by ±frac.
func jittered(d time.Duration, frac float64, rnd *rand.Rand) time.Duration {
	if frac <= 0 || d <= 0 {
		return d
	}
	f := 1 + frac*(2*rnd.Float64()-1)
	return time.Duration(float64(d) * f)
}

// backoff is the delay before retry n (1-based) with equal jitter: half of base·2ⁿ⁻¹ (capped at
// ceiling) fixed, the other half random.
func backoff(n int, base, ceiling time.Duration, rnd *rand.Rand) time.Duration {
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + time.Duration(rnd.Int64N(int64(d-half)+1))
}
