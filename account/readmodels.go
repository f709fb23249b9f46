package account

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// Journal is what the Orders tab lists: every order, and the journal entries of orders that
// have no order id (sending, unconfirmed, or marked not placed by the user) or whose order is
// unconfirmed. Entries the server refused are not in it: nothing was bought, and the user was
// told at once.
type Journal struct {
	Orders []Order // newest first
	Spends []Spend
}

// OrdersJournal reads the Orders tab's journal.
func (s *Service) OrdersJournal() (Journal, error) {
	orders, err := s.store.Orders(cache.Query{})
	if err != nil {
		return Journal{}, err
	}
	spends, err := s.store.Spends(cache.SpendUnconfirmed, cache.SpendSending, cache.SpendFailed)
	if err != nil {
		return Journal{}, err
	}
	j := Journal{Orders: orders}
	have := map[uint64]bool{}
	for _, sp := range spends {
		listed := sp.State == cache.SpendUnconfirmed ||
			(len(sp.Orders) == 0 && (sp.State == cache.SpendSending || (sp.State == cache.SpendFailed && sp.Error == NotPlacedReason)))
		if sp.Action == cache.ActionAdd && listed {
			j.Spends = append(j.Spends, sp)
			have[sp.ID] = true
		}
	}
	for _, o := range orders {
		if o.Unconfirmed && o.SpendID != 0 && !have[o.SpendID] {
			if sp, err := s.store.Spend(o.SpendID); err == nil {
				j.Spends = append(j.Spends, sp)
				have[sp.ID] = true
			}
		}
	}
	return j, nil
}

// OrderDetail is what the detail pane of an order shows besides the order: its status history
// (oldest first) and its delivered accounts, in arrival order.
type OrderDetail struct {
	History  []StatusChange
	Accounts []string
}

// OrderDetail reads the history and the delivered accounts of an order.
func (s *Service) OrderDetail(id int64) (OrderDetail, error) {
	var d OrderDetail
	hist, err := s.store.OrderHistory(id)
	if err != nil {
		return d, err
	}
	dels, err := s.store.Deliveries(id)
	if err != nil {
		return d, err
	}
	d.History = hist
	for _, dl := range dels {
		if dl.Kind == cache.DeliveryAccount {
			d.Accounts = append(d.Accounts, dl.Value)
		}
	}
	return d, nil
}

// NumberView is one rented number with its codes, oldest first.
type NumberView struct {
	Number SMSNumber
	Codes  []Delivery
}

// LastCode is the newest code the number received, if any.
func (v NumberView) LastCode() (Delivery, bool) {
	if len(v.Codes) == 0 {
		return Delivery{}, false
	}
	return v.Codes[len(v.Codes)-1], true
}

// Numbers is what the SMS tab shows: the numbers, newest first, with their codes, and the
// purchases whose answer was lost before any number was known.
type Numbers struct {
	Views   []NumberView
	Pending []Spend
}

// NumbersHistoryLimit bounds how many numbers Numbers reads (newest first).
const NumbersHistoryLimit = 500

// Numbers reads the SMS tab's numbers.
func (s *Service) Numbers() (Numbers, error) {
	nums, err := s.store.SMSNumbers(cache.Query{Limit: NumbersHistoryLimit})
	if err != nil {
		return Numbers{}, err
	}
	out := Numbers{Views: make([]NumberView, 0, len(nums))}
	for _, n := range nums {
		v := NumberView{Number: n}
		if n.Codes > 0 {
			ds, err := s.store.Deliveries(n.Order)
			if err != nil {
				return Numbers{}, err
			}
			for _, d := range ds {
				if d.Kind == cache.DeliverySMSCode {
					v.Codes = append(v.Codes, d)
				}
			}
		}
		out.Views = append(out.Views, v)
	}
	spends, err := s.store.Spends(cache.SpendUnconfirmed)
	if err != nil {
		return Numbers{}, err
	}
	for _, sp := range spends {
		if sp.Action == cache.ActionAddSMS && len(sp.Orders) == 0 {
			out.Pending = append(out.Pending, sp)
		}
	}
	return out, nil
}

