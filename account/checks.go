package account

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/safetext"
)

// StoreError marks a failure of the store (not of the API).
type StoreError struct {
	What string
	Err  error
}

func (e *StoreError) Error() string { return "account: " + e.What + ": " + e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }

// ErrEmptyAnswer: the API returned neither an answer nor an error.
var ErrEmptyAnswer = errors.New("account: the API returned no answer and no error")

// Fingerprint identifies an answer: an answer identical to the last one stored brings nothing
// new, and its synced write is skipped.
type Fingerprint [32]byte

func fingerprint(v any) Fingerprint {
	b, err := json.Marshal(v)
	if err != nil {
		return Fingerprint{}
	}
	return sha256.Sum256(b)
}

// CheckResult is what one check found and stored. The poller schedules from it; "Check now"
// tells the user from it.
type CheckResult struct {
	// Fingerprint of the answer now stored (Recorded).
	Fingerprint Fingerprint
	Recorded    bool
	// Changed: the status changed or something was delivered.
	Changed bool
	// Done: the order reached a final status, or the number is closed.
	Done bool
	// Settled: the unconfirmed journal entry was settled as placed by this check.
	Settled bool
	// Status is the status the answer gave.
	Status string
	// New counts the deliveries that were new.
	New int
	// Orders: AutoDelivery as the answer said (HasAuto).
	HasAuto, Auto bool
	// SMS numbers: a code is stored; the expiry the server gave; the code answer said
	// "expired"; the number expired without a code (Final: its status, for the last look).
	CodeStored  bool
	ExpiresAt   time.Time
	ExpiredHint bool
	Final       *client.SMSStatus
}

// OrderCheck is what the caller knows of an order to check.
type OrderCheck struct {
	ID int64
	// Unconfirmed and SpendID: the order's journal entry is unconfirmed; an answer settles it.
	Unconfirmed bool
	SpendID     uint64
	// Last is the fingerprint of the last answer stored (zero: store whatever comes).
	Last Fingerprint
}

// CheckOrder asks the status of an order and stores what it brings (status, history, delivered
// accounts, events), then announces the events. An unconfirmed journal entry whose order answers
// is settled as placed.
func (s *Service) CheckOrder(ctx context.Context, c OrderCheck) (r CheckResult, err error) {
	var b batch
	defer func() { s.announce(b) }()
	st, err := s.check.Status(ctx, c.ID)
	s.observe(err)
	if err == nil && st == nil {
		err = ErrEmptyAnswer
	}
	if err != nil {
		return r, err
	}
	r.HasAuto, r.Auto, r.Status = true, st.AutoDelivery, string(st.Status)
	if c.Unconfirmed && c.SpendID != 0 {
		// The order answers: it exists, so the journal entry whose answer was lost was placed.
		// Settled before the status is stored: once terminal, the order is not polled again.
		_, err := s.store.MarkPlaced(c.SpendID, c.ID)
		switch {
		case err == nil:
			r.Settled = true
			s.publishSpend(c.SpendID)
		case errors.Is(err, cache.ErrBadTransition):
			// Settled meanwhile: as placed with this order (the poller or "Check now" got there
			// first), or as not placed by the user, which this answer does not undo.
			if sp, err := s.store.Spend(c.SpendID); err == nil && sp.State == cache.SpendPlaced && slices.Contains(sp.Orders, c.ID) {
				r.Settled = true
			}
		default:
			s.logf("account: settling journal entry %d of order %d: %v", c.SpendID, c.ID, err)
		}
	}
	if fp := fingerprint(st); fp != c.Last {
		up, err := s.store.RecordOrderStatus(c.ID, *st)
		if err != nil {
			return r, &StoreError{"storing an order status", err}
		}
		r.Fingerprint, r.Recorded = fp, true
		b.events, b.fresh = up.Events, up.New
		r.Changed = up.StatusChanged || len(up.New) > 0
		r.New = len(up.New)
	} else if ev, err := s.store.ReleaseHeld(c.ID); err != nil {
		return r, &StoreError{"announcing held deliveries", err}
	} else if ev != nil { // accounts kept a while as the order went on delivering: due now
		b.events = []cache.Event{*ev}
	}
	r.Done = st.Status.Terminal()
	return r, nil
}

