package watch

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// opKind is one thing a worker does: at most one request, then the store.
type opKind uint8

const (
	opStatus    opKind = iota + 1 // status of an order
	opSMSCode                     // sms_code of a number
	opSMSStatus                   // sms_status of a number (first look, expiry)
	opSMSFinal                    // the number expired without a code: sms_code once more, close
	opSMSClose                    // its code is stored: close it (no request)
	opSMSGiveUp                   // unreachable long after its expiry: close it (no request)
	opBalance                     // balance
	opProbe                       // balance, as the offline probe
)

// sends reports whether the op sends a request (and takes a token of the rate limit).
func (k opKind) sends() bool { return k != opSMSClose && k != opSMSGiveUp }

// op is what a worker gets: a copy of what it needs, never the item itself.
type op struct {
	kind          opKind
	id            int64
	now           time.Time
	fp            [32]byte
	unconf        bool
	spendID       uint64
	assumeExpired bool
	final         *client.SMSStatus
	settings      Settings
	lowKey        string
}

// result is what a worker brings back to the loop.
type result struct {
	it    *item
	op    opKind
	probe bool
	err   error

	events []cache.Event
	fresh  []cache.Delivery

	fp          [32]byte
	recorded    bool // fp is the fingerprint of an answer now stored
	changed     bool // status changed or something was delivered
	done        bool // the item is finished (terminal order, closed number)
	settled     bool // the unconfirmed journal entry was settled as placed
	hasAuto     bool
	auto        bool
	codeStored  bool
	expiresAt   time.Time
	expiredHint bool
	final       *client.SMSStatus
	balance     *client.Balance
	lowKey      string
}

// storeError marks a failure of the store (not of the API).
type storeError struct {
	what string
	err  error
}

