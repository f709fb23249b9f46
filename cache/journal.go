package cache

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/hstockplus/hstockplus/client"
)

// The journal of spending calls. Every add and add_sms is written (synced) before it is sent, in
// state SpendSending; the answer then moves it to SpendPlaced (with its order ids), SpendFailed
// (the server refused: nothing was bought) or SpendUnconfirmed (the request may have reached the
// server but no answer came: the outcome is unknown, and the app never resends it). An entry found
// in SpendSending when the store opens was interrupted by a crash or a kill: it becomes
// SpendUnconfirmed.
//
// Placing an order or an SMS number also creates its record (Order, SMSNumber), which keeps the
// last status, its history and the link to the vault.

// SpendAction is the API action of a journal entry.
type SpendAction string

// The two actions that spend money.
const (
	ActionAdd    SpendAction = "add"
	ActionAddSMS SpendAction = "add_sms"
)

// SpendState is where a journal entry stands.
type SpendState string

// Journal states. Sending → Placed | Failed | Unconfirmed; Unconfirmed → Placed | Failed (when
// the user or a later check settles it). Placed and Failed are final.
const (
	SpendSending     SpendState = "sending"
	SpendPlaced      SpendState = "placed"
	SpendFailed      SpendState = "failed"
	SpendUnconfirmed SpendState = "unconfirmed"
)

func (st SpendState) code() byte {
	switch st {
	case SpendSending:
		return 1
	case SpendPlaced:
		return 2
	case SpendFailed:
		return 3
	case SpendUnconfirmed:
		return 4
	}
	return 0
}

// Spend is one journal entry.
type Spend struct {
	ID     uint64      `json:"id"`
	Action SpendAction `json:"action"`
	// Add holds the parameters of an ActionAdd entry, AddSMS those of an ActionAddSMS one.
	Add    client.AddRequest    `json:"-"`
	AddSMS client.AddSMSRequest `json:"-"`
	// Label is what the user saw (the service or project name); optional.
	Label string `json:"label,omitempty"`
	// Estimate is the price shown before sending; optional (zero).
	Estimate  client.Decimal `json:"estimate"`
	State     SpendState     `json:"state"`
	CreatedAt time.Time      `json:"created"`
	UpdatedAt time.Time      `json:"updated"`
	// Orders are the order ids the server gave (SMS: one per number), once known.
	Orders []int64 `json:"orders,omitempty"`
	// Error says why an entry failed or is unconfirmed.
	Error string `json:"error,omitempty"`
}

