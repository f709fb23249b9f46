package sandbox

import (
	"container/heap"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// State persistence (Options.StateFile).
//
// The file holds the customer's state only: balance, orders, SMS numbers,
// owned phones, the refunds still due, the id and sequence counters and the
// stock each slot lost to orders. The catalog is rebuilt from Options.Seed and
// Options.Services; the file records the seed, the catalog's size and a
// fingerprint of it and is refused (ErrState) when they do not match.
//
// Times are absolute instants of the server's clock (Options.Now, else
// time.Now): Speed scales an order's durations when it is placed, and the
// resulting instants are stored as they are. Time goes on while no server
// runs, as it does for a real account: an order placed 5 minutes before a
// restart is 5 minutes older after it, and one that was due to end meanwhile
// has ended (its refund, if any, is credited once, on the first request).
// Changing Speed across a restart changes only the orders placed afterwards.
//
// Saving: every change of the state bumps a generation counter under s.mu. An
// API request that changed it writes the file before its answer is sent, so
// an answered order id is never handed out again after a restart. A save
// copies the state under s.mu (pointers to the immutable order records, O(n)
// and no I/O), then encodes and writes it holding saveMu only; concurrent
// savers queue on saveMu and the first one writes everybody's changes.

// ErrState reports a state file that cannot be used: not a state file,
// truncated or corrupt, written by an incompatible version, or for another
// catalog (seed, size). New returns it wrapped and leaves the file alone;
// deleting the file resets the demo account.
var ErrState = errors.New("sandbox: unusable state file")

const (
	stateFormat  = "hstockplus-sandbox-state"
	stateVersion = 1
)

// stateDoc is the file's JSON document.
type stateDoc struct {
	Format   string `json:"format"`
	Version  int    `json:"version"`
	Seed     int64  `json:"seed"`
	Services int    `json:"services"` // catalog rows
	Slots    int    `json:"slots"`    // stock slots
	Catalog  string `json:"catalog"`  // fingerprint of the catalog, hex

	SavedAt  time.Time `json:"savedAt"` // informative only
	Balance  string    `json:"balance"`
	NextID   int64     `json:"nextId"`
	OrderSeq int       `json:"orderSeq"`
	SMSSeq   int       `json:"smsSeq"`

	Orders []stateOrder `json:"orders"`
	SMS    []stateSMS   `json:"sms"`
	Phones []statePhone `json:"phones"`
	Settle []int64      `json:"settle"` // orders whose refund is not credited yet
	Stock  []stateStock `json:"stock"`  // slots whose stock orders changed
}

type stateOrder struct {
	ID         int64       `json:"id"`
	Service    int         `json:"service"` // row number
	Qty        int         `json:"quantity"`
	Link       string      `json:"link,omitempty"`
	Comments   []string    `json:"comments,omitempty"`
	Created    time.Time   `json:"created"`
	StartAt    time.Time   `json:"startAt"`
	DoneAt     time.Time   `json:"doneAt"`
	Outcome    string      `json:"outcome"`
	Delivered  int         `json:"delivered"`
	StartCount int         `json:"startCount"`
	Charge     string      `json:"charge"`
	Refund     string      `json:"refund"`
	Alloc      []statePart `json:"alloc,omitempty"`
}

type statePart struct {
	Sub   int   `json:"sub"`
	Qty   int   `json:"quantity"`
	Price int64 `json:"price"` // ten-thousandths
}

type stateSMS struct {
	ID        int64     `json:"id"`
	Project   string    `json:"project"` // project id
	Phone     string    `json:"phone"`
	Country   string    `json:"country"` // country code
	Reuse     bool      `json:"reuse,omitempty"`
	Created   time.Time `json:"created"`
	ActiveTo  time.Time `json:"activeTo"`
	CodeAt    time.Time `json:"codeAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	Never     bool      `json:"never,omitempty"`
	Code      string    `json:"code"`
	Charge    string    `json:"charge"`
}

type statePhone struct {
	Phone   string `json:"phone"`
	Country string `json:"country"`
}

type stateStock struct {
	Slot  int32 `json:"slot"`
	Delta int64 `json:"delta"` // change from the catalog's initial stock (≤ 0)
}

var outcomeNames = [...]string{outcomeCompleted: "completed", outcomePartial: "partial", outcomeCanceled: "canceled"}

// snapshot is the state copied under s.mu; orders and SMS orders are never
// modified once stored, so sharing their pointers is safe.
type snapshot struct {
	gen      uint64
	balance  decimal.Decimal
	nextID   int64
	orderSeq int
	smsSeq   int
	orders   []*order
	sms      []*smsOrder
	phones   []statePhone
	settle   []int64
	stock    []stateStock
}

// changedLocked records a change of the persisted state. s.mu must be held.
func (s *Server) changedLocked() { s.gen.Add(1) }

func (s *Server) snapshotLocked() *snapshot {
	sn := &snapshot{
		gen:      s.gen.Load(),
		balance:  s.balance,
		nextID:   s.nextID,
		orderSeq: s.orderSeq,
		smsSeq:   s.smsSeq,
		orders:   make([]*order, 0, len(s.orders)),
		sms:      make([]*smsOrder, 0, len(s.sms)),
		phones:   make([]statePhone, 0, len(s.phones)),
		settle:   make([]int64, 0, len(s.settleQ)),
		stock:    make([]stateStock, 0, len(s.touched)),
	}
	for _, o := range s.orders {
		sn.orders = append(sn.orders, o)
	}
	for _, o := range s.sms {
		sn.sms = append(sn.sms, o)
	}
	for p, ci := range s.phones {
		sn.phones = append(sn.phones, statePhone{p, s.cat.countries[ci].code})
	}
	for _, it := range s.settleQ {
		sn.settle = append(sn.settle, it.id)
	}
	for slot := range s.touched {
		if d := s.stock[slot].Load() - s.cat.initStock[slot]; d != 0 {
			sn.stock = append(sn.stock, stateStock{slot, d})
		}
	}
	return sn
}

// encodeState renders a snapshot; it runs without s.mu.
func (s *Server) encodeState(sn *snapshot) []byte {
	doc := stateDoc{
		Format: stateFormat, Version: stateVersion,
		Seed: s.seed, Services: len(s.cat.rows), Slots: len(s.cat.initStock), Catalog: s.fingerprint,
		SavedAt: s.now().UTC(), Balance: sn.balance.String(),
		NextID: sn.nextID, OrderSeq: sn.orderSeq, SMSSeq: sn.smsSeq,
		Orders: make([]stateOrder, 0, len(sn.orders)),
		SMS:    make([]stateSMS, 0, len(sn.sms)),
		Phones: sn.phones,
		Settle: sn.settle,
		Stock:  sn.stock,
	}
	slices.SortFunc(sn.orders, func(a, b *order) int { return cmpInt(a.id, b.id) })
	slices.SortFunc(sn.sms, func(a, b *smsOrder) int { return cmpInt(a.id, b.id) })
	slices.SortFunc(doc.Phones, func(a, b statePhone) int { return cmpStr(a.Phone, b.Phone) })
	slices.Sort(doc.Settle)
	slices.SortFunc(doc.Stock, func(a, b stateStock) int { return cmpInt(a.Slot, b.Slot) })
	for _, o := range sn.orders {
		so := stateOrder{
			ID: o.id, Service: o.row.number, Qty: o.qty, Link: o.link, Comments: o.comments,
			Created: o.created.UTC(), StartAt: o.startAt.UTC(), DoneAt: o.doneAt.UTC(),
			Outcome: outcomeNames[o.outcome], Delivered: o.delivered, StartCount: o.startCount,
			Charge: o.charge.String(), Refund: o.refund.String(),
		}
		for _, a := range o.alloc {
			so.Alloc = append(so.Alloc, statePart{a.sub, a.qty, a.price})
		}
		doc.Orders = append(doc.Orders, so)
	}
	for _, o := range sn.sms {
		doc.SMS = append(doc.SMS, stateSMS{
			ID: o.id, Project: o.proj.id, Phone: o.phone, Country: s.cat.countries[o.country].code,
			Reuse: o.reuse, Created: o.created.UTC(), ActiveTo: o.activeTo.UTC(), CodeAt: o.codeAt.UTC(),
			ExpiresAt: o.expiresAt.UTC(), Never: o.never, Code: o.code, Charge: o.charge.String(),
		})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		// Plain structs and times within a century of now: cannot happen.
		panic(fmt.Sprintf("sandbox: encode state: %v", err))
	}
	return append(b, '\n')
}

func cmpInt[T int32 | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// persist writes the state if it changed since the last successful write. It
// is a no-op without a state file or after Close. A failed write is recorded
// (StateError) and retried by the next call.
func (s *Server) persist() error {
	if s.stateFile == "" {
		return nil
	}
	target := s.gen.Load()
	if s.written.Load() >= target {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	if s.closed || s.written.Load() >= target {
		return nil // closed, or another caller wrote this change already
	}
	s.mu.Lock()
	sn := s.snapshotLocked()
	s.mu.Unlock()
	if err := writeFileAtomic(s.stateFile, s.encodeState(sn)); err != nil {
		s.saveErr = fmt.Errorf("sandbox: save state: %w", err)
		return s.saveErr
	}
	s.written.Store(sn.gen)
	s.saveErr = nil
	return nil
}

// Save writes the state to Options.StateFile if it changed since the last
// write. Requests that change the state save it themselves before answering,
// so Save is only needed to learn about a failed write or after using the Go
// API (BalanceString credits due refunds). Without a state file, or after
// Close, it does nothing.
func (s *Server) Save() error { return s.persist() }

// StateError returns the error of the last failed save, nil once a save
// succeeds. A request whose save fails is answered anyway; the account then
// lives on in memory and the next change retries the write.
func (s *Server) StateError() error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	return s.saveErr
}

// Close saves the state and stops writing the state file: the server keeps
// answering, in memory only, so another Server may take the file over. It
// returns the error of the final save. Close is idempotent; without a state
// file it does nothing.
func (s *Server) Close() error {
	err := s.persist()
	s.saveMu.Lock()
	s.closed = true
	s.saveMu.Unlock()
	return err
}

// writeFileAtomic replaces name with data: a temporary file next to it
// (mode 0600), fsync, rename, then a best-effort fsync of the directory.
func writeFileAtomic(name string, data []byte) (err error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp := name + ".tmp"
	_ = os.Remove(tmp) // a leftover of a crash, or absent
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil { // in case of an unusual umask or filesystem
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, name); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil { // not supported everywhere (Windows)
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// loadState reads the state file into a new server. A missing file is a
// fresh account (the file is then written at once, so a path that cannot be
// written fails now rather than at the first order).
func (s *Server) loadState() error {
	data, err := os.ReadFile(s.stateFile)
	if errors.Is(err, fs.ErrNotExist) {
		s.changedLocked()
		return s.persist()
	}
	if err != nil {
		return fmt.Errorf("sandbox: read state: %w", err)
	}
	if err := s.applyState(data); err != nil {
		return fmt.Errorf("%w %s: %v", ErrState, s.stateFile, err)
	}
	return nil
}

// applyState validates a document completely, then installs it. It runs in
// New, before the server is shared.
func (s *Server) applyState(data []byte) error {
	var doc stateDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("not a state file: %v", err)
	}
	if doc.Format != stateFormat {
		return fmt.Errorf("not a state file (format %q)", doc.Format)
	}
	if doc.Version != stateVersion {
		return fmt.Errorf("version %d, want %d", doc.Version, stateVersion)
	}
	if doc.Seed != s.seed {
		return fmt.Errorf("written for seed %d, the server has seed %d", doc.Seed, s.seed)
	}
	if doc.Services != len(s.cat.rows) || doc.Slots != len(s.cat.initStock) {
		return fmt.Errorf("written for a catalog of %d services (%d stock slots), the server has %d (%d)",
			doc.Services, doc.Slots, len(s.cat.rows), len(s.cat.initStock))
	}
	if doc.Catalog != s.fingerprint {
		return errors.New("written for a different catalog (fingerprint mismatch)")
	}
	bal, err := parseMoney(doc.Balance)
	if err != nil || bal.IsNegative() {
		return fmt.Errorf("balance %q", doc.Balance)
	}
	if doc.NextID < firstOrderID || doc.OrderSeq < len(doc.Orders) || doc.SMSSeq < len(doc.SMS) {
		return errors.New("bad counters")
	}
	amount := func(v string) (decimal.Decimal, bool) {
		d, err := parseMoney(v)
		return d, err == nil && !d.IsNegative()
	}

	ids := map[int64]bool{}
	checkID := func(id int64) error {
		if id < firstOrderID || id >= doc.NextID || ids[id] {
			return fmt.Errorf("order id %d duplicated or out of range", id)
		}
		ids[id] = true
		return nil
	}

	orders := make(map[int64]*order, len(doc.Orders))
	for _, so := range doc.Orders {
		if err := checkID(so.ID); err != nil {
			return err
		}
		bad := func(what string) error { return fmt.Errorf("order %d: %s", so.ID, what) }
		rw := s.cat.row(so.Service)
		if rw == nil {
			return bad("unknown service " + strconv.Itoa(so.Service))
		}
		oc := slices.Index(outcomeNames[:], so.Outcome)
		if oc < 0 {
			return bad("outcome " + strconv.Quote(so.Outcome))
		}
		if so.Qty < 1 || so.Qty > rw.max || so.Delivered < 0 || so.Delivered > so.Qty {
			return bad("quantities")
		}
		charge, ok1 := amount(so.Charge)
		refund, ok2 := amount(so.Refund)
		if !ok1 || !ok2 || refund.GreaterThan(charge) {
			return bad("amounts")
		}
		o := &order{
			id: so.ID, row: rw, qty: so.Qty, link: so.Link, comments: so.Comments,
			created: so.Created, startAt: so.StartAt, doneAt: so.DoneAt,
			outcome: outcome(oc), delivered: so.Delivered, startCount: so.StartCount,
			charge: charge, refund: refund,
		}
		if rw.kind == entityProduct {
			n := 0
			for _, a := range so.Alloc {
				if a.Sub < 0 || a.Sub >= len(rw.subs) || a.Qty < 1 || a.Price < 0 {
					return bad("alloc")
				}
				n += a.Qty
				o.alloc = append(o.alloc, allocPart{a.Sub, a.Qty, a.Price})
			}
			if n != so.Qty {
				return bad("alloc does not add up to the quantity")
			}
		} else if len(so.Alloc) != 0 {
			return bad("alloc on an SMM order")
		}
		orders[o.id] = o
	}

	phones := make(map[string]int, len(doc.Phones))
	for _, p := range doc.Phones {
		ci, known := s.cat.country(p.Country)
		if !known || p.Phone == "" {
			return fmt.Errorf("phone %q: country %q", p.Phone, p.Country)
		}
		phones[p.Phone] = ci
	}

	sms := make(map[int64]*smsOrder, len(doc.SMS))
	for _, so := range doc.SMS {
		if err := checkID(so.ID); err != nil {
			return err
		}
		pi, found := s.cat.projectID[so.Project]
		if !found {
			return fmt.Errorf("sms %d: unknown project %q", so.ID, so.Project)
		}
		p := &s.cat.projects[pi]
		if ci, owned := phones[so.Phone]; !owned || ci != p.country || s.cat.countries[p.country].code != so.Country {
			return fmt.Errorf("sms %d: phone %q does not match its country", so.ID, so.Phone)
		}
		charge, ok := amount(so.Charge)
		if !ok {
			return fmt.Errorf("sms %d: charge %q", so.ID, so.Charge)
		}
		sms[so.ID] = &smsOrder{
			id: so.ID, proj: p, phone: so.Phone, country: p.country, reuse: so.Reuse,
			created: so.Created, activeTo: so.ActiveTo, codeAt: so.CodeAt, expiresAt: so.ExpiresAt,
			never: so.Never, code: so.Code, charge: charge,
		}
	}

	var q settleHeap
	due := make(map[int64]bool, len(doc.Settle))
	for _, id := range doc.Settle {
		o := orders[id]
		if o == nil || !o.refund.IsPositive() || due[id] {
			return fmt.Errorf("settle: order %d", id)
		}
		due[id] = true
		q = append(q, settleItem{at: o.doneAt, id: id})
	}
	heap.Init(&q)

	touched := make(map[int32]struct{}, len(doc.Stock))
	for _, st := range doc.Stock {
		if st.Slot < 0 || int(st.Slot) >= len(s.cat.initStock) {
			return fmt.Errorf("stock slot %d", st.Slot)
		}
		if _, dup := touched[st.Slot]; dup || st.Delta > 0 || s.cat.initStock[st.Slot]+st.Delta < 0 {
			return fmt.Errorf("stock slot %d: delta %d", st.Slot, st.Delta)
		}
		touched[st.Slot] = struct{}{}
	}

	// Valid: install.
	s.balance = bal
	s.nextID, s.orderSeq, s.smsSeq = doc.NextID, doc.OrderSeq, doc.SMSSeq
	s.orders, s.sms, s.phones, s.settleQ, s.touched = orders, sms, phones, q, touched
	for _, st := range doc.Stock {
		s.stock[st.Slot].Store(s.cat.initStock[st.Slot] + st.Delta)
	}
	return nil
}

// catalogFingerprint digests what the persisted state depends on in the
// catalog: rows (kind, rate, bounds, delivery, credentials, subproduct prices
// and slots), initial stock and SMS projects. A state file written for a
// catalog that differs in any of these is refused.
func catalogFingerprint(c *catalog) string {
	h := uint64(stateVersion)
	add := func(v uint64) { h = mix64(h ^ v) }
	addStr := func(v string) {
		add(uint64(len(v)))
		for i := 0; i < len(v); i += 8 {
			var w uint64
			for j := i; j < min(i+8, len(v)); j++ {
				w = w<<8 | uint64(v[j])
			}
			add(w)
		}
	}
	b2u := func(b bool) uint64 {
		if b {
			return 1
		}
		return 0
	}
	add(uint64(len(c.rows)))
	for i := range c.rows {
		r := &c.rows[i]
		add(uint64(r.kind)<<32 | uint64(r.cred)<<16 | b2u(r.auto)<<1 | b2u(r.typ == "Custom Comments"))
		add(uint64(r.rate))
		add(uint64(r.min)<<32 | uint64(uint32(r.max)))
		add(uint64(uint32(r.slot)))
		addStr(r.domain)
		add(uint64(len(r.subs)))
		for _, sp := range r.subs {
			add(uint64(sp.price))
			add(uint64(uint32(sp.slot)))
		}
	}
	add(uint64(len(c.initStock)))
	for _, v := range c.initStock {
		add(uint64(v))
	}
	add(uint64(len(c.countries)))
	for _, cc := range c.countries {
		addStr(cc.code)
	}
	add(uint64(len(c.projects)))
	for _, p := range c.projects {
		addStr(p.id)
		add(uint64(p.price))
		add(uint64(p.country))
	}
	return strconv.FormatUint(h, 16)
}