func (e *storeError) Error() string { return "watch: " + e.what + ": " + e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

var errEmptyAnswer = errors.New("watch: the API returned no answer and no error")

// exec runs one op: the request, then what the answer means for the store.
func (p *Poller) exec(ctx context.Context, o op) (r result) {
	r.op = o.kind
	defer func() {
		if x := recover(); x != nil {
			r.err = fmt.Errorf("watch: panic in %d for %d: %v", o.kind, o.id, x)
		}
	}()
	switch o.kind {
	case opStatus:
		p.execStatus(ctx, o, &r)
	case opSMSCode:
		p.execSMSCode(ctx, o, &r)
	case opSMSStatus:
		p.execSMSStatus(ctx, o, &r)
	case opSMSFinal:
		p.execSMSFinal(ctx, o, &r)
	case opSMSClose:
		if err := p.store.CloseSMS(o.id); err != nil {
			r.err = &storeError{"closing an SMS number", err}
			return r
		}
		r.done = true
	case opSMSGiveUp:
		p.expireAndClose(o, nil, &r)
	case opBalance, opProbe:
		r.probe = o.kind == opProbe
		p.execBalance(ctx, o, &r)
	}
	return r
}

func fingerprint(v any) [32]byte {
	b, err := json.Marshal(v)
	if err != nil {
		return [32]byte{}
	}
	return sha256.Sum256(b)
}

func (p *Poller) execStatus(ctx context.Context, o op, r *result) {
	st, err := p.api.Status(ctx, o.id)
	if err == nil && st == nil {
		err = errEmptyAnswer
	}
	if err != nil {
		r.err = err
		return
	}
	r.hasAuto, r.auto = true, st.AutoDelivery
	if o.unconf && o.spendID != 0 {
		// The order answers: it exists, so the journal entry whose answer was lost was placed.
		// Settled before the status is stored: once terminal, the order is not polled again.
		_, err := p.store.MarkPlaced(o.spendID, o.id)
		switch {
		case err == nil, errors.Is(err, cache.ErrBadTransition):
			r.settled = true
		default:
			p.logf("watch: settling journal entry %d of order %d: %v", o.spendID, o.id, err)
		}
	}
	// An answer identical to the last one stored brings nothing new (its accounts are in the
	// vault already): skip the synced write.
	if fp := fingerprint(st); fp != o.fp {
		up, err := p.store.RecordOrderStatus(o.id, *st)
		if err != nil {
			r.err = &storeError{"storing an order status", err}
			return
		}
		r.fp, r.recorded = fp, true
		r.events, r.fresh = up.Events, up.New
		r.changed = up.StatusChanged || len(up.New) > 0
	}
	r.done = st.Status.Terminal()
}

// fetchCode asks sms_code and, when a code came, stores it (vault and events, one synced
// transaction) into r. It returns the answer, or nil with r.err set.
func (p *Poller) fetchCode(ctx context.Context, o op, r *result) *client.SMSCode {
	c, err := p.api.SMSCode(ctx, o.id)
	if err == nil && c == nil {
		err = errEmptyAnswer
	}
	if err != nil {
		r.err = err
		return nil
	}
	if c.Received() {
		up, err := p.store.RecordSMSCode(o.id, *c)
		if err != nil {
			r.err = &storeError{"storing an SMS code", err}
			return nil
		}
		r.events, r.fresh = up.Events, up.New
		r.codeStored = true
	}
	return c
}

func (p *Poller) execSMSCode(ctx context.Context, o op, r *result) {
	c := p.fetchCode(ctx, o, r)
	if c == nil {
		return
	}
	if c.Received() {
		r.changed = true
		if err := p.store.CloseSMS(o.id); err != nil {
			r.err = &storeError{"closing an SMS number", err}
			return
		}
		r.done = true
		return
	}
	if strings.EqualFold(strings.TrimSpace(c.Status), "expired") {
		r.expiredHint = true
	}
}

func (p *Poller) execSMSStatus(ctx context.Context, o op, r *result) {
	st, err := p.api.SMSStatus(ctx, o.id)
	if err == nil && st == nil {
		err = errEmptyAnswer
	}
	if err != nil {
		r.err = err
		return
	}
	hasCode := strings.TrimSpace(st.Code) != ""
	expired := st.Expired(o.now) || strings.EqualFold(strings.TrimSpace(st.Status), "expired") ||
		(st.ExpiresAt.IsZero() && o.assumeExpired)
	r.expiresAt = st.ExpiresAt
	if expired && !hasCode {
		// Nothing is stored yet: the last sms_code look comes first (next request), then the
		// expiry event, then this status, then the close — a crash anywhere repeats the steps,
		// and each is idempotent.
		cp := *st
		r.final = &cp
		return
	}
	if fp := fingerprint(st); fp != o.fp || hasCode {
		up, err := p.store.RecordSMSStatus(o.id, *st)
		if err != nil {
			r.err = &storeError{"storing an SMS status", err}
			return
		}
		r.fp, r.recorded = fp, true
		r.events, r.fresh = up.Events, up.New
		r.changed = up.StatusChanged || len(up.New) > 0
	}
	if hasCode {
		r.codeStored = true
		if err := p.store.CloseSMS(o.id); err != nil {
			r.err = &storeError{"closing an SMS number", err}
			return
		}
		r.done = true
	}
}

// execSMSFinal is the last look at a number that expired without a code.
func (p *Poller) execSMSFinal(ctx context.Context, o op, r *result) {
	c := p.fetchCode(ctx, o, r)
	if c == nil {
		return
	}
	p.expireAndClose(o, c, r)
}

// expireAndClose records "number expired" (unless a code came: c received), the final status if
// known, and closes the number, in that order.
func (p *Poller) expireAndClose(o op, c *client.SMSCode, r *result) {
	if c == nil || !c.Received() {
		ev, created, err := p.store.RecordEvent(cache.Event{
			Kind: storeNumberExpired, Order: o.id, At: o.now, Key: "sms-expired/" + strconv.FormatInt(o.id, 10),
		})
		if err != nil {
			r.err = &storeError{"recording an expiry", err}
			return
		}
		if created {
			r.events = append(r.events, ev)
		}
	}
	if o.final != nil {
		st := *o.final
		if c != nil && c.Received() {
			st.Code = c.Code
		}
		up, err := p.store.RecordSMSStatus(o.id, st)
		if err != nil {
			r.err = &storeError{"storing an SMS status", err}
			return
		}
		r.events = append(r.events, up.Events...)
		r.fresh = append(r.fresh, up.New...)
	}
	if err := p.store.CloseSMS(o.id); err != nil {
		r.err = &storeError{"closing an SMS number", err}
		return
	}
	r.done = true
}

func (p *Poller) execBalance(ctx context.Context, o op, r *result) {
	b, err := p.api.Balance(ctx)
	if err == nil && b == nil {
		err = errEmptyAnswer
	}
	if err != nil {
		r.err = err
		return
	}
	stored, err := p.store.RecordBalance(*b, o.now)
	if err != nil {
		r.err = &storeError{"storing the balance", err}
		return
	}
	bc := *b
	r.balance = &bc
	th := o.settings.LowBalance
	if th.IsZero() || b.Balance.Cmp(th.Decimal) >= 0 {
		return
	}
	// Below the threshold. One event per episode (a run of balance points below it), keyed by
	// the episode's first point: RecordEvent's key makes it once only, across restarts too.
	prefix := "low-balance/" + th.String() + "/"
	if !stored && strings.HasPrefix(o.lowKey, prefix) {
		return // unchanged balance, episode already announced by this run
	}
	pts, err := p.store.BalanceHistory(time.Time{}, time.Time{})
	if err != nil {
		r.err = &storeError{"reading the balance history", err}
		return
	}
	start := o.now
	for i := len(pts) - 1; i >= 0 && pts[i].Balance.Cmp(th.Decimal) < 0; i-- {
		start = pts[i].At
	}
	key := prefix + strconv.FormatInt(start.UnixNano(), 10)
	r.lowKey = key
	if key == o.lowKey {
		return
	}
	ev, created, err := p.store.RecordEvent(cache.Event{
		Kind: storeLowBalance, At: o.now, Key: key,
		Text: b.Balance.String() + " " + b.Currency, Status: th.String(),
	})
	if err != nil {
		r.err = &storeError{"recording a low balance", err}
		return
	}
	if created {
		r.events = append(r.events, ev)
	}
}

// errClass is what an error means for the schedule.
type errClass uint8

const (
	errNone        errClass = iota
	errCanceled             // the poller is stopping
	errStore                // the store failed
	errRateLimited          // 429 or a rate-limit message: pause everything
	errNetwork              // no usable answer: counts towards offline
	errAuth                 // the key is refused: offline until it is not
	errNotFound             // "Order not found": back off long
	errOther                // the API answered with an error
)

func classify(err error) (errClass, time.Duration) {
	if err == nil {
		return errNone, 0
	}
	var se *storeError
	if errors.As(err, &se) {
		return errStore, 0
	}
	var rl *client.RateLimitError
	if errors.As(err, &rl) {
		return errRateLimited, rl.RetryAfter
	}
	if errors.Is(err, client.ErrInvalidKey) || errors.Is(err, client.ErrMissingAPIKey) {
		return errAuth, 0
	}
	if errors.Is(err, client.ErrOrderNotFound) {
		return errNotFound, 0
	}
	var ae *client.APIError
	if errors.As(err, &ae) {
		return errOther, 0
	}
	if errors.Is(err, context.Canceled) {
		return errCanceled, 0
	}
	var te *client.TransportError
	if errors.As(err, &te) {
		if errors.Is(err, client.ErrInvalidArgument) {
			return errOther, 0
		}
		if errors.Is(err, client.ErrMalformedResponse) && te.HTTPStatus >= 200 && te.HTTPStatus < 300 {
			return errOther, 0 // JSON of another shape: the server answers, oddly
		}
		return errNetwork, 0
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errNetwork, 0
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return errNetwork, 0
	}
	return errOther, 0
}
