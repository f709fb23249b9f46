package cache

import (
	"errors"
	"fmt"
	"slices"
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
// Placing an order or an SMS number also creates its record (Order in orders.go, SMSNumber in
// sms.go), which keeps the last status, its history and the link to the vault.

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
				// Accounts it delivered while held are announced, not lost with the close.
				if _, err := releaseHeldTxn(txn, &o, s.now()); err != nil {
					return err
				}
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
