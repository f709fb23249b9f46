package cache

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/hstockplus/hstockplus/client"
)

// The vault keeps what the user paid for: delivered account credentials and SMS codes, per order,
// append-only and de-duplicated, each batch written in a synced transaction together with the
// event that announces it. The caller notifies only after the write returned, then marks the
// event notified (MarkNotified); after a crash, PendingEvents lists what was stored but never
// notified. So a restart neither repeats nor loses a notification (the one window left: a crash
// between showing a notification and MarkNotified repeats that one notification).

// DeliveryKind is what a delivery is.
type DeliveryKind uint8

// Delivery kinds.
const (
	// DeliveryAccount is one account credential of a product order ("user:pass").
	DeliveryAccount DeliveryKind = 1
	// DeliverySMSCode is one code received by an SMS number.
	DeliverySMSCode DeliveryKind = 2
)

func (k DeliveryKind) String() string {
	switch k {
	case DeliveryAccount:
		return "account"
	case DeliverySMSCode:
		return "sms code"
	}
	return "kind " + strconv.Itoa(int(k))
}

// Delivery is one item of the vault. Its String and GoString never print the secret, so that a
// delivery passed to a log by mistake does not leak it.
type Delivery struct {
	Order int64        `json:"-"`
	Kind  DeliveryKind `json:"-"`
	// Seq numbers the deliveries of one order and kind from 1, in the order they arrived.
	Seq uint32 `json:"-"`
	// Value is the credential or the code.
	Value string `json:"v"`
	// Content is the full text of the SMS, when known.
	Content string    `json:"c,omitempty"`
	At      time.Time `json:"at"`
}

// String describes the delivery without its secret.
func (d Delivery) String() string {
	return fmt.Sprintf("delivery{order %d, %s #%d, %s}", d.Order, d.Kind, d.Seq, "[redacted]")
}

// GoString describes the delivery without its secret (%#v).
func (d Delivery) GoString() string { return d.String() }

type deliveryItem struct{ value, content string }

func vaultPrefix(order int64, kind DeliveryKind) []byte {
	k := make([]byte, 10)
	k[0] = pfxVault
	copy(k[1:], u64b(uint64(order)))
	k[9] = byte(kind)
	return k
}

func vaultKey(order int64, kind DeliveryKind, seq uint32) []byte {
	k := vaultPrefix(order, kind)
	return append(k, byte(seq>>24), byte(seq>>16), byte(seq>>8), byte(seq))
}

func vaultDedupKey(order int64, kind DeliveryKind, value string) []byte {
	h := sha256.Sum256([]byte(value))
	k := vaultPrefix(order, kind)
	k[0] = pfxVaultDedup
	return append(k, h[:]...)
}

// lastSeq returns the highest sequence number stored for order and kind (0 if none).
func lastSeq(txn *badger.Txn, order int64, kind DeliveryKind) uint32 {
	o := badger.DefaultIteratorOptions
	o.PrefetchValues = false
	o.Reverse = true
	p := vaultPrefix(order, kind)
	o.Prefix = p
	it := txn.NewIterator(o)
	defer it.Close()
	it.Seek(prefixEnd(p))
	if !it.Valid() {
		return 0
	}
	k := it.Item().Key()
	if len(k) != 14 {
		return 0
	}
	return uint32(k[10])<<24 | uint32(k[11])<<16 | uint32(k[12])<<8 | uint32(k[13])
}

