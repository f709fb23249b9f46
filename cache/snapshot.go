package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/hstockplus/hstockplus/client"
)

// Kind names a catalog endpoint whose answers are kept as snapshots.
type Kind string

// The catalog kinds.
const (
	KindCategories   Kind = "categories"
	KindServices     Kind = "services"
	KindProducts     Kind = "products"
	KindShops        Kind = "shops"
	KindSMSCountries Kind = "sms_countries"
	KindSMSProjects  Kind = "sms_projects"
)

// SnapshotInfo describes a saved snapshot.
type SnapshotInfo struct {
	Kind Kind
	// Lang is the language asked for ("en" by default; "" for shops, which have none).
	Lang string
	// Scope is the filter the snapshot was fetched with: the country of sms_projects ("" = all).
	Scope string
	// Gen identifies the content: it changes when a save changes the rows, not when the same rows
	// are fetched again. The GUI can alert on a new Gen.
	Gen uint64
	// FetchedAt is when the rows were fetched (the last time, if fetched again unchanged).
	FetchedAt time.Time
	// SavedAt is when this content was first saved.
	SavedAt time.Time
	Rows    int
	// Bytes is the encoded size of the rows.
	Bytes int64
	// Changed, set by the Save methods only, reports whether the save changed the content (false:
	// the rows were the same as the current snapshot's, only FetchedAt moved).
	Changed bool
}

// genInfo is one generation of a snapshot as recorded in its pointer.
type genInfo struct {
	Gen     uint64    `json:"gen"`
	Fetched time.Time `json:"fetched"`
	Saved   time.Time `json:"saved"`
	Rows    int       `json:"rows"`
	Chunks  int       `json:"chunks"`
	Bytes   int64     `json:"bytes"`
	Hash    string    `json:"hash"`
}

// snapPtr is the small record that says which generation is current; flipping it is what makes a
// new snapshot visible, atomically. Prev is kept for the diff.
type snapPtr struct {
	Cur  genInfo  `json:"cur"`
	Prev *genInfo `json:"prev,omitempty"`
}

func snapPtrKey(kind Kind, lang, scope string) []byte {
	k := make([]byte, 0, 3+len(kind)+len(lang)+len(scope))
	k = append(k, pfxSnapPtr)
	k = append(k, kind...)
	k = append(k, 0)
	k = append(k, lang...)
	k = append(k, 0)
	k = append(k, scope...)
	return k
}

func parseSnapPtrKey(k []byte) (kind Kind, lang, scope string, ok bool) {
	parts := bytes.Split(k[1:], []byte{0})
	if len(parts) != 3 {
		return "", "", "", false
	}
	return Kind(parts[0]), string(parts[1]), string(parts[2]), true
}

func rowsPrefix(gen uint64) []byte { return prefixU64(pfxSnapRows, gen) }

func rowsKey(gen uint64, chunk int) []byte { return u64u32Key(pfxSnapRows, gen, uint32(chunk)) }

// NormalizeLang maps an API language to the one snapshots are kept under: "" is "en" (the API's
// default) and "jp" is "ja" (its alias).
func NormalizeLang(lang string) string {
	lang = strings.TrimSpace(lang)
	switch strings.ToLower(lang) {
	case "", "en":
		return "en"
	case "jp", "ja":
		return "ja"
	}
	return lang
}

func (g genInfo) info(kind Kind, lang, scope string) SnapshotInfo {
	return SnapshotInfo{Kind: kind, Lang: lang, Scope: scope, Gen: g.Gen, FetchedAt: g.Fetched,
		SavedAt: g.Saved, Rows: g.Rows, Bytes: g.Bytes}
}

// saveSnapshot writes rows as a new generation, then flips the pointer in one small synced
// transaction, then deletes the generation before the previous one in the background. A reader
// sees the old rows or the new ones, never a mix; a crash before the flip leaves the old snapshot
// current and orphan rows that the next Open sweeps away.
// batchBytes is how many bytes of chunks saveSnapshot writes at a time.
const batchBytes = 8 << 20

