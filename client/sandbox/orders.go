package sandbox

import (
	"cmp"
	"container/heap"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Order lifecycle, in simulated time (real time = simulated / Options.Speed).
// Nothing runs in the background: an order's state is computed from the clock
// whenever it is asked for, and refunds are credited by settleLocked, which
// every action touching the customer's state calls first.
const (
	// AutoPending is how long an automatic order (every SMM service, products
	// with autoDelivery) stays Pending; it is then In progress for
	// AutoRunMin to AutoRunMax (whole seconds, from the order id).
	AutoPending = 2 * time.Second
	AutoRunMin  = 5 * time.Second
	AutoRunMax  = 10 * time.Second

	// ManualPending, ManualRunMin and ManualRunMax are the same for products
	// a supplier fills by hand (autoDelivery false).
	ManualPending = 15 * time.Second
	ManualRunMin  = 45 * time.Second
	ManualRunMax  = 60 * time.Second

	// CancelAfter: a Canceled order stays Pending for its pending time plus
	// CancelAfter, then turns Canceled with a full refund.
	CancelAfter = 2 * time.Second

	// The n-th order placed on a server (n from 1) ends Canceled when
	// n % CanceledEvery == CanceledOffset (the 5th, 15th, 25th…), Partial when
	// n % PartialEvery == 0 and its quantity is at least 2 (the 10th, 20th…),
	// and Completed otherwise. A Partial order delivers PartialMinPct to
	// PartialMaxPct percent of its quantity (from the order id) and gets the
	// undelivered part refunded when it ends.
	CanceledEvery  = 10
	CanceledOffset = 5
	PartialEvery   = 10
	PartialMinPct  = 30
	PartialMaxPct  = 80
)

// firstOrderID is the first order number; add and add_sms share the sequence.
const firstOrderID = 23501

type outcome uint8

const (
	outcomeCompleted outcome = iota
	outcomePartial
	outcomeCanceled
)

// allocPart is the share of a product order one subproduct fills.
type allocPart struct {
	sub   int
	qty   int
	price int64 // ten-thousandths
}

// An order is never modified once stored in Server.orders (state snapshots
// share the pointers).
type order struct {
	id         int64
	row        *row
	qty        int
	link       string
	comments   []string
	created    time.Time
	startAt    time.Time // end of Pending
	doneAt     time.Time // terminal state from here on
	outcome    outcome
	delivered  int // final number delivered
	startCount int
	charge     decimal.Decimal
	refund     decimal.Decimal // credited at doneAt (Partial, Canceled)
	alloc      []allocPart
}

// state is the order's status and the units delivered so far at now.
func (o *order) state(now time.Time) (string, int) {
	switch {
	case o.outcome == outcomeCanceled:
		if now.Before(o.doneAt) {
			return "Pending", 0
		}
		return "Canceled", 0
	case now.Before(o.startAt):
		return "Pending", 0
	case now.Before(o.doneAt):
		frac := float64(now.Sub(o.startAt)) / float64(o.doneAt.Sub(o.startAt))
		return "In progress", int(float64(o.delivered) * frac)
	case o.outcome == outcomePartial:
		return "Partial", o.delivered
	}
	return "Completed", o.qty
}

// settleItem is a refund due at a time.
type settleItem struct {
	at time.Time
	id int64
}

type settleHeap []settleItem

func (h settleHeap) Len() int           { return len(h) }
func (h settleHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h settleHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *settleHeap) Push(x any)        { *h = append(*h, x.(settleItem)) }
func (h *settleHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// settleLocked credits every refund that has come due by now, each exactly
// once. s.mu must be held.
func (s *Server) settleLocked(now time.Time) {
	for len(s.settleQ) > 0 && !s.settleQ[0].at.After(now) {
		it := heap.Pop(&s.settleQ).(settleItem)
		if o := s.orders[it.id]; o != nil {
			s.balance = s.balance.Add(o.refund)
		}
		s.changedLocked()
	}
}

// splitComments reads a Custom Comments list: one comment per line, blank
// lines ignored.
func splitComments(s string) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func (s *Server) actAdd(form url.Values) (int, []byte) {
	svc := strings.TrimSpace(form.Get("service"))
	if svc == "" {
		return fail(errServiceID)
	}
	n, err := strconv.Atoi(svc)
	if err != nil {
		return fail(errServiceMissing)
	}
	rw := s.cat.row(n)
	if rw == nil {
		return fail(errServiceMissing)
	}
	link := strings.TrimSpace(form.Get("link"))
	qtyStr := strings.TrimSpace(form.Get("quantity"))
	var comments []string
	if rw.typ == "Custom Comments" {
		comments = splitComments(form.Get("comments"))
		if len(comments) == 0 {
			return fail("Comments are required for this service (one per line)")
		}
		if qtyStr == "" {
			qtyStr = strconv.Itoa(len(comments))
		}
	}
	if qtyStr == "" {
		return fail("Quantity is required")
	}
	qty, err := strconv.Atoi(qtyStr)
	if err != nil {
		return fail("Quantity must be a whole number")
	}
	if comments != nil && qty != len(comments) {
		return fail(fmt.Sprintf("Quantity must equal the number of comments (%d)", len(comments)))
	}
	if qty < rw.min || qty > rw.max {
		return fail(fmt.Sprintf("Quantity must be between %d and %d", rw.min, rw.max))
	}
	if rw.kind == entitySMM && link == "" {
		return fail("Link is required")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settleLocked(now)

	// Plan the stock: SMM from the row's slot; products from the primary
	// subproduct first, then from the others in order, each at its own price.
	var charge decimal.Decimal
	var alloc []allocPart
	var stockBefore int64
	if rw.kind == entitySMM {
		if s.stock[rw.slot].Load() < int64(qty) {
			return fail("Not enough stock")
		}
		charge = smmCharge(units(s.rowRate(rw)), qty)
	} else {
		left := qty
		for i, sp := range rw.subs {
			have := s.slotStock(sp.slot)
			stockBefore += have
			if left == 0 || have == 0 {
				continue
			}
			take := int(min(have, int64(left)))
			alloc = append(alloc, allocPart{sub: i, qty: take, price: s.subPrice(rw, i)})
			left -= take
		}
		if left > 0 {
			return fail("Not enough stock")
		}
		for _, a := range alloc {
			charge = charge.Add(units(a.price).Mul(decimal.NewFromInt(int64(a.qty))))
		}
	}
	if s.balance.LessThan(charge) {
		return fail(errInsufficient)
	}

	// Commit.
	if rw.kind == entitySMM {
		s.stock[rw.slot].Add(-int64(qty))
		s.touched[rw.slot] = struct{}{}
	} else {
		for _, a := range alloc {
			slot := rw.subs[a.sub].slot
			s.stock[slot].Add(-int64(a.qty))
			s.touched[slot] = struct{}{}
		}
	}
	s.balance = s.balance.Sub(charge)
	id := s.nextID
	s.nextID++
	s.orderSeq++
	o := &order{
		id: id, row: rw, qty: qty, link: link, comments: comments,
		created: now, charge: charge, alloc: alloc, delivered: qty,
	}
	s.plan(o, s.orderSeq, stockBefore)
	s.orders[id] = o
	if o.refund.IsPositive() {
		heap.Push(&s.settleQ, settleItem{at: o.doneAt, id: id})
	}
	s.changedLocked()
	s.ordersPlaced.Add(1)
	return ok(struct {
		Order int64 `json:"order"`
	}{id})
}

// plan fixes an order's timeline, outcome and refund from its sequence number
// and id.
func (s *Server) plan(o *order, seq int, stockBefore int64) {
	pending, runMin, runMax := AutoPending, AutoRunMin, AutoRunMax
	if !o.row.auto {
		pending, runMin, runMax = ManualPending, ManualRunMin, ManualRunMax
	}
	spread := int64((runMax - runMin) / time.Second)
	run := runMin + time.Duration(rangeOf(hash(s.seed, tagDuration, uint64(o.id)), 0, spread))*time.Second
	o.startAt = o.created.Add(s.scale(pending))
	o.doneAt = o.created.Add(s.scale(pending + run))

	if o.row.kind == entitySMM {
		o.startCount = int(rangeOf(hash(s.seed, tagStart, uint64(o.id)), 0, 25000))
	} else {
		o.startCount = int(stockBefore)
	}

	switch {
	case seq%CanceledEvery == CanceledOffset:
		o.outcome = outcomeCanceled
		o.delivered = 0
		o.doneAt = o.created.Add(s.scale(pending + CancelAfter))
		o.refund = o.charge
	case seq%PartialEvery == 0 && o.qty >= 2:
		o.outcome = outcomePartial
		pct := int(rangeOf(hash(s.seed, tagOutcome, uint64(o.id)), PartialMinPct, PartialMaxPct))
		o.delivered = min(max(o.qty*pct/100, 1), o.qty-1)
		o.refund = o.charge.Sub(s.costOf(o, o.delivered))
	}
}

// costOf is what the first n units of an order cost: for SMM the rate applied
// to n, rounded like a charge; for products the unit prices of the first n
// units in fill order. charge - costOf(delivered) is the Partial refund.
func (s *Server) costOf(o *order, n int) decimal.Decimal {
	if o.row.kind == entitySMM {
		return smmCharge(units(s.rowRate(o.row)), n)
	}
	var cost decimal.Decimal
	for _, a := range o.alloc {
		take := min(a.qty, n)
		cost = cost.Add(units(a.price).Mul(decimal.NewFromInt(int64(take))))
		n -= take
		if n == 0 {
			break
		}
	}
	return cost
}

func (s *Server) actStatus(form url.Values) (int, []byte) {
	id, err := strconv.ParseInt(strings.TrimSpace(form.Get("order")), 10, 64)
	if err != nil {
		return fail(errOrderNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settleLocked(now)
	o := s.orders[id]
	if o == nil {
		return fail(errOrderNotFound)
	}
	status, delivered := o.state(now)
	charge := o.charge
	startCount := o.startCount
	switch status {
	case "Partial", "Canceled":
		charge = charge.Sub(o.refund) // what the customer paid in the end
	case "Pending":
		if o.row.kind == entitySMM {
			startCount = 0
		}
	}
	resp := struct {
		Status       string   `json:"status"`
		Charge       string   `json:"charge"`
		StartCount   int      `json:"start_count"`
		Remains      int      `json:"remains"`
		Currency     string   `json:"currency"`
		EntityType   string   `json:"entityType"`
		AutoDelivery bool     `json:"autoDelivery"`
		Accounts     []string `json:"accounts,omitempty"`
	}{
		Status:       status,
		Charge:       money4(charge),
		StartCount:   startCount,
		Remains:      o.qty - delivered,
		Currency:     s.currency,
		EntityType:   o.row.kind.String(),
		AutoDelivery: o.row.auto,
	}
	if o.row.kind == entityProduct && delivered > 0 {
		resp.Accounts = make([]string, delivered)
		for i := range delivered {
			resp.Accounts[i] = s.credential(o, i)
		}
	}
	return ok(resp)
}

// PlacedOrder is an order the server committed, as tests see it.
type PlacedOrder struct {
	ID       int64
	Service  int
	Link     string
	Quantity int
}

// Orders lists every order committed, in id order (including those whose answer a
// DropAfterCommit fault swallowed): what the account was really charged for.
func (s *Server) Orders() []PlacedOrder {
	s.mu.Lock()
	out := make([]PlacedOrder, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, PlacedOrder{ID: o.id, Service: o.row.number, Link: o.link, Quantity: o.qty})
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b PlacedOrder) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
