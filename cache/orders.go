package cache

import (
	"errors"
	"fmt"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/hstockplus/hstockplus/client"
)

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
	// Held counts the accounts kept in the vault but not announced yet, from HeldFrom, since
	// HeldSince: an order still delivering is announced once, with its count (see DeliveryHold).
	Held      int       `json:"held,omitempty"`
	HeldFrom  uint32    `json:"held_from,omitempty"`
	HeldSince time.Time `json:"held_since,omitzero"`
}

// DeliveryHold is how long accounts of an order still delivering them are kept (in the vault,
// synced, shown in the window) before they are announced: an order of 2 accounts delivered one
// after the other is one notification, "2 accounts delivered". They are announced at once when
// the order is final or everything ordered is in.
const DeliveryHold = 45 * time.Second

// releaseHeldTxn records the delivery event of o's held accounts when they are due (see
// DeliveryHold); nil when none is.
func releaseHeldTxn(txn *badger.Txn, o *Order, now time.Time) (*Event, error) {
	if !o.heldDue(now) {
		return nil, nil
	}
	ev := Event{Kind: EventDelivery, Order: o.ID, At: now, Count: o.Held, FirstSeq: o.HeldFrom}
	if err := addEventTxn(txn, &ev); err != nil {
		return nil, err
	}
	o.Held, o.HeldFrom, o.HeldSince = 0, 0, time.Time{}
	return &ev, nil
}

// heldDue reports whether o holds accounts that are due to be announced: it is final, all it
// ordered is in, or they waited DeliveryHold.
func (o *Order) heldDue(now time.Time) bool {
	complete := o.Terminal || (o.Quantity > 0 && int64(o.Delivered) >= o.Quantity)
	return o.Held > 0 && (complete || now.Sub(o.HeldSince) >= DeliveryHold)
}

// ReleaseHeld announces the held accounts of order id that are due (an order whose status no
// longer changes, still delivering): the event, or nil when none is due. Synced.
func (s *Store) ReleaseHeld(id int64) (*Event, error) {
	o, err := s.Order(id)
	if errors.Is(err, ErrNotFound) || (err == nil && !o.heldDue(s.now())) {
		return nil, nil // the common case: a read only
	}
	if err != nil {
		return nil, err
	}
	var ev *Event
	err = s.update(func(txn *badger.Txn) error {
		o, err := getOrder(txn, id)
		if err != nil {
			return err
		}
		if ev, err = releaseHeldTxn(txn, &o, s.now()); err != nil || ev == nil {
			return err
		}
		return putOrder(txn, &o, false)
	})
	return ev, err
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

func getOrder(txn *badger.Txn, id int64) (Order, error) { return getRecord[Order](txn, orderKind, id) }

// putOrder writes o and keeps the open index in step with o.Terminal. isNew adds the time index.
func putOrder(txn *badger.Txn, o *Order, isNew bool) error {
	return putRecord(txn, orderKind, o.ID, o, o.PlacedAt, !o.Terminal, isNew)
}

// recordKind is a kind of record placed at a time and open until it ends (orders, SMS
// numbers): its name in errors, the prefix of its records and of its time and open indexes.
type recordKind struct {
	name            string
	rec, time, open byte
}

var (
	orderKind = recordKind{"order", pfxOrder, pfxOrderTime, pfxOrderOpen}
	smsKind   = recordKind{"SMS number", pfxSMS, pfxSMSTime, pfxSMSOpen}
)

// getRecord reads record id of kind k; a missing one is ErrNotFound naming it.
func getRecord[T any](txn *badger.Txn, k recordKind, id int64) (T, error) {
	var v T
	if err := getJSON(txn, u64Key(k.rec, uint64(id)), &v); err != nil {
		var zero T
		if errors.Is(err, ErrNotFound) {
			return zero, fmt.Errorf("%w: %s %d", ErrNotFound, k.name, id)
		}
		return zero, err
	}
	return v, nil
}

// putRecord writes v as record id of kind k and keeps its indexes in step: the time index once,
// when isNew; the open index while open.
func putRecord(txn *badger.Txn, k recordKind, id int64, v any, placedAt time.Time, open, isNew bool) error {
	if err := setJSON(txn, u64Key(k.rec, uint64(id)), v); err != nil {
		return err
	}
	if isNew {
		if err := txn.Set(u64u64Key(k.time, timeKey(placedAt), uint64(id)), nil); err != nil {
			return err
		}
	}
	if !open {
		return txn.Delete(u64Key(k.open, uint64(id)))
	}
	return txn.Set(u64Key(k.open, uint64(id)), nil)
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
			added, _, err := addDeliveriesTxn(txn, id, DeliveryAccount, items, now, false)
			if err != nil {
				return err
			}
			if len(added) > 0 {
				up.New = added
				o.Delivered += len(added)
				if o.Held == 0 {
					o.HeldFrom, o.HeldSince = added[0].Seq, now
				}
				o.Held += len(added)
			}
		}
		ev, err := releaseHeldTxn(txn, &o, now)
		if err != nil {
			return err
		}
		if ev != nil {
			up.Events = append(up.Events, *ev)
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