// NumberLive reports whether a number is still in use at now: before its expiry (the server's,
// else estimated from when it was rented), and not given up. The poller closes a number once its
// code is in, so a closed number with a code stays live until it expires; one closed without a
// code was given up on.
func NumberLive(n SMSNumber, codes int, now time.Time) bool {
	if strings.EqualFold(strings.TrimSpace(n.Status), "expired") || (n.Closed && codes == 0 && n.Codes == 0) {
		return false
	}
	at, _ := NumberExpiry(n)
	return now.Before(at)
}

// NumberExpiry is when n stops receiving: as the server said (exact), else estimated.
func NumberExpiry(n SMSNumber) (at time.Time, exact bool) {
	if !n.ExpiresAt.IsZero() {
		return n.ExpiresAt, true
	}
	return n.PlacedAt.Add(DefaultSMSLifetime), false
}

// DayTotal is what was charged on one local day.
type DayTotal struct {
	Day   time.Time
	Total client.Decimal
}

// Charts are the Balance tab's: the balance over the last days (a step line, drawn up to now)
// and what was charged per day.
type Charts struct {
	History []BalancePoint
	Spent   []DayTotal
}

// BalanceCharts reads the balance history and the journal's charges of the last days days.
func (s *Service) BalanceCharts(days int, now time.Time) (Charts, error) {
	since := now.AddDate(0, 0, -days)
	var c Charts
	pts, err := s.store.BalanceHistory(since, now)
	if err != nil {
		return c, err
	}
	c.History = pts
	if len(pts) > 0 { // a balance holds until it changes: draw the last one up to now
		last := pts[len(pts)-1]
		last.At = now
		c.History = append(c.History, last)
	}
	orders, err := s.store.Orders(cache.Query{Since: since})
	if err != nil {
		return c, err
	}
	numbers, err := s.store.SMSNumbers(cache.Query{Since: since})
	if err != nil {
		return c, err
	}
	c.Spent = SpendingPerDay(orders, numbers, days, now)
	return c, nil
}

// SpendingPerDay adds up, exactly, what orders and numbers were charged on each local day of the
// last days days (today included), oldest first. A charge counts on the day it was placed; an
// order with no reported charge yet counts nothing (its estimate is not a charge).
func SpendingPerDay(orders []Order, numbers []SMSNumber, days int, now time.Time) []DayTotal {
	now = now.Local()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	first := today.AddDate(0, 0, -(days - 1))
	sums := make([]decimal.Decimal, days)
	add := func(at time.Time, charge client.Decimal) {
		at = at.Local()
		d := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.Local)
		i := int(d.Sub(first).Hours()/24 + 0.5)
		if i >= 0 && i < days {
			sums[i] = sums[i].Add(charge.Decimal)
		}
	}
	for _, o := range orders {
		add(o.PlacedAt, o.Charge)
	}
	for _, n := range numbers {
		add(n.PlacedAt, n.Charge)
	}
	out := make([]DayTotal, days)
	for i := range out {
		out[i] = DayTotal{Day: first.AddDate(0, 0, i), Total: client.Decimal{Decimal: sums[i]}}
	}
	return out
}

// Tray is what the tray menu lists besides the balance.
type Tray struct {
	Numbers    []TrayNumber
	Deliveries []TrayDelivery
}

// TrayNumber is an active SMS number with its latest code ("" while waiting).
type TrayNumber struct {
	Order        int64
	Phone, Label string
	Code         string
}

// TrayDelivery is a recent delivery: how many accounts, never the accounts themselves.
type TrayDelivery struct {
	Order int64
	Label string
	Count int
	At    time.Time // when it was delivered
}

// TrayRecent is how many numbers and deliveries the tray lists.
const TrayRecent = 5