// CheckCode asks sms_code for a number; a code is stored (vault and events, one synced
// transaction), the number closed (the API has one code per number) and the code announced.
func (s *Service) CheckCode(ctx context.Context, id int64) (r CheckResult, err error) {
	var b batch
	defer func() { s.announce(b) }()
	c, err := s.fetchCode(ctx, id, &b)
	if err != nil {
		return r, err
	}
	r.Status = c.Status
	if c.Received() {
		r.CodeStored, r.Changed, r.New = true, true, len(b.fresh)
		if err := s.store.CloseSMS(id); err != nil {
			return r, &StoreError{"closing an SMS number", err}
		}
		r.Done = true
		return r, nil
	}
	if strings.EqualFold(strings.TrimSpace(c.Status), "expired") {
		r.ExpiredHint = true
	}
	return r, nil
}

// fetchCode asks sms_code and, when a code came, stores it into b.
func (s *Service) fetchCode(ctx context.Context, id int64, b *batch) (*client.SMSCode, error) {
	c, err := s.check.SMSCode(ctx, id)
	s.observe(err)
	if err == nil && c == nil {
		err = ErrEmptyAnswer
	}
	if err != nil {
		return nil, err
	}
	if c.Received() {
		up, err := s.store.RecordSMSCode(id, *c)
		if err != nil {
			return nil, &StoreError{"storing an SMS code", err}
		}
		b.events = append(b.events, up.Events...)
		b.fresh = append(b.fresh, up.New...)
	}
	return c, nil
}

// CheckNumberStatus asks sms_status for a number (its first look, for the expiry and the
// charge, and its last). assumeExpired: the server gave no expiry and the assumed lifetime is
// over. A number that expired without a code is not stored yet: Final carries its status for
// the last sms_code look (FinalLook).
func (s *Service) CheckNumberStatus(ctx context.Context, id int64, assumeExpired bool, last Fingerprint) (r CheckResult, err error) {
	var b batch
	defer func() { s.announce(b) }()
	st, err := s.check.SMSStatus(ctx, id)
	s.observe(err)
	if err == nil && st == nil {
		err = ErrEmptyAnswer
	}
	if err != nil {
		return r, err
	}
	r.Status = st.Status
	hasCode := strings.TrimSpace(st.Code) != ""
	expired := st.Expired(s.clock.Now()) || strings.EqualFold(strings.TrimSpace(st.Status), "expired") ||
		(st.ExpiresAt.IsZero() && assumeExpired)
	r.ExpiresAt = st.ExpiresAt
	if expired && !hasCode {
		// Nothing is stored yet: the last sms_code look comes first, then the expiry event, then
		// this status, then the close — a crash anywhere repeats the steps, each idempotent.
		cp := *st
		r.Final = &cp
		return r, nil
	}
	if fp := fingerprint(st); fp != last || hasCode {
		up, err := s.store.RecordSMSStatus(id, *st)
		if err != nil {
			return r, &StoreError{"storing an SMS status", err}
		}
		r.Fingerprint, r.Recorded = fp, true
		b.events, b.fresh = up.Events, up.New
		r.Changed = up.StatusChanged || len(up.New) > 0
		r.New = len(up.New)
	}
	if hasCode {
		r.CodeStored = true
		if err := s.store.CloseSMS(id); err != nil {
			return r, &StoreError{"closing an SMS number", err}
		}
		r.Done = true
	}
	return r, nil
}

// FinalLook is the last look at a number that expired without a code: sms_code once more, then
// "number expired" (unless a code came), its final status, and the close.
func (s *Service) FinalLook(ctx context.Context, id int64, final *client.SMSStatus) (r CheckResult, err error) {
	var b batch
	defer func() { s.announce(b) }()
	c, err := s.fetchCode(ctx, id, &b)
	if err != nil {
		return r, err
	}
	if c.Received() {
		r.CodeStored, r.Changed = true, true
	}
	return r, s.expireAndClose(id, final, c, &b, &r)
}

// CloseNumber closes a number whose code is stored (no request).
func (s *Service) CloseNumber(id int64) (CheckResult, error) {
	if err := s.store.CloseSMS(id); err != nil {
		return CheckResult{}, &StoreError{"closing an SMS number", err}
	}
	return CheckResult{Done: true}, nil
}

