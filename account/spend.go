package account

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// Outcome is what became of one spend.
type Outcome int

const (
	// Placed: the server gave an order id (or the numbers).
	Placed Outcome = iota
	// NotPlaced: refused, or never sent: nothing was spent.
	NotPlaced
	// Unconfirmed: the answer was lost: it may have been placed. It is not sent again.
	Unconfirmed
)

// ErrNotJournaled: the spend could not be written to the journal, so it was not sent.
var ErrNotJournaled = errors.New("account: the spend could not be recorded before sending it, so it was not sent")

// spendOnce is the protocol of every call that spends money: begin writes the journal entry
// (a synced write) before send is called, once; a call that worked is settled by placed, one
// that provably never took effect (client.ErrNotSent: refused, or never sent) is marked failed,
// and any other failure — the request may have reached the server — is marked unconfirmed for
// the user to resolve. Nothing is ever re-sent. Every step is announced (KindJournal), and the
// poller is told of what may have been bought.
func (s *Service) spendOnce(what string, begin func() (cache.Spend, error), send func() error, placed func(cache.Spend) error) (Outcome, error) {
	sp, err := begin()
	if err != nil {
		return NotPlaced, fmt.Errorf("%w: %w", ErrNotJournaled, err)
	}
	s.publish(Event{Kind: KindJournal, At: s.clock.Now(), Spend: &sp})
	err = send()
	switch {
	case err == nil:
		if jerr := placed(sp); jerr != nil {
			s.logf("journal: %s placed but not recorded as such: %v", what, jerr)
		}
		s.publishSpend(sp.ID)
		s.kick()
		return Placed, nil
	case errors.Is(err, client.ErrNotSent):
		if jerr := s.store.MarkFailed(sp.ID, err.Error()); jerr != nil {
			s.logf("journal: %v", jerr)
		}
		s.publishSpend(sp.ID)
		return NotPlaced, err
	default:
		if jerr := s.store.MarkUnconfirmed(sp.ID, err.Error()); jerr != nil {
			s.logf("journal: %v", jerr)
		}
		s.logf("journal: outcome unknown for a %s (entry %d)", what, sp.ID)
		s.publishSpend(sp.ID)
		s.kick()
		return Unconfirmed, err
	}
}

// publishSpend announces a journal entry as it now stands, with what it produced.
func (s *Service) publishSpend(id uint64) {
	sp, err := s.store.Spend(id)
	if err != nil {
		s.logf("journal: reading entry %d: %v", id, err)
		return
	}
	ev := Event{Kind: KindJournal, At: s.clock.Now(), Spend: &sp}
	for _, oid := range sp.Orders {
		switch sp.Action {
		case cache.ActionAdd:
			if o, err := s.store.Order(oid); err == nil {
				ev.OrderRec = &o
				ev.Order = o.ID
			}
		case cache.ActionAddSMS:
			if n, err := s.store.SMSNumber(oid); err == nil {
				ev.Numbers = append(ev.Numbers, n)
			}
		}
	}
	s.publish(ev)
}

// Placement is what became of an order.
type Placement struct {
	Outcome Outcome
	Order   int64 // the order id, when placed
	// Warning is what the server said besides placing it ("Order created, e-mail notification
	// failed"): an order id in the answer means placed, whatever else it says.
	Warning string
}

// Rental is what became of an SMS purchase.
type Rental struct {
	Outcome Outcome
	Numbers []SMSNumber
	Warning string // what the server said besides (some numbers may have come without an id)
}

// PlaceOrder journals an order, sends it once and records what became of it.
func (s *Service) PlaceOrder(ctx context.Context, req client.AddRequest, label string, estimate client.Decimal) (Placement, error) {
	return s.placeOrder(ctx, req, func() (cache.Spend, error) { return s.store.BeginAdd(req, label, estimate) })
}

// placeOrder is PlaceOrder with the journal entry written by begin (a mass order's line writes
// it with the line).
func (s *Service) placeOrder(ctx context.Context, req client.AddRequest, begin func() (cache.Spend, error)) (Placement, error) {
	var res *client.AddResult
	out, err := s.spendOnce("order", begin,
		func() (err error) {
			res, err = s.api.Add(ctx, req)
			s.observe(err)
			if err == nil && res == nil {
				err = ErrEmptyAnswer
			}
			return err
		},
		func(sp cache.Spend) error {
			s.logf("order: placed #%d (service %d × %d)", res.Order, req.Service, req.Quantity)
			_, err := s.store.MarkPlaced(sp.ID, res.Order)
			return err
		})
	if out == Placed {
		if res.Warning != "" {
			s.logf("order: #%d placed, and HstockPlus said: %s", res.Order, res.Warning)
		}
		return Placement{Outcome: out, Order: res.Order, Warning: res.Warning}, nil
	}
	return Placement{Outcome: out}, err
}