func saveSnapshot[T any](s *Store, c *rowCodec[T], lang, scope string, fetched time.Time, rows []T) (SnapshotInfo, error) {
	if err := s.enter(); err != nil {
		return SnapshotInfo{}, err
	}
	defer s.life.RUnlock()
	s.snapMu.Lock()
	defer s.snapMu.Unlock()

	if fetched.IsZero() {
		fetched = s.now()
	}
	// The rows are encoded twice, a chunk at a time, rather than held encoded (20 MB at 100k
	// rows): once for the hash that tells a catalogue fetched again unchanged, once to write.
	h := sha256.New()
	var size int64
	var nChunks int
	var one []byte
	_ = eachChunk(c, rows, chunkTarget, func(size int) []byte {
		if cap(one) < size {
			one = make([]byte, 0, size+size/8)
		}
		return one
	}, func(ch []byte) error {
		h.Write(ch)
		size += int64(len(ch))
		nChunks++
		return nil
	})
	hash := hex.EncodeToString(h.Sum(nil))
	ptrKey := snapPtrKey(c.kind, lang, scope)

	var ptr snapPtr
	found := true
	if err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, ptrKey, &ptr) }); errors.Is(err, ErrNotFound) {
		found = false
	} else if err != nil {
		return SnapshotInfo{}, err
	}

	if found && ptr.Cur.Hash == hash && ptr.Cur.Rows == len(rows) {
		// Same content fetched again: only the fetch time moves; the diff keeps showing the last
		// real change.
		ptr.Cur.Fetched = fetched
		if err := s.db.Update(func(txn *badger.Txn) error { return setJSON(txn, ptrKey, ptr) }); err != nil {
			return SnapshotInfo{}, err
		}
		return ptr.Cur.info(c.kind, lang, scope), nil
	}

	var gen uint64
	if err := s.db.Update(func(txn *badger.Txn) (err error) {
		gen, err = nextSeq(txn, "gen")
		return err
	}); err != nil {
		return SnapshotInfo{}, err
	}

	// A batch keeps its chunks until it is written: one is written every batchBytes, so that the
	// chunks are not all held at once, and the buffers of a batch written serve the next.
	wb := s.db.NewWriteBatch()
	i, pending := 0, 0
	var used, free [][]byte
	get := func(size int) []byte {
		for j, b := range free {
			if cap(b) >= size {
				free = append(free[:j], free[j+1:]...)
				return b
			}
		}
		return nil
	}
	if err := eachChunk(c, rows, chunkTarget, get, func(ch []byte) error {
		if pending >= batchBytes {
			if err := wb.Flush(); err != nil {
				return err
			}
			wb, pending = s.db.NewWriteBatch(), 0
			free, used = append(free, used...), used[:0]
		}
		i++
		pending += len(ch)
		used = append(used, ch)
		return wb.Set(rowsKey(gen, i-1), ch)
	}); err != nil {
		wb.Cancel()
		return SnapshotInfo{}, fmt.Errorf("cache: writing snapshot rows: %w", err)
	}
	if err := wb.Flush(); err != nil {
		return SnapshotInfo{}, fmt.Errorf("cache: writing snapshot rows: %w", err)
	}
	if i != nChunks { // the two passes encode alike; the pointer must not count other chunks
		return SnapshotInfo{}, fmt.Errorf("cache: writing snapshot rows: %d chunks written, %d hashed", i, nChunks)
	}

	cur := genInfo{Gen: gen, Fetched: fetched, Saved: s.now(), Rows: len(rows), Chunks: nChunks, Bytes: size, Hash: hash}
	next := snapPtr{Cur: cur}
	var drop *genInfo
	if found {
		prev := ptr.Cur
		next.Prev = &prev
		drop = ptr.Prev
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return setJSON(txn, ptrKey, next) }); err != nil {
		// The new rows are orphans now; the next Open sweeps them.
		return SnapshotInfo{}, fmt.Errorf("cache: switching to the new snapshot: %w", err)
	}
	if drop != nil {
		g := drop.Gen
		s.goBackground(func() {
			if err := s.deleteGeneration(g); err != nil && !errors.Is(err, ErrClosed) {
				s.logf("cache: deleting old snapshot rows: %v", err)
			}
		})
	}
	info := cur.info(c.kind, lang, scope)
	info.Changed = true
	return info, nil
}

