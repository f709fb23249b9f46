package cache

import (
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/hstockplus/hstockplus/client"
)

// Watch is a watched service or product: what the user wants to hear of, and what was last seen
// of it (so that one change is announced once, across restarts, whoever saw it first).
type Watch struct {
	Service int64  `json:"service"`
	Label   string `json:"label,omitempty"`
	Product bool   `json:"product,omitempty"`
	// BackInStock: announce when it comes back in stock. PriceDrop: when its price drops — by
	// any amount, or (HasBelow) below Below. NewVariant: when a product gets a variant.
	BackInStock bool           `json:"back_in_stock,omitempty"`
	PriceDrop   bool           `json:"price_drop,omitempty"`
	HasBelow    bool           `json:"has_below,omitempty"`
	Below       client.Decimal `json:"below,omitzero"`
	NewVariant  bool           `json:"new_variant,omitempty"`
	Added       time.Time      `json:"added"`
	Seen        WatchSeen      `json:"seen"`
}

// WatchSeen is what was last seen of a watched item. A price or a stock not known is never
// compared (an unknown price is not zero).
type WatchSeen struct {
	// CheckedAt: the last inventory check; At: the last look, by a check or a catalog refresh.
	CheckedAt     time.Time      `json:"checked_at,omitzero"`
	At            time.Time      `json:"at,omitzero"`
	StockKnown    bool           `json:"stock_known,omitempty"`
	Stock         int64          `json:"stock,omitempty"`
	RateKnown     bool           `json:"rate_known,omitempty"`
	Rate          client.Decimal `json:"rate,omitzero"`
	VariantsKnown bool           `json:"variants_known,omitempty"`
	Variants      []string       `json:"variants,omitempty"` // ids of the variants on sale
}

func watchKey(service int64) []byte { return u64Key(pfxWatch, uint64(service)) }

// Watches lists the watched items by service number.
func (s *Store) Watches() ([]Watch, error) {
	var out []Watch
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = []byte{pfxWatch}
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var w Watch
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &w) }); err != nil {
				return err
			}
			out = append(out, w)
		}
		return nil
	})
	return out, err
}

// Watch reads one watched item (ErrNotFound when it is not watched).
func (s *Store) Watch(service int64) (Watch, error) {
	var w Watch
	err := s.view(func(txn *badger.Txn) error {
		err := getJSON(txn, watchKey(service), &w)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%w: watch %d", ErrNotFound, service)
		}
		return err
	})
	return w, err
}

// UpdateWatch changes a watched item in one synced transaction: fn gets the item as stored
// (exists false: a zero Watch) and changes it; it returns whether the item is to be kept (false
// deletes it) and the events to record with the change. The item and its events are written
// together: what was seen and its announcement are never one without the other. It returns the
// events recorded, with their ids.
func (s *Store) UpdateWatch(service int64, fn func(w *Watch, exists bool) (keep bool, evs []Event, err error)) ([]Event, error) {
	var out []Event
	err := s.update(func(txn *badger.Txn) error {
		out = out[:0]
		var w Watch
		exists := true
		if err := getJSON(txn, watchKey(service), &w); errors.Is(err, ErrNotFound) {
			exists, w = false, Watch{}
		} else if err != nil {
			return err
		}
		keep, evs, err := fn(&w, exists)
		if err != nil {
			return err
		}
		if !keep {
			if !exists {
				return nil
			}
			return txn.Delete(watchKey(service))
		}
		w.Service = service
		if err := setJSON(txn, watchKey(service), w); err != nil {
			return err
		}
		for i := range evs {
			if evs[i].At.IsZero() {
				evs[i].At = s.now()
			}
			if err := addEventTxn(txn, &evs[i]); err != nil {
				return err
			}
			out = append(out, evs[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