// addDeliveriesTxn appends the items not yet in the vault and, if any and announce, records one
// event for them.
func addDeliveriesTxn(txn *badger.Txn, order int64, kind DeliveryKind, items []deliveryItem, now time.Time, announce bool) ([]Delivery, *Event, error) {
	var added []Delivery
	seq := lastSeq(txn, order, kind)
	seen := map[string]bool{}
	for _, it := range items {
		if strings.TrimSpace(it.value) == "" || seen[it.value] {
			continue
		}
		seen[it.value] = true
		dk := vaultDedupKey(order, kind, it.value)
		switch _, err := txn.Get(dk); {
		case err == nil:
			continue // already in the vault
		case !errors.Is(err, badger.ErrKeyNotFound):
			return nil, nil, err
		}
		seq++
		d := Delivery{Order: order, Kind: kind, Seq: seq, Value: it.value, Content: it.content, At: now}
		if err := setJSON(txn, vaultKey(order, kind, seq), d); err != nil {
			return nil, nil, err
		}
		if err := txn.Set(dk, nil); err != nil {
			return nil, nil, err
		}
		added = append(added, d)
	}
	if len(added) == 0 {
		return nil, nil, nil
	}
	if !announce {
		return added, nil, nil
	}
	ev := Event{Kind: EventDelivery, Order: order, At: now, Count: len(added), FirstSeq: added[0].Seq}
	if kind == DeliverySMSCode {
		ev.Kind = EventSMSCode
	}
	if err := addEventTxn(txn, &ev); err != nil {
		return nil, nil, err
	}
	return added, &ev, nil
}

// AddDeliveries appends values to the vault of order (kind DeliveryAccount or DeliverySMSCode)
// and returns only those that were not there yet, with the event announcing them (nil when
// nothing was new). The write is synced before it returns: notify only after that.
// RecordOrderStatus and RecordSMSStatus/RecordSMSCode do this themselves.
func (s *Store) AddDeliveries(order int64, kind DeliveryKind, values ...string) ([]Delivery, *Event, error) {
	items := make([]deliveryItem, len(values))
	for i, v := range values {
		items[i] = deliveryItem{value: v}
	}
	var added []Delivery
	var ev *Event
	err := s.update(func(txn *badger.Txn) (err error) {
		added, ev, err = addDeliveriesTxn(txn, order, kind, items, s.now(), true)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return added, ev, nil
}

// Deliveries returns everything in the vault for order, accounts first then SMS codes, each in
// arrival order.
func (s *Store) Deliveries(order int64) ([]Delivery, error) {
	var out []Delivery
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = prefixU64(pfxVault, uint64(order))
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != 14 {
				continue
			}
			var d Delivery
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &d) }); err != nil {
				return err
			}
			d.Order = order
			d.Kind = DeliveryKind(k[9])
			d.Seq = uint32(k[10])<<24 | uint32(k[11])<<16 | uint32(k[12])<<8 | uint32(k[13])
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// ---- events ----

// EventKind is what an event announces.
type EventKind string

// Event kinds recorded by the store; RecordEvent takes any other.
const (
	EventOrderStatus EventKind = "order_status" // Status: the new status of Order
	EventDelivery    EventKind = "delivery"     // Count accounts delivered for Order, from FirstSeq
	EventSMSStatus   EventKind = "sms_status"   // Status: the new status of SMS number Order
	EventSMSCode     EventKind = "sms_code"     // a code arrived for SMS number Order (FirstSeq)
)

// Event is something the user may be told about. It never holds a secret: the notification text
// is built from it, and the secret, if shown, is read from the vault.
type Event struct {
	ID       uint64    `json:"id"`
	Kind     EventKind `json:"kind"`
	Order    int64     `json:"order,omitempty"`
	At       time.Time `json:"at"`
	Status   string    `json:"status,omitempty"`
	Count    int       `json:"count,omitempty"`
	FirstSeq uint32    `json:"first,omitempty"`
	// Key, when set, makes RecordEvent idempotent: a second event with the same key is not
	// recorded.
	Key string `json:"key,omitempty"`
	// Text is a free, non-secret description.
	Text string `json:"text,omitempty"`
	// Balance, Currency and Threshold: a low-balance event (the balance read, below Threshold).
	Balance   client.Decimal `json:"balance,omitzero"`
	Currency  string         `json:"currency,omitempty"`
	Threshold client.Decimal `json:"threshold,omitzero"`
	// Service, Price, OldPrice, Stock and Variant: an event of a watched service (Text its
	// name): back in stock (Stock), a lower price (Price, was OldPrice; Threshold the price the
	// user set, if any), a new variant (Variant, its name).
	Service    int64          `json:"service,omitempty"`
	Price      client.Decimal `json:"price,omitzero"`
	OldPrice   client.Decimal `json:"old_price,omitzero"`
	Stock      int64          `json:"stock,omitempty"`
	Variant    string         `json:"variant,omitempty"`
	Notified   bool           `json:"notified,omitempty"`
	NotifiedAt time.Time      `json:"notified_at,omitzero"`
}