// deleteGeneration deletes the rows of a generation nobody points to any more. Readers that
// started before the pointer moved keep seeing them: a Badger read transaction is a snapshot.
func (s *Store) deleteGeneration(gen uint64) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	var keys [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = rowsPrefix(gen)
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil || len(keys) == 0 {
		return err
	}
	wb := s.db.NewWriteBatch()
	for _, k := range keys {
		if err := wb.Delete(k); err != nil {
			wb.Cancel()
			return err
		}
	}
	return wb.Flush()
}

// sweepOrphanGenerations deletes snapshot rows that no pointer refers to: what a crash between
// writing the rows and flipping the pointer (or before the old rows were deleted) leaves behind.
func (s *Store) sweepOrphanGenerations() error {
	if err := s.enter(); err != nil {
		return err
	}
	// The scan runs under snapMu: a save in progress has either not allocated its generation yet,
	// or has already flipped its pointer.
	s.snapMu.Lock()
	live := map[uint64]bool{}
	var orphans []uint64
	err := s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = []byte{pfxSnapPtr}
		it := txn.NewIterator(o)
		for it.Rewind(); it.Valid(); it.Next() {
			var p snapPtr
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &p) }); err != nil {
				it.Close()
				return err
			}
			live[p.Cur.Gen] = true
			if p.Prev != nil {
				live[p.Prev.Gen] = true
			}
		}
		it.Close()
		o = badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = []byte{pfxSnapRows}
		it = txn.NewIterator(o)
		defer it.Close()
		var last uint64
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) < 9 {
				continue
			}
			g := keyU64(k, 1)
			if g != last && !live[g] {
				orphans = append(orphans, g)
			}
			last = g
		}
		return nil
	})
	s.snapMu.Unlock()
	s.life.RUnlock()
	if err != nil {
		return err
	}
	for _, g := range orphans {
		select {
		case <-s.done:
			return nil
		default:
		}
		if err := s.deleteGeneration(g); err != nil {
			return err
		}
	}
	return nil
}

// readGen decodes all rows of one generation inside txn. The chunks are read in order, then
// decoded in two halves at once (a 100k catalog is about a hundred chunks).
func readGen[T any](txn *badger.Txn, c *rowCodec[T], g genInfo) ([]T, error) {
	o := badger.DefaultIteratorOptions
	o.Prefix = rowsPrefix(g.Gen)
	o.PrefetchSize = 16
	it := txn.NewIterator(o)
	defer it.Close()
	var chunks []string
	for it.Rewind(); it.Valid(); it.Next() {
		if err := it.Item().Value(func(b []byte) error {
			chunks = append(chunks, string(b)) // the rows' texts point into it
			return nil
		}); err != nil {
			return nil, err
		}
	}
	// Each chunk's rows are decoded in their place in one slice (its header says how many), the
	// chunks in two halves at once: no halves joined afterwards (20 MB at 100k rows).
	at := make([]int, len(chunks)+1)
	for i, ch := range chunks {
		n, err := chunkRows(ch)
		if err != nil || at[i]+n > g.Rows {
			return nil, fmt.Errorf("%w: snapshot %s generation %d chunk %d: rows beyond the %d expected", ErrCorrupt, c.kind, g.Gen, i, g.Rows)
		}
		at[i+1] = at[i] + n
	}
	rows := make([]T, at[len(chunks)])
	decode := func(from, to int) error {
		for i := from; i < to; i++ {
			dst := rows[at[i]:at[i]:at[i+1]]
			got, err := decodeChunkString(c, chunks[i], dst)
			if err == nil && len(got) != at[i+1]-at[i] {
				err = errors.New("rows not as counted")
			}
			if err != nil {
				return fmt.Errorf("%w: snapshot %s generation %d chunk %d: %v", ErrCorrupt, c.kind, g.Gen, i, err)
			}
		}
		return nil
	}
	half := len(chunks) / 2
	var firstErr error
	var wg sync.WaitGroup
	if half > 0 {
		wg.Go(func() { firstErr = decode(0, half) })
	}
	err := decode(half, len(chunks))
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err != nil {
		return nil, err
	}
	if len(chunks) != g.Chunks || len(rows) != g.Rows {
		return nil, fmt.Errorf("%w: snapshot %s generation %d has %d chunks / %d rows, expected %d / %d",
			ErrCorrupt, c.kind, g.Gen, len(chunks), len(rows), g.Chunks, g.Rows)
	}
	return rows, nil
}