// TrayState reads what the tray lists at now: the live numbers (those whose code came too,
// until they expire) and the last deliveries.
func (s *Service) TrayState(now time.Time) (Tray, error) {
	var t Tray
	nums, err := s.store.SMSNumbers(cache.Query{Limit: NumbersHistoryLimit})
	if err != nil {
		return t, err
	}
	for _, n := range nums {
		if len(t.Numbers) == TrayRecent {
			break
		}
		if n.Unconfirmed || !NumberLive(n, n.Codes, now) {
			continue
		}
		tn := TrayNumber{Order: n.Order, Phone: n.Phone, Label: n.Label}
		if n.Codes > 0 {
			if ds, err := s.store.Deliveries(n.Order); err == nil {
				for _, d := range ds {
					if d.Kind == cache.DeliverySMSCode {
						tn.Code = d.Value
					}
				}
			}
		}
		t.Numbers = append(t.Numbers, tn)
	}
	evs, err := s.store.RecentEvents(50)
	if err != nil {
		return t, err
	}
	for _, ev := range evs {
		if ev.Kind != cache.EventDelivery || len(t.Deliveries) == TrayRecent {
			continue
		}
		d := TrayDelivery{Order: ev.Order, Count: ev.Count, At: ev.At}
		if o, err := s.store.Order(ev.Order); err == nil {
			d.Label = o.Label
		}
		t.Deliveries = append(t.Deliveries, d)
	}
	return t, nil
}

// OpenOrders lists the orders the poller follows: not final, or of an unconfirmed entry.
func (s *Service) OpenOrders() ([]Order, error) { return s.store.OpenOrders() }

// OpenNumbers lists every number not closed, expired ones included: a number past its expiry
// still gets its last look before the poller closes it.
func (s *Service) OpenNumbers() ([]SMSNumber, error) { return s.store.OpenSMS(time.Time{}) }

// Transaction is one charge of the journal: an order or a rented number, what it cost (as
// HstockPlus reported it; refunds of partial and cancelled orders are in it), and the balance
// after it.
type Transaction struct {
	At     time.Time
	Order  int64
	Number bool // an SMS number, else an order
	Label  string
	// Amount is the change of the balance: the charge, negative; zero while none is reported.
	Amount client.Decimal
	// Known: HstockPlus reported the charge (an order without a status yet has none).
	Known bool
	// Balance after this transaction, counted back from the balance now; known when the
	// balance is.
	Balance      client.Decimal
	BalanceKnown bool
}

// Transactions lists the charges of the last days days, newest first, with the balance after
// each, counted back from the balance as last read (top-ups are not in the journal: the column
// is exact between them).
func (s *Service) Transactions(days int, now time.Time) ([]Transaction, error) {
	since := now.AddDate(0, 0, -days)
	orders, err := s.store.Orders(cache.Query{Since: since})
	if err != nil {
		return nil, err
	}
	numbers, err := s.store.SMSNumbers(cache.Query{Since: since})
	if err != nil {
		return nil, err
	}
	var out []Transaction
	for _, o := range orders {
		t := Transaction{At: o.PlacedAt, Order: o.ID, Label: o.Label, Known: o.Status != ""}
		if t.Known {
			t.Amount = client.Decimal{Decimal: o.Charge.Neg()}
		}
		out = append(out, t)
	}
	for _, n := range numbers {
		if n.Unconfirmed && n.Charge.IsZero() {
			continue
		}
		label := n.Label
		if n.Phone != "" {
			label += " · " + n.Phone
		}
		out = append(out, Transaction{At: n.PlacedAt, Order: n.Order, Number: true, Label: label,
			Amount: client.Decimal{Decimal: n.Charge.Neg()}, Known: !n.Charge.IsZero() || n.Status != ""})
	}
	slices.SortFunc(out, func(a, b Transaction) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return cmp.Compare(b.Order, a.Order)
	})
	if r, ok := s.Balance(); ok {
		bal := r.Balance.Balance.Decimal
		for i := range out {
			out[i].Balance, out[i].BalanceKnown = client.Decimal{Decimal: bal}, true
			bal = bal.Sub(out[i].Amount.Decimal) // the balance before it
		}
	}
	return out, nil
}