// spendParams is the stored form of the request parameters, independent of the client's structs.
type spendParams struct {
	Service   int64  `json:"service,omitempty"`
	Quantity  int64  `json:"quantity,omitempty"`
	Link      string `json:"link,omitempty"`
	Comments  string `json:"comments,omitempty"`
	ProjectID string `json:"project_id,omitempty"`
	Country   string `json:"country,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

type spendRec struct {
	Spend
	Params spendParams `json:"params"`
}

func (sp *Spend) rec() spendRec {
	r := spendRec{Spend: *sp}
	switch sp.Action {
	case ActionAdd:
		r.Params = spendParams{Service: sp.Add.Service, Quantity: sp.Add.Quantity, Link: sp.Add.Link, Comments: sp.Add.Comments}
	case ActionAddSMS:
		r.Params = spendParams{ProjectID: sp.AddSMS.ProjectID, Quantity: int64(sp.AddSMS.Quantity), Country: sp.AddSMS.Country, Phone: sp.AddSMS.Phone}
	}
	return r
}

func (r *spendRec) spend() Spend {
	sp := r.Spend
	switch sp.Action {
	case ActionAdd:
		sp.Add = client.AddRequest{Service: r.Params.Service, Quantity: r.Params.Quantity, Link: r.Params.Link, Comments: r.Params.Comments}
	case ActionAddSMS:
		sp.AddSMS = client.AddSMSRequest{ProjectID: r.Params.ProjectID, Quantity: int(r.Params.Quantity), Country: r.Params.Country, Phone: r.Params.Phone}
	}
	return sp
}

func spendKey(id uint64) []byte { return u64Key(pfxSpend, id) }

func spendStateKey(st SpendState, id uint64) []byte {
	k := make([]byte, 10)
	k[0] = pfxSpendState
	k[1] = st.code()
	copy(k[2:], u64b(id))
	return k
}

func getSpend(txn *badger.Txn, id uint64) (Spend, error) {
	var r spendRec
	if err := getJSON(txn, spendKey(id), &r); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Spend{}, fmt.Errorf("%w: journal entry %d", ErrNotFound, id)
		}
		return Spend{}, err
	}
	return r.spend(), nil
}

// putSpend writes sp and moves its state index entry from old (empty for a new entry).
func putSpend(txn *badger.Txn, sp *Spend, old SpendState) error {
	if old != "" && old != sp.State {
		if err := txn.Delete(spendStateKey(old, sp.ID)); err != nil {
			return err
		}
	}
	if err := setJSON(txn, spendKey(sp.ID), sp.rec()); err != nil {
		return err
	}
	return txn.Set(spendStateKey(sp.State, sp.ID), nil)
}

// BeginSpend records a spending call before it is sent: sp.Action and sp.Add or sp.AddSMS are
// required, Label and Estimate optional. It returns the entry (ID, State SpendSending, CreatedAt)
// once it is synced to disk; only then may the request be sent.
func (s *Store) BeginSpend(sp Spend) (Spend, error) {
	if sp.Action != ActionAdd && sp.Action != ActionAddSMS {
		return Spend{}, fmt.Errorf("cache: BeginSpend: unknown action %q", sp.Action)
	}
	now := s.now()
	sp.State, sp.CreatedAt, sp.UpdatedAt, sp.Orders, sp.Error = SpendSending, now, now, nil, ""
	err := s.update(func(txn *badger.Txn) error {
		id, err := nextSeq(txn, "spend")
		if err != nil {
			return err
		}
		sp.ID = id
		return putSpend(txn, &sp, "")
	})
	if err != nil {
		return Spend{}, err
	}
	return sp, nil
}

// BeginAdd is BeginSpend for an add.
func (s *Store) BeginAdd(req client.AddRequest, label string, estimate client.Decimal) (Spend, error) {
	return s.BeginSpend(Spend{Action: ActionAdd, Add: req, Label: label, Estimate: estimate})
}

// BeginAddSMS is BeginSpend for an add_sms.
func (s *Store) BeginAddSMS(req client.AddSMSRequest, label string, estimate client.Decimal) (Spend, error) {
	return s.BeginSpend(Spend{Action: ActionAddSMS, AddSMS: req, Label: label, Estimate: estimate})
}

// settle loads entry id, checks that it may move to state, applies fn and stores it.
func (s *Store) settle(id uint64, to SpendState, fn func(txn *badger.Txn, sp *Spend) error) (Spend, error) {
	var out Spend
	err := s.update(func(txn *badger.Txn) error {
		sp, err := getSpend(txn, id)
		if err != nil {
			return err
		}
		from := sp.State
		ok := from == SpendSending || from == SpendUnconfirmed
		if !ok {
			return fmt.Errorf("%w: entry %d is %s, cannot become %s", ErrBadTransition, id, from, to)
		}
		sp.State = to
		sp.UpdatedAt = s.now()
		if err := fn(txn, &sp); err != nil {
			return err
		}
		out = sp
		return putSpend(txn, &sp, from)
	})
	return out, err
}

// MarkPlaced settles an add entry (sending or unconfirmed) with the order id the server gave, and
// creates the order's record. Synced.
func (s *Store) MarkPlaced(id uint64, order int64) (Order, error) {
	var o Order
	_, err := s.settle(id, SpendPlaced, func(txn *badger.Txn, sp *Spend) error {
		if sp.Action != ActionAdd {
			return fmt.Errorf("%w: entry %d is %s, not add", ErrBadTransition, id, sp.Action)
		}
		sp.Orders, sp.Error = []int64{order}, ""
		var err error
		o, err = s.ensureOrder(txn, sp, order, false)
		return err
	})
	return o, err
}

// MarkSMSPlaced settles an add_sms entry with the numbers the server gave, and creates their
// records. Synced.
func (s *Store) MarkSMSPlaced(id uint64, orders []client.SMSOrder) ([]SMSNumber, error) {
	var out []SMSNumber
	_, err := s.settle(id, SpendPlaced, func(txn *badger.Txn, sp *Spend) error {
		if sp.Action != ActionAddSMS {
			return fmt.Errorf("%w: entry %d is %s, not add_sms", ErrBadTransition, id, sp.Action)
		}
		sp.Orders, sp.Error = nil, ""
		for _, so := range orders {
			sp.Orders = append(sp.Orders, so.Order)
			n, err := s.ensureSMS(txn, sp, so, false)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// MarkFailed settles an entry as not placed: the server refused it, or (from unconfirmed) a check
// showed that nothing was bought. Synced.
//
// Orders or numbers already linked to the entry (an unconfirmed entry whose id was known) are
// closed with it: nothing was bought, so the poller stops asking about them.
func (s *Store) MarkFailed(id uint64, reason string) error {
	_, err := s.settle(id, SpendFailed, func(txn *badger.Txn, sp *Spend) error {
		sp.Error = reason
		for _, oid := range sp.Orders {
			if sp.Action == ActionAdd {
				o, err := getOrder(txn, oid)
				if errors.Is(err, ErrNotFound) || err == nil && o.Terminal {
					continue
				}
				if err != nil {
					return err
				}
				o.Terminal = true
				if err := putOrder(txn, &o, false); err != nil {
					return err
				}
				continue
			}
			n, err := getSMS(txn, oid)
			if errors.Is(err, ErrNotFound) || err == nil && n.Closed {
				continue
			}
			if err != nil {
				return err
			}
			n.Closed = true
			if err := putSMS(txn, &n, false); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// MarkUnconfirmed records that the outcome of a sent entry is unknown (no answer, a broken
// answer). orders are order ids known anyway (e.g. read from a damaged answer): their records are
// created, marked Unconfirmed, and are polled like any other. Synced.
func (s *Store) MarkUnconfirmed(id uint64, reason string, orders ...int64) error {
	_, err := s.settle(id, SpendUnconfirmed, func(txn *badger.Txn, sp *Spend) error {
		sp.Error = reason
		for _, o := range orders {
			if slices.Contains(sp.Orders, o) {
				continue
			}
			sp.Orders = append(sp.Orders, o)
			var err error
			if sp.Action == ActionAdd {
				_, err = s.ensureOrder(txn, sp, o, true)
			} else {
				_, err = s.ensureSMS(txn, sp, client.SMSOrder{Order: o, Country: sp.AddSMS.Country, Phone: sp.AddSMS.Phone}, true)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// Spend returns journal entry id.
func (s *Store) Spend(id uint64) (Spend, error) {
	var sp Spend
	err := s.view(func(txn *badger.Txn) (err error) {
		sp, err = getSpend(txn, id)
		return err
	})
	return sp, err
}

// Spends lists journal entries in the given states (all entries when none is given), newest first.
func (s *Store) Spends(states ...SpendState) ([]Spend, error) {
	var out []Spend
	err := s.view(func(txn *badger.Txn) error {
		if len(states) == 0 {
			o := badger.DefaultIteratorOptions
			o.Reverse = true
			o.Prefix = []byte{pfxSpend}
			it := txn.NewIterator(o)
			defer it.Close()
			for it.Seek(prefixEnd(o.Prefix)); it.Valid(); it.Next() {
				var r spendRec
				if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &r) }); err != nil {
					return err
				}
				out = append(out, r.spend())
			}
			return nil
		}
		var ids []uint64
		for _, st := range states {
			o := badger.DefaultIteratorOptions
			o.PrefetchValues = false
			o.Prefix = []byte{pfxSpendState, st.code()}
			it := txn.NewIterator(o)
			for it.Rewind(); it.Valid(); it.Next() {
				ids = append(ids, keyU64(it.Item().Key(), 2))
			}
			it.Close()
		}
		slices.Sort(ids)
		slices.Reverse(ids)
		for _, id := range slices.Compact(ids) {
			sp, err := getSpend(txn, id)
			if err != nil {
				return err
			}
			out = append(out, sp)
		}
		return nil
	})
	return out, err
}

// recoverInterrupted moves entries left in SpendSending (the app stopped while sending them) to
// SpendUnconfirmed. It runs in Open, before anything can send.
func (s *Store) recoverInterrupted() (int, error) {
	var n int
	err := s.db.Update(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = []byte{pfxSpendState, SpendSending.code()}
		it := txn.NewIterator(o)
		var ids []uint64
		for it.Rewind(); it.Valid(); it.Next() {
			ids = append(ids, keyU64(it.Item().Key(), 2))
		}
		it.Close()
		for _, id := range ids {
			sp, err := getSpend(txn, id)
			if err != nil {
				return err
			}
			sp.State = SpendUnconfirmed
			sp.UpdatedAt = s.now()
			sp.Error = "the app stopped while this was being sent: the outcome is unknown"
			if err := putSpend(txn, &sp, SpendSending); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// ---- orders ----

// Order is an order the app placed (or was told about), with its last known status.
type Order struct {
	ID      int64  `json:"id"`
	SpendID uint64 `json:"spend,omitempty"`
	// Unconfirmed is set while the journal entry that produced the id is unconfirmed.
	Unconfirmed bool   `json:"unconfirmed,omitempty"`
	Service     int64  `json:"service,omitempty"`
	Label       string `json:"label,omitempty"`
	Quantity    int64  `json:"quantity,omitempty"`
	Link        string `json:"link,omitempty"`
	// Estimate is the price shown before ordering; Charge the one status reports (the truth).
	Estimate client.Decimal `json:"estimate"`
	PlacedAt time.Time      `json:"placed"`
	// Status is the last status the server gave; empty before the first.
	Status       client.Status  `json:"status,omitempty"`
	Charge       client.Decimal `json:"charge"`
	StartCount   int64          `json:"start_count,omitempty"`
	Remains      int64          `json:"remains,omitempty"`
	Currency     string         `json:"currency,omitempty"`
	AutoDelivery bool           `json:"auto_delivery,omitempty"`
	EntityType   string         `json:"entity_type,omitempty"`
	Terminal     bool           `json:"terminal,omitempty"`
	// UpdatedAt is when the status last changed; CheckedAt when it was last asked.
	UpdatedAt time.Time `json:"updated,omitzero"`
	CheckedAt time.Time `json:"checked,omitzero"`
	// Delivered counts the credentials in the vault for this order.
	Delivered int `json:"delivered,omitempty"`
	History   int `json:"history,omitempty"`
}

// StatusChange is one entry of the status history of an order or an SMS number.
type StatusChange struct {
	At         time.Time      `json:"at"`
	Status     string         `json:"status"`
	Charge     client.Decimal `json:"charge"`
	StartCount int64          `json:"start_count,omitempty"`
	Remains    int64          `json:"remains,omitempty"`
}

// StatusUpdate is what recording a status changed.
type StatusUpdate struct {
	// Changed: anything of the status changed (and a history entry was written) or something new
	// was delivered.
	Changed bool
	// StatusChanged: the status text itself changed.
	StatusChanged bool
	// New are the deliveries that were not in the vault yet (already stored, synced).
	New []Delivery
	// Events are the events recorded for this update (status change, deliveries), to be notified
	// and then marked with MarkNotified.
	Events []Event
}

func orderKey(id int64) []byte { return u64Key(pfxOrder, uint64(id)) }

func getOrder(txn *badger.Txn, id int64) (Order, error) {
	var o Order
	if err := getJSON(txn, orderKey(id), &o); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Order{}, fmt.Errorf("%w: order %d", ErrNotFound, id)
		}
		return Order{}, err
	}
	return o, nil
}

// putOrder writes o and keeps the open index in step with o.Terminal. isNew adds the time index.
func putOrder(txn *badger.Txn, o *Order, isNew bool) error {
	if err := setJSON(txn, orderKey(o.ID), o); err != nil {
		return err
	}
	if isNew {
		if err := txn.Set(u64u64Key(pfxOrderTime, timeKey(o.PlacedAt), uint64(o.ID)), nil); err != nil {
			return err
		}
	}
	if o.Terminal {
		return txn.Delete(u64Key(pfxOrderOpen, uint64(o.ID)))
	}
	return txn.Set(u64Key(pfxOrderOpen, uint64(o.ID)), nil)
}

// ensureOrder creates the record of order id placed by sp (or links an existing one to sp).
func (s *Store) ensureOrder(txn *badger.Txn, sp *Spend, id int64, unconfirmed bool) (Order, error) {
	o, err := getOrder(txn, id)
	isNew := errors.Is(err, ErrNotFound)
	if err != nil && !isNew {
		return Order{}, err
	}
	if isNew {
		o = Order{ID: id, PlacedAt: sp.CreatedAt}
	}
	o.SpendID = sp.ID
	o.Unconfirmed = unconfirmed
	o.Service, o.Quantity, o.Link = sp.Add.Service, sp.Add.Quantity, sp.Add.Link
	o.Label, o.Estimate = sp.Label, sp.Estimate
	return o, putOrder(txn, &o, isNew)
}

// TrackOrder starts keeping order id that was placed outside the app (or whose journal entry was
// lost), so that it is polled and listed. label is optional. An order already known is returned
// unchanged.
func (s *Store) TrackOrder(id int64, label string) (Order, error) {
	var o Order
	err := s.update(func(txn *badger.Txn) error {
		var err error
		o, err = getOrder(txn, id)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return err
		}
		o = Order{ID: id, Label: label, PlacedAt: s.now()}
		return putOrder(txn, &o, true)
	})
	return o, err
}

// Order returns the record of order id.
func (s *Store) Order(id int64) (Order, error) {
	var o Order
	err := s.view(func(txn *badger.Txn) (err error) {
		o, err = getOrder(txn, id)
		return err
	})
	return o, err
}

// RecordOrderStatus stores the status the server gave for order id: the last status, a history
// entry when it changed, and — in the same synced transaction — the delivered accounts it carries
// (only the new ones are returned) and the events to notify. Storing the accounts with the status
// means a crash can never leave a terminal order whose accounts were not kept. An order unknown to
// the store is created.
func (s *Store) RecordOrderStatus(id int64, st client.OrderStatus) (StatusUpdate, error) {
	var up StatusUpdate
	err := s.update(func(txn *badger.Txn) error {
		up = StatusUpdate{}
		now := s.now()
		o, err := getOrder(txn, id)
		isNew := errors.Is(err, ErrNotFound)
		if err != nil && !isNew {
			return err
		}
		if isNew {
			o = Order{ID: id, PlacedAt: now}
		}
		o.CheckedAt = now
		up.StatusChanged = o.Status != st.Status
		changed := up.StatusChanged || o.Charge.Cmp(st.Charge.Decimal) != 0 ||
			o.StartCount != st.StartCount || o.Remains != st.Remains
		if changed {
			if err := setJSON(txn, u64u32Key(pfxOrderHist, uint64(id), uint32(o.History)), StatusChange{
				At: now, Status: string(st.Status), Charge: st.Charge, StartCount: st.StartCount, Remains: st.Remains,
			}); err != nil {
				return err
			}
			o.History++
			o.UpdatedAt = now
		}
		o.Status, o.Charge, o.StartCount, o.Remains = st.Status, st.Charge, st.StartCount, st.Remains
		if st.Currency != "" {
			o.Currency = st.Currency
		}
		o.AutoDelivery = st.AutoDelivery
		if st.EntityType != "" {
			o.EntityType = st.EntityType
		}
		o.Terminal = st.Status.Terminal()
		if up.StatusChanged {
			ev := Event{Kind: EventOrderStatus, Order: id, At: now, Status: string(st.Status)}
			if err := addEventTxn(txn, &ev); err != nil {
				return err
			}
			up.Events = append(up.Events, ev)
		}
		if len(st.Accounts) > 0 {
			items := make([]deliveryItem, len(st.Accounts))
			for i, a := range st.Accounts {
				items[i] = deliveryItem{value: a}
			}
			added, ev, err := addDeliveriesTxn(txn, id, DeliveryAccount, items, now)
			if err != nil {
				return err
			}
			if ev != nil {
				up.New = added
				up.Events = append(up.Events, *ev)
				o.Delivered += len(added)
			}
		}
		up.Changed = changed || len(up.New) > 0
		return putOrder(txn, &o, isNew)
	})
	if err != nil {
		return StatusUpdate{}, err
	}
	return up, nil
}

// OrderHistory returns the status history of order id, oldest first.
func (s *Store) OrderHistory(id int64) ([]StatusChange, error) {
	return s.history(pfxOrderHist, id)
}

func (s *Store) history(pfx byte, id int64) ([]StatusChange, error) {
	var out []StatusChange
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = prefixU64(pfx, uint64(id))
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var c StatusChange
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &c) }); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// Query selects orders or SMS numbers by the time they were placed and their status.
type Query struct {
	// Since and Until bound PlacedAt (inclusive, exclusive); zero means unbounded.
	Since, Until time.Time
	// Statuses keeps only these last statuses (compared case-insensitively; "" matches "no status
	// yet"); empty keeps all.
	Statuses []string
	// Open keeps only non-terminal orders (SMS: numbers not closed).
	Open bool
	// Limit is the most rows returned; 0 means all.
	Limit int
	// Oldest lists oldest first; the default is newest first.
	Oldest bool
}

func (q Query) wantStatus(st string) bool {
	if len(q.Statuses) == 0 {
		return true
	}
	st = strings.TrimSpace(st)
	for _, w := range q.Statuses {
		if strings.EqualFold(strings.TrimSpace(w), st) {
			return true
		}
	}
	return false
}

// scanByTime walks the time index pfx in q's range and order and calls fn with each id until fn
// returns false.
func scanByTime(txn *badger.Txn, pfx byte, q Query, fn func(id int64) (bool, error)) error {
	lo := []byte{pfx}
	if !q.Since.IsZero() {
		lo = u64Key(pfx, timeKey(q.Since))
	}
	hi := []byte{pfx + 1}
	if !q.Until.IsZero() {
		hi = u64Key(pfx, timeKey(q.Until))
	}
	o := badger.DefaultIteratorOptions
	o.PrefetchValues = false
	o.Prefix = []byte{pfx}
	o.Reverse = !q.Oldest
	it := txn.NewIterator(o)
	defer it.Close()
	if q.Oldest {
		it.Seek(lo)
	} else {
		// In reverse, Seek finds the largest key <= the argument; hi itself is excluded below.
		it.Seek(hi)
	}
	for ; it.Valid(); it.Next() {
		k := it.Item().Key()
		if len(k) != 17 {
			continue
		}
		if q.Oldest && string(k) >= string(hi) {
			break
		}
		if !q.Oldest && string(k) < string(lo) {
			break
		}
		if !q.Oldest && string(k) >= string(hi) {
			continue
		}
		more, err := fn(int64(keyU64(k, 9)))
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Orders lists orders matching q.
func (s *Store) Orders(q Query) ([]Order, error) {
	var out []Order
	err := s.view(func(txn *badger.Txn) error {
		return scanByTime(txn, pfxOrderTime, q, func(id int64) (bool, error) {
			o, err := getOrder(txn, id)
			if err != nil {
				return false, err
			}
			if (q.Open && o.Terminal) || !q.wantStatus(string(o.Status)) {
				return true, nil
			}
			out = append(out, o)
			return q.Limit <= 0 || len(out) < q.Limit, nil
		})
	})
	return out, err
}

// OpenOrders lists the orders that are not terminal — including those of unconfirmed journal
// entries whose order id is known — by order id: what a poller asks status for.
func (s *Store) OpenOrders() ([]Order, error) {
	var out []Order
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = []byte{pfxOrderOpen}
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ord, err := getOrder(txn, int64(keyU64(it.Item().Key(), 1)))
			if err != nil {
				return err
			}
			out = append(out, ord)
		}
		return nil
	})
	return out, err
}

// ---- SMS numbers ----

// SMSNumber is a rented phone number (one order of add_sms) with its last known status.
type SMSNumber struct {
	Order       int64  `json:"order"`
	SpendID     uint64 `json:"spend,omitempty"`
	Unconfirmed bool   `json:"unconfirmed,omitempty"`
	ProjectID   string `json:"project_id,omitempty"`
	Label       string `json:"label,omitempty"`
	Country     string `json:"country,omitempty"`
	Phone       string `json:"phone,omitempty"`
	// Estimate is the price shown before ordering (for the whole add_sms call).
	Estimate client.Decimal `json:"estimate"`
	PlacedAt time.Time      `json:"placed"`
	Status   string         `json:"status,omitempty"`
	Charge   client.Decimal `json:"charge"`
	Currency string         `json:"currency,omitempty"`
	// ExpiresAt is when the number stops receiving; zero when the server did not say.
	ExpiresAt time.Time `json:"expires,omitzero"`
	// Closed: no longer polled (expired, or closed by the app).
	Closed    bool      `json:"closed,omitempty"`
	UpdatedAt time.Time `json:"updated,omitzero"`
	CheckedAt time.Time `json:"checked,omitzero"`
	// Codes counts the codes in the vault for this number.
	Codes   int `json:"codes,omitempty"`
	History int `json:"history,omitempty"`
}

// Live reports whether the number can still receive codes at now: not closed, not past its
// expiry, and — when the server gave no expiry — placed less than lifetime ago.
func (n SMSNumber) Live(now time.Time, lifetime time.Duration) bool {
	if n.Closed {
		return false
	}
	if !n.ExpiresAt.IsZero() {
		return now.Before(n.ExpiresAt)
	}
	return now.Before(n.PlacedAt.Add(lifetime))
}

func smsKey(id int64) []byte { return u64Key(pfxSMS, uint64(id)) }

func getSMS(txn *badger.Txn, id int64) (SMSNumber, error) {
	var n SMSNumber
	if err := getJSON(txn, smsKey(id), &n); err != nil {
		if errors.Is(err, ErrNotFound) {
			return SMSNumber{}, fmt.Errorf("%w: SMS number %d", ErrNotFound, id)
		}
		return SMSNumber{}, err
	}
	return n, nil
}

func putSMS(txn *badger.Txn, n *SMSNumber, isNew bool) error {
	if err := setJSON(txn, smsKey(n.Order), n); err != nil {
		return err
	}
	if isNew {
		if err := txn.Set(u64u64Key(pfxSMSTime, timeKey(n.PlacedAt), uint64(n.Order)), nil); err != nil {
			return err
		}
	}
	if n.Closed {
		return txn.Delete(u64Key(pfxSMSOpen, uint64(n.Order)))
	}
	return txn.Set(u64Key(pfxSMSOpen, uint64(n.Order)), nil)
}

func (s *Store) ensureSMS(txn *badger.Txn, sp *Spend, so client.SMSOrder, unconfirmed bool) (SMSNumber, error) {
	n, err := getSMS(txn, so.Order)
	isNew := errors.Is(err, ErrNotFound)
	if err != nil && !isNew {
		return SMSNumber{}, err
	}
	if isNew {
		n = SMSNumber{Order: so.Order, PlacedAt: sp.CreatedAt, Status: so.Status}
	}
	n.SpendID, n.Unconfirmed = sp.ID, unconfirmed
	n.ProjectID, n.Label, n.Estimate = sp.AddSMS.ProjectID, sp.Label, sp.Estimate
	if so.Phone != "" {
		n.Phone = so.Phone
	}
	if so.Country != "" {
		n.Country = so.Country
	}
	return n, putSMS(txn, &n, isNew)
}

// SMSNumber returns the record of SMS order id.
func (s *Store) SMSNumber(id int64) (SMSNumber, error) {
	var n SMSNumber
	err := s.view(func(txn *badger.Txn) (err error) {
		n, err = getSMS(txn, id)
		return err
	})
	return n, err
}

// recordSMS applies fn to the record of SMS order id (created when unknown) in one synced
// transaction, with history and events.
func (s *Store) recordSMS(id int64, fn func(txn *badger.Txn, n *SMSNumber, now time.Time, up *StatusUpdate) error) (StatusUpdate, error) {
	var up StatusUpdate
	err := s.update(func(txn *badger.Txn) error {
		up = StatusUpdate{}
		now := s.now()
		n, err := getSMS(txn, id)
		isNew := errors.Is(err, ErrNotFound)
		if err != nil && !isNew {
			return err
		}
		if isNew {
			n = SMSNumber{Order: id, PlacedAt: now}
		}
		n.CheckedAt = now
		if err := fn(txn, &n, now, &up); err != nil {
			return err
		}
		return putSMS(txn, &n, isNew)
	})
	if err != nil {
		return StatusUpdate{}, err
	}
	return up, nil
}

func (s *Store) addCodeTxn(txn *badger.Txn, n *SMSNumber, code, content string, now time.Time, up *StatusUpdate) error {
	if strings.TrimSpace(code) == "" {
		return nil
	}
	added, ev, err := addDeliveriesTxn(txn, n.Order, DeliverySMSCode, []deliveryItem{{value: code, content: content}}, now)
	if err != nil || ev == nil {
		return err
	}
	n.Codes += len(added)
	up.New = append(up.New, added...)
	up.Events = append(up.Events, *ev)
	up.Changed = true
	return nil
}

// RecordSMSStatus stores the answer of sms_status for SMS order id: status (with history), phone,
// charge, expiry, and — in the same synced transaction — the code if one came (only a new one is
// returned) and the events. A number whose expiry has passed is closed.
func (s *Store) RecordSMSStatus(id int64, st client.SMSStatus) (StatusUpdate, error) {
	return s.recordSMS(id, func(txn *badger.Txn, n *SMSNumber, now time.Time, up *StatusUpdate) error {
		up.StatusChanged = n.Status != st.Status
		changed := up.StatusChanged || n.Charge.Cmp(st.Charge.Decimal) != 0 ||
			(st.Phone != "" && n.Phone != st.Phone) || (!st.ExpiresAt.IsZero() && !n.ExpiresAt.Equal(st.ExpiresAt))
		if changed {
			if err := setJSON(txn, u64u32Key(pfxSMSHist, uint64(id), uint32(n.History)), StatusChange{
				At: now, Status: st.Status, Charge: st.Charge,
			}); err != nil {
				return err
			}
			n.History++
			n.UpdatedAt = now
			up.Changed = true
		}
		n.Status, n.Charge = st.Status, st.Charge
		if st.Phone != "" {
			n.Phone = st.Phone
		}
		if st.Currency != "" {
			n.Currency = st.Currency
		}
		if !st.ExpiresAt.IsZero() {
			n.ExpiresAt = st.ExpiresAt
		}
		if st.Expired(now) {
			n.Closed = true
		}
		if up.StatusChanged {
			ev := Event{Kind: EventSMSStatus, Order: id, At: now, Status: st.Status}
			if err := addEventTxn(txn, &ev); err != nil {
				return err
			}
			up.Events = append(up.Events, ev)
		}
		return s.addCodeTxn(txn, n, st.Code, "", now, up)
	})
}

// RecordSMSCode stores the answer of sms_code for SMS order id: the code and the message text,
// if one came (only a new code is returned, with its event), in one synced transaction.
func (s *Store) RecordSMSCode(id int64, c client.SMSCode) (StatusUpdate, error) {
	return s.recordSMS(id, func(txn *badger.Txn, n *SMSNumber, now time.Time, up *StatusUpdate) error {
		if !c.Received() {
			return nil
		}
		return s.addCodeTxn(txn, n, c.Code, c.SMSContent, now, up)
	})
}

// CloseSMS stops polling SMS order id.
func (s *Store) CloseSMS(id int64) error {
	return s.update(func(txn *badger.Txn) error {
		n, err := getSMS(txn, id)
		if err != nil || n.Closed {
			return err
		}
		n.Closed = true
		return putSMS(txn, &n, false)
	})
}

// SMSHistory returns the status history of SMS order id, oldest first.
func (s *Store) SMSHistory(id int64) ([]StatusChange, error) {
	return s.history(pfxSMSHist, id)
}

// SMSNumbers lists SMS numbers matching q (Open: not closed).
func (s *Store) SMSNumbers(q Query) ([]SMSNumber, error) {
	var out []SMSNumber
	err := s.view(func(txn *badger.Txn) error {
		return scanByTime(txn, pfxSMSTime, q, func(id int64) (bool, error) {
			n, err := getSMS(txn, id)
			if err != nil {
				return false, err
			}
			if (q.Open && n.Closed) || !q.wantStatus(n.Status) {
				return true, nil
			}
			out = append(out, n)
			return q.Limit <= 0 || len(out) < q.Limit, nil
		})
	})
	return out, err
}

// OpenSMS lists the numbers still live at now (see SMSNumber.Live with Options.SMSLifetime) —
// including those of unconfirmed journal entries whose order id is known — by order id: what a
// poller asks codes for. Numbers found past their time are closed on the way.
func (s *Store) OpenSMS(now time.Time) ([]SMSNumber, error) {
	var out []SMSNumber
	var stale []int64
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = []byte{pfxSMSOpen}
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n, err := getSMS(txn, int64(keyU64(it.Item().Key(), 1)))
			if err != nil {
				return err
			}
			if n.Live(now, s.opts.SMSLifetime) {
				out = append(out, n)
			} else {
				stale = append(stale, n.Order)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range stale {
		if err := s.CloseSMS(id); err != nil {
			return out, err
		}
	}
	return out, nil
}