// loadSnapshot reads the pointer and the rows it points to in one read transaction: a consistent
// view even while a save or a background delete runs.
func loadSnapshot[T any](s *Store, c *rowCodec[T], lang, scope string) ([]T, SnapshotInfo, error) {
	var rows []T
	var info SnapshotInfo
	err := s.view(func(txn *badger.Txn) error {
		var ptr snapPtr
		if err := getJSON(txn, snapPtrKey(c.kind, lang, scope), &ptr); err != nil {
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("%w: %s (%s)", ErrNoSnapshot, c.kind, lang)
			}
			return err
		}
		info = ptr.Cur.info(c.kind, lang, scope)
		var err error
		rows, err = readGen(txn, c, ptr.Cur)
		return err
	})
	if err != nil {
		return nil, SnapshotInfo{}, err
	}
	return rows, info, nil
}

// loadBoth reads the current and the previous generation (prev is nil when there is none).
func loadBoth[T any](s *Store, c *rowCodec[T], lang, scope string) (cur, prev []T, ci, pi SnapshotInfo, err error) {
	err = s.view(func(txn *badger.Txn) error {
		var ptr snapPtr
		if err := getJSON(txn, snapPtrKey(c.kind, lang, scope), &ptr); err != nil {
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("%w: %s (%s)", ErrNoSnapshot, c.kind, lang)
			}
			return err
		}
		ci = ptr.Cur.info(c.kind, lang, scope)
		var err error
		if cur, err = readGen(txn, c, ptr.Cur); err != nil {
			return err
		}
		if ptr.Prev != nil {
			pi = ptr.Prev.info(c.kind, lang, scope)
			if prev, err = readGen(txn, c, *ptr.Prev); err != nil {
				return err
			}
		}
		return nil
	})
	return
}

// Snapshot returns the description of the current snapshot of kind without reading its rows.
func (s *Store) Snapshot(kind Kind, lang, scope string) (SnapshotInfo, error) {
	var info SnapshotInfo
	err := s.view(func(txn *badger.Txn) error {
		var ptr snapPtr
		if err := getJSON(txn, snapPtrKey(kind, lang, scope), &ptr); err != nil {
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("%w: %s (%s)", ErrNoSnapshot, kind, lang)
			}
			return err
		}
		info = ptr.Cur.info(kind, lang, scope)
		return nil
	})
	return info, err
}

// Snapshots lists every saved snapshot.
func (s *Store) Snapshots() ([]SnapshotInfo, error) {
	var out []SnapshotInfo
	err := s.view(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = []byte{pfxSnapPtr}
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			kind, lang, scope, ok := parseSnapPtrKey(it.Item().Key())
			if !ok {
				continue
			}
			var p snapPtr
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, &p) }); err != nil {
				return err
			}
			out = append(out, p.Cur.info(kind, lang, scope))
		}
		return nil
	})
	return out, err
}

// ---- typed snapshot methods ----

// SaveServices saves the full services list (every row, limit 0) fetched in lang. Filtered
// answers (category, shopId, productIds) must not be saved as the snapshot.
func (s *Store) SaveServices(lang string, fetched time.Time, rows []client.Service) (SnapshotInfo, error) {
	return saveSnapshot(s, servicesCodec, NormalizeLang(lang), "", fetched, rows)
}

// Services loads the current services snapshot of lang; ErrNoSnapshot if none was saved.
func (s *Store) Services(lang string) ([]client.Service, SnapshotInfo, error) {
	return loadSnapshot(s, servicesCodec, NormalizeLang(lang), "")
}

// DiffServices compares the last two services snapshots of lang.
func (s *Store) DiffServices(lang string) (Diff[client.Service], error) {
	return diffSnapshots(s, servicesCodec, NormalizeLang(lang), "", serviceDiffer)
}

