package cache

import (
	"errors"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/hstockplus/hstockplus/client"
)

// BalancePoint is the account balance at a time.
type BalancePoint struct {
	At       time.Time      `json:"at"`
	Balance  client.Decimal `json:"balance"`
	Currency string         `json:"currency"`
}

// RecordBalance adds a point to the balance history when the balance or the currency differs from
// the last point (the history is a step line: an unchanged balance adds nothing). at zero means
// now. It reports whether a point was stored.
func (s *Store) RecordBalance(b client.Balance, at time.Time) (bool, error) {
	if at.IsZero() {
		at = s.now()
	}
	stored := false
	err := s.update(func(txn *badger.Txn) error {
		last, err := lastBalance(txn)
		if err == nil && last.Currency == b.Currency && last.Balance.Cmp(b.Balance.Decimal) == 0 {
			return nil
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		stored = true
		return setJSON(txn, u64Key(pfxBalance, timeKey(at)), BalancePoint{At: at, Balance: b.Balance, Currency: b.Currency})
	})
	return stored, err
}

func lastBalance(txn *badger.Txn) (BalancePoint, error) {
	o := badger.DefaultIteratorOptions
	o.Reverse = true
	o.Prefix = []byte{pfxBalance}
	it := txn.NewIterator(o)
	defer it.Close()
	it.Seek(prefixEnd(o.Prefix))
	if !it.Valid() {
		return BalancePoint{}, ErrNotFound
	}
	var p BalancePoint
	err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &p) })
	return p, err
}

// LastBalance returns the latest balance point, or ErrNotFound.
func (s *Store) LastBalance() (BalancePoint, error) {
	var p BalancePoint
	err := s.view(func(txn *badger.Txn) (err error) {
		p, err = lastBalance(txn)
		return err
	})
	return p, err
}

// BalanceHistory returns the points with since <= At < until (zero bounds are open), oldest first.
func (s *Store) BalanceHistory(since, until time.Time) ([]BalancePoint, error) {
	var out []BalancePoint
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = []byte{pfxBalance}
		it := txn.NewIterator(o)
		defer it.Close()
		start := []byte{pfxBalance}
		if !since.IsZero() {
			start = u64Key(pfxBalance, timeKey(since))
		}
		for it.Seek(start); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != 9 {
				continue
			}
			if !until.IsZero() && keyU64(k, 1) >= timeKey(until) {
				break
			}
			var p BalancePoint
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &p) }); err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}