// RentNumbers journals an SMS purchase, sends it once and records what became of it: like
// PlaceOrder, it never sends twice, and a lost answer leaves an unconfirmed journal entry. It
// returns the numbers rented.
func (s *Service) RentNumbers(ctx context.Context, req client.AddSMSRequest, label string, estimate client.Decimal) (Rental, error) {
	var orders []client.SMSOrder
	var nums []SMSNumber
	out, err := s.spendOnce("SMS purchase",
		func() (cache.Spend, error) { return s.store.BeginAddSMS(req, label, estimate) },
		func() (err error) {
			orders, err = s.api.AddSMS(ctx, req)
			s.observe(err)
			return err
		},
		func(sp cache.Spend) error {
			s.logf("sms: rented %d number(s) (project %s)", len(orders), req.ProjectID)
			var err error
			if nums, err = s.store.MarkSMSPlaced(sp.ID, orders); err != nil {
				nums = nums[:0]
				for _, o := range orders { // show them all the same
					nums = append(nums, SMSNumber{Order: o.Order, Phone: o.Phone, Country: o.Country, Label: label})
				}
			}
			return err
		})
	var warnings []string
	for _, o := range orders {
		if o.Warning != "" && !slices.Contains(warnings, o.Warning) {
			warnings = append(warnings, o.Warning)
		}
	}
	return Rental{Outcome: out, Numbers: nums, Warning: strings.Join(warnings, " ")}, err
}

// MarkNotPlaced settles an unconfirmed journal entry as not placed, on the user's word after
// checking the balance. cache.ErrBadTransition: it was settled meanwhile.
func (s *Service) MarkNotPlaced(spendID uint64) error {
	if err := s.store.MarkFailed(spendID, NotPlacedReason); err != nil {
		return err
	}
	s.publishSpend(spendID)
	s.kick()
	return nil
}

// ErrSettledMeanwhile: the journal entry was settled by something else meanwhile.
var ErrSettledMeanwhile = cache.ErrBadTransition

// OrderNow is what "Check now" found for an order.
type OrderNow struct {
	Status    string
	Confirmed bool // an unconfirmed entry was settled as placed by this check
	New       int  // new accounts delivered
}

// ErrUnknownOrder: HstockPlus does not know the order (the answer "Order not found").
var ErrUnknownOrder = client.ErrOrderNotFound

// CheckOrderNow asks the status of one order at once, through the poller's own check: what it
// brings is stored and announced exactly as if the poller had found it.
func (s *Service) CheckOrderNow(ctx context.Context, id int64) (OrderNow, error) {
	o, err := s.store.Order(id)
	if err != nil {
		return OrderNow{}, err
	}
	c := OrderCheck{ID: id}
	if o.Unconfirmed {
		c.Unconfirmed, c.SpendID = true, o.SpendID
	}
	r, err := s.CheckOrder(ctx, c)
	if err != nil {
		return OrderNow{}, err
	}
	s.kick()
	return OrderNow{Status: r.Status, Confirmed: r.Settled && c.Unconfirmed, New: r.New}, nil
}

// CheckNumberNow asks at once for a number's code (and, without one, its status), through the
// poller's own checks: a code is stored, announced (and so copied and notified) once.
func (s *Service) CheckNumberNow(ctx context.Context, id int64) error {
	r, err := s.CheckCode(ctx, id)
	if err != nil {
		return err
	}
	if !r.Done {
		if _, err := s.CheckNumberStatus(ctx, id, false, Fingerprint{}); err != nil {
			return err
		}
	}
	s.kick()
	return nil
}

// OrdersInFlight lists the journal entries of an identical order — same service, link, quantity
// and comments — that are still being sent or whose outcome is unknown: placing it again may buy
// it twice.
func (s *Service) OrdersInFlight(req client.AddRequest) ([]Spend, error) {
	return s.inFlight(func(sp Spend) bool {
		return sp.Action == cache.ActionAdd && sp.Add.Service == req.Service && sp.Add.Link == req.Link &&
			sp.Add.Quantity == req.Quantity && sp.Add.Comments == req.Comments
	})
}

// RentalsInFlight is OrdersInFlight for SMS numbers: same service (project), country, number
// and quantity.
func (s *Service) RentalsInFlight(req client.AddSMSRequest) ([]Spend, error) {
	return s.inFlight(func(sp Spend) bool {
		return sp.Action == cache.ActionAddSMS && sp.AddSMS.ProjectID == req.ProjectID && sp.AddSMS.Country == req.Country &&
			sp.AddSMS.Phone == req.Phone && sp.AddSMS.Quantity == req.Quantity
	})
}

func (s *Service) inFlight(same func(Spend) bool) ([]Spend, error) {
	spends, err := s.store.Spends(cache.SpendSending, cache.SpendUnconfirmed)
	if err != nil {
		return nil, err
	}
	var out []Spend
	for _, sp := range spends {
		if same(sp) {
			out = append(out, sp)
		}
	}
	slices.SortFunc(out, func(a, b Spend) int { return cmp.Compare(a.ID, b.ID) }) // oldest first
	return out, nil
}