// GiveUpNumber closes a number that stayed unreachable long after its expiry, announcing it as
// expired (no request).
func (s *Service) GiveUpNumber(id int64, final *client.SMSStatus) (r CheckResult, err error) {
	var b batch
	defer func() { s.announce(b) }()
	return r, s.expireAndClose(id, final, nil, &b, &r)
}

// expireAndClose records "number expired" (unless a code came: c received), the final status if
// known, and closes the number, in that order.
func (s *Service) expireAndClose(id int64, final *client.SMSStatus, c *client.SMSCode, b *batch, r *CheckResult) error {
	if c == nil || !c.Received() {
		ev, created, err := s.store.RecordEvent(cache.Event{
			Kind: storeNumberExpired, Order: id, At: s.clock.Now(), Key: "sms-expired/" + strconv.FormatInt(id, 10),
		})
		if err != nil {
			return &StoreError{"recording an expiry", err}
		}
		if created {
			b.events = append(b.events, ev)
		}
	}
	if final != nil {
		st := *final
		if c != nil && c.Received() {
			st.Code = c.Code
		}
		up, err := s.store.RecordSMSStatus(id, st)
		if err != nil {
			return &StoreError{"storing an SMS status", err}
		}
		b.events = append(b.events, up.Events...)
		b.fresh = append(b.fresh, up.New...)
	}
	if err := s.store.CloseSMS(id); err != nil {
		return &StoreError{"closing an SMS number", err}
	}
	r.Done = true
	return nil
}

// RefreshBalance asks the balance, records it (the history is a step line), announces it
// (KindBalance) and, once per episode below the low-balance setting, a low balance.
func (s *Service) RefreshBalance(ctx context.Context) (client.Balance, error) {
	var b batch
	defer func() { s.announce(b) }()
	bal, err := s.check.Balance(ctx)
	s.observe(err)
	if err == nil && bal == nil {
		err = ErrEmptyAnswer
	}
	if err != nil {
		return client.Balance{}, err
	}
	now := s.clock.Now()
	stored, err := s.store.RecordBalance(*bal, now)
	if err != nil {
		return *bal, &StoreError{"storing the balance", err}
	}
	s.balMu.Lock()
	first := s.balance == nil || s.balance.Saved
	s.balance = &BalanceReading{Balance: *bal, At: now}
	s.balMu.Unlock()
	if first || stored {
		s.logf("balance: %s %s", bal.Balance, safetext.Short(bal.Currency, 16))
	}
	s.publish(Event{Kind: KindBalance, At: now, Balance: bal.Balance, Currency: bal.Currency})
	ev, err := s.lowBalance(*bal, stored, now)
	if err != nil {
		return *bal, err
	}
	if ev != nil {
		b.events = append(b.events, *ev)
	}
	return *bal, nil
}

// lowBalance records the low-balance event of an episode (a run of balance points below the
// threshold), keyed by the episode's first point, so that it is recorded once across restarts.
func (s *Service) lowBalance(bal client.Balance, stored bool, now time.Time) (*cache.Event, error) {
	th := s.Settings().LowBalance
	if th.IsZero() || bal.Balance.Cmp(th.Decimal) >= 0 {
		return nil, nil
	}
	prefix := "low-balance/" + th.String() + "/"
	s.balMu.Lock()
	lowKey := s.lowKey
	s.balMu.Unlock()
	if !stored && strings.HasPrefix(lowKey, prefix) {
		return nil, nil // unchanged balance, episode already announced by this run
	}
	pts, err := s.store.BalanceHistory(time.Time{}, time.Time{})
	if err != nil {
		return nil, &StoreError{"reading the balance history", err}
	}
	start := now
	for i := len(pts) - 1; i >= 0 && pts[i].Balance.Cmp(th.Decimal) < 0; i-- {
		start = pts[i].At
	}
	key := prefix + strconv.FormatInt(start.UnixNano(), 10)
	s.balMu.Lock()
	s.lowKey = key
	s.balMu.Unlock()
	if key == lowKey {
		return nil, nil
	}
	ev, created, err := s.store.RecordEvent(cache.Event{
		Kind: storeLowBalance, At: now, Key: key,
		Balance: bal.Balance, Currency: bal.Currency, Threshold: th,
	})
	if err != nil {
		return nil, &StoreError{"recording a low balance", err}
	}
	if !created {
		return nil, nil
	}
	return &ev, nil
}