// SaveProducts saves the full products list fetched in lang.
func (s *Store) SaveProducts(lang string, fetched time.Time, rows []client.Service) (SnapshotInfo, error) {
	return saveSnapshot(s, productsCodec, NormalizeLang(lang), "", fetched, rows)
}

// Products loads the current products snapshot of lang.
func (s *Store) Products(lang string) ([]client.Service, SnapshotInfo, error) {
	return loadSnapshot(s, productsCodec, NormalizeLang(lang), "")
}

// DiffProducts compares the last two products snapshots of lang.
func (s *Store) DiffProducts(lang string) (Diff[client.Service], error) {
	return diffSnapshots(s, productsCodec, NormalizeLang(lang), "", serviceDiffer)
}

// SaveCategories saves the categories fetched in lang.
func (s *Store) SaveCategories(lang string, fetched time.Time, rows []client.Category) (SnapshotInfo, error) {
	return saveSnapshot(s, categoriesCodec, NormalizeLang(lang), "", fetched, rows)
}

// Categories loads the current categories snapshot of lang.
func (s *Store) Categories(lang string) ([]client.Category, SnapshotInfo, error) {
	return loadSnapshot(s, categoriesCodec, NormalizeLang(lang), "")
}

// DiffCategories compares the last two categories snapshots of lang (added and removed only).
func (s *Store) DiffCategories(lang string) (Diff[client.Category], error) {
	return diffSnapshots(s, categoriesCodec, NormalizeLang(lang), "", categoryDiffer)
}

// SaveShops saves the full shops list (all pages).
func (s *Store) SaveShops(fetched time.Time, rows []client.Shop) (SnapshotInfo, error) {
	return saveSnapshot(s, shopsCodec, "", "", fetched, rows)
}

// Shops loads the current shops snapshot.
func (s *Store) Shops() ([]client.Shop, SnapshotInfo, error) {
	return loadSnapshot(s, shopsCodec, "", "")
}

// DiffShops compares the last two shops snapshots (added and removed only).
func (s *Store) DiffShops() (Diff[client.Shop], error) {
	return diffSnapshots(s, shopsCodec, "", "", shopDiffer)
}

// SaveSMSCountries saves the SMS countries fetched in lang.
func (s *Store) SaveSMSCountries(lang string, fetched time.Time, rows []client.SMSCountry) (SnapshotInfo, error) {
	return saveSnapshot(s, smsCountriesCodec, NormalizeLang(lang), "", fetched, rows)
}

// SMSCountries loads the current SMS countries snapshot of lang.
func (s *Store) SMSCountries(lang string) ([]client.SMSCountry, SnapshotInfo, error) {
	return loadSnapshot(s, smsCountriesCodec, NormalizeLang(lang), "")
}

// DiffSMSCountries compares the last two SMS countries snapshots of lang.
func (s *Store) DiffSMSCountries(lang string) (Diff[client.SMSCountry], error) {
	return diffSnapshots(s, smsCountriesCodec, NormalizeLang(lang), "", countryDiffer)
}

// SaveSMSProjects saves the SMS projects fetched in lang for country ("" = no country filter).
func (s *Store) SaveSMSProjects(lang, country string, fetched time.Time, rows []client.SMSProject) (SnapshotInfo, error) {
	return saveSnapshot(s, smsProjectsCodec, NormalizeLang(lang), strings.ToLower(strings.TrimSpace(country)), fetched, rows)
}

// SMSProjects loads the current SMS projects snapshot of lang and country.
func (s *Store) SMSProjects(lang, country string) ([]client.SMSProject, SnapshotInfo, error) {
	return loadSnapshot(s, smsProjectsCodec, NormalizeLang(lang), strings.ToLower(strings.TrimSpace(country)))
}

// DiffSMSProjects compares the last two SMS projects snapshots of lang and country.
func (s *Store) DiffSMSProjects(lang, country string) (Diff[client.SMSProject], error) {
	return diffSnapshots(s, smsProjectsCodec, NormalizeLang(lang), strings.ToLower(strings.TrimSpace(country)), projectDiffer)
}
