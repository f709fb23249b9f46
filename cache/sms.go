package cache

import (
	"errors"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/hstockplus/hstockplus/client"
)

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

func getSMS(txn *badger.Txn, id int64) (SMSNumber, error) {
	return getRecord[SMSNumber](txn, smsKind, id)
}

// putSMS writes n and keeps the open index in step with n.Closed. isNew adds the time index.
func putSMS(txn *badger.Txn, n *SMSNumber, isNew bool) error {
	return putRecord(txn, smsKind, n.Order, n, n.PlacedAt, !n.Closed, isNew)
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
	added, ev, err := addDeliveriesTxn(txn, n.Order, DeliverySMSCode, []deliveryItem{{value: code, content: content}}, now, true)
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
