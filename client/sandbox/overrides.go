package sandbox

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// overrides are the changes a test or the demo makes to the catalog while the server runs: a
// new stock, a new price, a variant taken off or put back on sale. They are not kept in the
// state file. The catalog itself never changes; these are consulted only once one is set.
type overrides struct {
	any    atomic.Bool
	mu     sync.RWMutex
	rate   map[int32]int64 // row index → rate (SMM) or primary variant price (product)
	hidden map[int32]bool  // subproduct stock slot → off sale
}

// rowRate is a row's rate as listed now.
func (s *Server) rowRate(r *row) int64 {
	if !s.ov.any.Load() {
		return r.rate
	}
	s.ov.mu.RLock()
	defer s.ov.mu.RUnlock()
	if v, ok := s.ov.rate[int32(r.number-1)]; ok {
		return v
	}
	return r.rate
}

// subPrice is the unit price of a product's variant i now (the primary one follows the row's
// rate).
func (s *Server) subPrice(r *row, i int) int64 {
	if i == 0 {
		return s.rowRate(r)
	}
	return r.subs[i].price
}

// subHidden reports whether a variant is off sale.
func (s *Server) subHidden(slot int32) bool {
	if !s.ov.any.Load() {
		return false
	}
	s.ov.mu.RLock()
	defer s.ov.mu.RUnlock()
	return s.ov.hidden[slot]
}

// SetStock sets the visible stock of a service (variant < 0: an SMM service's) or of a
// product's variant (its index, 0 the primary one). It is a test and demo hook, refused on a
// server that keeps its state in a file.
func (s *Server) SetStock(service, variant int, stock int64) error {
	slot, err := s.slotOf(service, variant)
	if err != nil {
		return err
	}
	if stock < 0 {
		return fmt.Errorf("sandbox: stock %d is negative", stock)
	}
	s.mu.Lock()
	s.stock[slot].Store(stock)
	s.mu.Unlock()
	return nil
}

// SetRate sets the rate of a service: the per-1000 rate of an SMM service, the unit price of a
// product's primary variant (the product's rate). rate is a decimal with at most 4 places.
// A test and demo hook (not kept in the state file).
func (s *Server) SetRate(service int, rate string) error {
	r := s.cat.row(service)
	if r == nil {
		return fmt.Errorf("sandbox: no service %d", service)
	}
	d, err := parseMoney(rate)
	if err != nil || d.IsNegative() {
		return fmt.Errorf("sandbox: rate %q: want a decimal ≥ 0 with at most 4 places", rate)
	}
	v := d.Shift(4).IntPart()
	s.ov.mu.Lock()
	if s.ov.rate == nil {
		s.ov.rate = map[int32]int64{}
	}
	s.ov.rate[int32(service-1)] = v
	s.ov.any.Store(true)
	s.ov.mu.Unlock()
	return nil
}

// SetVariantHidden takes a product's variant (its index) off sale, or puts it back: a hidden
// variant is left out of inventory, its stock out of the product's, and orders do not use it.
// A test and demo hook (not kept in the state file).
func (s *Server) SetVariantHidden(service, variant int, hidden bool) error {
	if variant < 0 {
		return fmt.Errorf("sandbox: variant %d: want a product's variant index", variant)
	}
	slot, err := s.slotOf(service, variant)
	if err != nil {
		return err
	}
	s.ov.mu.Lock()
	if s.ov.hidden == nil {
		s.ov.hidden = map[int32]bool{}
	}
	if hidden {
		s.ov.hidden[slot] = true
	} else {
		delete(s.ov.hidden, slot)
	}
	s.ov.any.Store(true)
	s.ov.mu.Unlock()
	return nil
}

// Variants returns the number of variants of a product (0 for an SMM service or no service).
func (s *Server) Variants(service int) int {
	if r := s.cat.row(service); r != nil && r.kind == entityProduct {
		return len(r.subs)
	}
	return 0
}

func (s *Server) slotOf(service, variant int) (int32, error) {
	if s.stateFile != "" {
		return 0, fmt.Errorf("sandbox: stock overrides are refused when the state is kept in a file")
	}
	r := s.cat.row(service)
	if r == nil {
		return 0, fmt.Errorf("sandbox: no service %d", service)
	}
	if r.kind == entitySMM {
		if variant >= 0 {
			return 0, fmt.Errorf("sandbox: service %d has no variants", service)
		}
		return r.slot, nil
	}
	if variant < 0 || variant >= len(r.subs) {
		return 0, fmt.Errorf("sandbox: service %d has no variant %d", service, variant)
	}
	return r.subs[variant].slot, nil
}