func eventKey(id uint64) []byte { return u64Key(pfxEvent, id) }

func eventDedupKey(key string) []byte { return append([]byte{pfxEventKey}, key...) }

func addEventTxn(txn *badger.Txn, ev *Event) error {
	id, err := nextSeq(txn, "event")
	if err != nil {
		return err
	}
	ev.ID = id
	ev.Notified, ev.NotifiedAt = false, time.Time{}
	if err := setJSON(txn, eventKey(id), ev); err != nil {
		return err
	}
	if ev.Key != "" {
		if err := txn.Set(eventDedupKey(ev.Key), u64b(id)); err != nil {
			return err
		}
	}
	return txn.Set(u64Key(pfxEventUnsent, id), nil)
}

func getEvent(txn *badger.Txn, id uint64) (Event, error) {
	var ev Event
	if err := getJSON(txn, eventKey(id), &ev); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Event{}, fmt.Errorf("%w: event %d", ErrNotFound, id)
		}
		return Event{}, err
	}
	return ev, nil
}

// RecordEvent records an event (synced) to be notified, and returns it with its ID. With a Key
// already recorded it returns the existing event and created false.
func (s *Store) RecordEvent(ev Event) (_ Event, created bool, err error) {
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	err = s.update(func(txn *badger.Txn) error {
		if ev.Key != "" {
			it, err := txn.Get(eventDedupKey(ev.Key))
			if err == nil {
				var id uint64
				if err := it.Value(func(b []byte) error {
					if len(b) != 8 {
						return ErrCorrupt
					}
					id = keyU64(b, 0)
					return nil
				}); err != nil {
					return err
				}
				ev, err = getEvent(txn, id)
				return err
			}
			if !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
		}
		created = true
		return addEventTxn(txn, &ev)
	})
	if err != nil {
		return Event{}, false, err
	}
	return ev, created, nil
}

// MarkNotified records (synced) that the events were notified — or deliberately not: every
// event must be marked once handled, or it stays pending. Marking twice is harmless.
func (s *Store) MarkNotified(ids ...uint64) error {
	_, err := s.ClaimEvents(ids...)
	return err
}

// ClaimEvents marks the events notified (synced), like MarkNotified, and returns the ids it
// marked now: those not marked before. Whoever claims an event announces it; an event claimed
// twice is announced once.
func (s *Store) ClaimEvents(ids ...uint64) ([]uint64, error) {
	var claimed []uint64
	err := s.update(func(txn *badger.Txn) error {
		claimed = claimed[:0]
		now := s.now()
		for _, id := range ids {
			ev, err := getEvent(txn, id)
			if err != nil {
				return err
			}
			if ev.Notified {
				continue
			}
			claimed = append(claimed, id)
			ev.Notified, ev.NotifiedAt = true, now
			if err := setJSON(txn, eventKey(id), ev); err != nil {
				return err
			}
			if err := txn.Delete(u64Key(pfxEventUnsent, id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return claimed, nil
}

// PendingEvents lists the events not yet marked notified, oldest first: after a restart, what
// still has to be told.
func (s *Store) PendingEvents() ([]Event, error) {
	var out []Event
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = []byte{pfxEventUnsent}
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ev, err := getEvent(txn, keyU64(it.Item().Key(), 1))
			if err != nil {
				return err
			}
			out = append(out, ev)
		}
		return nil
	})
	return out, err
}

// RecentEvents lists the last limit events (all when limit <= 0), newest first.
func (s *Store) RecentEvents(limit int) ([]Event, error) {
	var out []Event
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Reverse = true
		o.Prefix = []byte{pfxEvent}
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Seek(prefixEnd(o.Prefix)); it.Valid(); it.Next() {
			var ev Event
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &ev) }); err != nil {
				return err
			}
			out = append(out, ev)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	return out, err
}
