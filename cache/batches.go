package cache

import (
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/hstockplus/hstockplus/client"
)

// Mass orders. A batch is the list of orders the user confirmed at once; its lines are sent one
// after another, each as a normal journal entry. A line is linked to its journal entry in the
// same synced transaction that creates the entry (BeginBatchAdd), so after a crash every line is
// either unsent (no entry: it was never sent and may be offered again) or has an entry (the
// journal says what became of it, an interrupted one being unconfirmed): a line is never sent
// twice. A batch whose lines all have an entry, or that the user gave up, is deleted.

// BatchLine is one order of a batch.
type BatchLine struct {
	// Line is the line's number in what the user pasted or imported (1-based).
	Line     int            `json:"line"`
	Service  int64          `json:"service"`
	Quantity int64          `json:"quantity"`
	Link     string         `json:"link,omitempty"`
	Comments string         `json:"comments,omitempty"`
	Label    string         `json:"label,omitempty"`
	Estimate client.Decimal `json:"estimate"`
	// SpendID is the journal entry the line was sent as; zero: not sent.
	SpendID uint64 `json:"spend,omitempty"`
}

// Request is the order the line sends.
func (l BatchLine) Request() client.AddRequest {
	return client.AddRequest{Service: l.Service, Quantity: l.Quantity, Link: l.Link, Comments: l.Comments}
}

// Batch is a mass order: its lines in the order they are sent.
type Batch struct {
	ID        uint64      `json:"id"`
	CreatedAt time.Time   `json:"created"`
	Lines     []BatchLine `json:"-"`
}

// Unsent is how many lines have not been sent.
func (b Batch) Unsent() int {
	n := 0
	for _, l := range b.Lines {
		if l.SpendID == 0 {
			n++
		}
	}
	return n
}

// MaxBatchLines bounds the lines of one batch.
const MaxBatchLines = 1000

// ErrBatchLineSent: the line already has a journal entry; it is not sent again.
var ErrBatchLineSent = errors.New("cache: this line of the mass order was already sent")

func batchKey(id uint64) []byte { return u64Key(pfxBatch, id) }

func batchLineKey(id uint64, i int) []byte { return u64u32Key(pfxBatchLine, id, uint32(i)) }

// CreateBatch stores a new batch of lines (none sent) and returns it with its id. Synced.
func (s *Store) CreateBatch(lines []BatchLine) (Batch, error) {
	if len(lines) == 0 || len(lines) > MaxBatchLines {
		return Batch{}, fmt.Errorf("cache: a mass order has 1 to %d lines, not %d", MaxBatchLines, len(lines))
	}
	b := Batch{CreatedAt: s.now(), Lines: make([]BatchLine, len(lines))}
	copy(b.Lines, lines)
	err := s.update(func(txn *badger.Txn) error {
		id, err := nextSeq(txn, "batch")
		if err != nil {
			return err
		}
		b.ID = id
		if err := setJSON(txn, batchKey(id), b); err != nil {
			return err
		}
		for i := range b.Lines {
			b.Lines[i].SpendID = 0
			if err := setJSON(txn, batchLineKey(id, i), b.Lines[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Batch{}, err
	}
	return b, nil
}

func getBatch(txn *badger.Txn, id uint64) (Batch, error) {
	var b Batch
	if err := getJSON(txn, batchKey(id), &b); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Batch{}, fmt.Errorf("%w: mass order %d", ErrNotFound, id)
		}
		return Batch{}, err
	}
	o := badger.DefaultIteratorOptions
	o.Prefix = u64Key(pfxBatchLine, id)
	it := txn.NewIterator(o)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var l BatchLine
		if err := it.Item().Value(func(v []byte) error { return jsonUnmarshal(v, &l) }); err != nil {
			return Batch{}, err
		}
		b.Lines = append(b.Lines, l)
	}
	return b, nil
}

// Batch reads batch id with its lines.
func (s *Store) Batch(id uint64) (Batch, error) {
	var b Batch
	err := s.view(func(txn *badger.Txn) (err error) {
		b, err = getBatch(txn, id)
		return err
	})
	return b, err
}

// Batches lists the stored batches, oldest first.
func (s *Store) Batches() ([]Batch, error) {
	var out []Batch
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = []byte{pfxBatch}
		it := txn.NewIterator(o)
		var ids []uint64
		for it.Rewind(); it.Valid(); it.Next() {
			ids = append(ids, keyU64(it.Item().Key(), 1))
		}
		it.Close()
		for _, id := range ids {
			b, err := getBatch(txn, id)
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return nil
	})
	return out, err
}

// BeginBatchAdd is BeginAdd for line i of batch id: the journal entry is created and the line
// linked to it in one synced transaction, so that it can never be sent twice. A line already
// linked is ErrBatchLineSent; a deleted batch or line ErrNotFound.
func (s *Store) BeginBatchAdd(id uint64, i int) (Spend, error) {
	var sp Spend
	err := s.update(func(txn *badger.Txn) error {
		var l BatchLine
		if err := getJSON(txn, batchLineKey(id, i), &l); err != nil {
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("%w: line %d of mass order %d", ErrNotFound, i, id)
			}
			return err
		}
		if l.SpendID != 0 {
			return fmt.Errorf("%w (line %d, journal entry %d)", ErrBatchLineSent, l.Line, l.SpendID)
		}
		now := s.now()
		sp = Spend{Action: ActionAdd, Add: l.Request(), Label: l.Label, Estimate: l.Estimate,
			State: SpendSending, CreatedAt: now, UpdatedAt: now}
		seq, err := nextSeq(txn, "spend")
		if err != nil {
			return err
		}
		sp.ID = seq
		if err := putSpend(txn, &sp, ""); err != nil {
			return err
		}
		l.SpendID = sp.ID
		return setJSON(txn, batchLineKey(id, i), l)
	})
	if err != nil {
		return Spend{}, err
	}
	return sp, nil
}

// DeleteBatch forgets batch id: its unsent lines will not be sent. The journal entries of the
// lines sent stay. Deleting a batch that is not there is not an error.
func (s *Store) DeleteBatch(id uint64) error {
	return s.update(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = u64Key(pfxBatchLine, id)
		it := txn.NewIterator(o)
		var keys [][]byte
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		it.Close()
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return txn.Delete(batchKey(id))
	})
}
