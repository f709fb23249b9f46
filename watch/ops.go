package watch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
)

// opKind is one thing a worker does: at most one request, through the service layer, which
// stores what the answer brings and announces it.
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
	opWatch                       // inventory of a watched service or product
)

// sends reports whether the op sends a request (and takes a token of the rate limit).
func (k opKind) sends() bool { return k != opSMSClose && k != opSMSGiveUp }

// op is what a worker gets: a copy of what it needs, never the item itself.
type op struct {
	kind          opKind
	id            int64
	now           time.Time
	fp            account.Fingerprint
	unconf        bool
	spendID       uint64
	assumeExpired bool
	final         *client.SMSStatus
}

// result is what a worker brings back to the loop.
type result struct {
	it    *item
	op    opKind
	probe bool
	err   error

	fp          account.Fingerprint
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
}

// exec runs one op through the service layer.
func (p *Poller) exec(ctx context.Context, o op) (r result) {
	r.op = o.kind
	defer func() {
		if x := recover(); x != nil {
			r.err = fmt.Errorf("watch: panic in %d for %d: %v", o.kind, o.id, x)
		}
	}()
	var c account.CheckResult
	var err error
	switch o.kind {
	case opStatus:
		c, err = p.svc.CheckOrder(ctx, account.OrderCheck{ID: o.id, Unconfirmed: o.unconf, SpendID: o.spendID, Last: o.fp})
	case opSMSCode:
		c, err = p.svc.CheckCode(ctx, o.id)
	case opSMSStatus:
		c, err = p.svc.CheckNumberStatus(ctx, o.id, o.assumeExpired, o.fp)
	case opSMSFinal:
		c, err = p.svc.FinalLook(ctx, o.id, o.final)
	case opSMSClose:
		c, err = p.svc.CloseNumber(o.id)
	case opSMSGiveUp:
		c, err = p.svc.GiveUpNumber(o.id, o.final)
	case opWatch:
		if ws, ok := p.svc.(WatchService); ok {
			c, err = ws.CheckWatch(ctx, o.id)
		} else {
			c.Done = true
		}
	case opBalance, opProbe:
		r.probe = o.kind == opProbe
		_, err = p.svc.RefreshBalance(ctx)
	}
	r.err = err
	r.fp, r.recorded, r.changed, r.done, r.settled = c.Fingerprint, c.Recorded, c.Changed, c.Done, c.Settled
	r.hasAuto, r.auto, r.codeStored = c.HasAuto, c.Auto, c.CodeStored
	r.expiresAt, r.expiredHint, r.final = c.ExpiresAt, c.ExpiredHint, c.Final
	return r
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
	var se *account.StoreError
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
