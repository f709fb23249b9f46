package cache

import (
	"strconv"

	"github.com/hstockplus/hstockplus/client"
)

// Change is one row as it was in the older snapshot and as it is in the newer one.
type Change[T any] struct {
	Old, New T
}

// Diff is what changed between the last two snapshots of a kind: From is the older, To the newer.
// When only one snapshot exists, From is zero and the lists are empty (no baseline). Rows are
// matched by their identity (a service's number, or its id when it has none; a shop's id; a
// project's id and country; a country's code; a category's name). Price and stock lists are only
// filled for kinds that have them.
type Diff[T any] struct {
	From, To SnapshotInfo
	Added    []T
	Removed  []T
	// PriceUp and PriceDown: rows whose rate (services, products) or price (SMS projects) rose or
	// fell.
	PriceUp, PriceDown []Change[T]
	// BackInStock: stock went from 0 (or less) to more than 0; SoldOut: the reverse.
	BackInStock, SoldOut []Change[T]
}

// Empty reports whether nothing changed (or there was no baseline).
func (d Diff[T]) Empty() bool {
	return len(d.Added)+len(d.Removed)+len(d.PriceUp)+len(d.PriceDown)+len(d.BackInStock)+len(d.SoldOut) == 0
}

// differ tells how to compare rows of one kind.
type differ[T any] struct {
	key   func(*T) string
	price func(*T) client.Decimal
	known func(*T) bool // the price is known (an unknown one is not a rise or a fall)
	stock func(*T) int64
}

var serviceDiffer = differ[client.Service]{
	key: func(s *client.Service) string {
		if s.Service != 0 {
			return "n" + strconv.FormatInt(s.Service, 10)
		}
		return "i" + s.ID
	},
	price: func(s *client.Service) client.Decimal { return s.Rate },
	known: func(s *client.Service) bool { return s.PriceKnown() },
	stock: func(s *client.Service) int64 { return s.Stock },
}

var categoryDiffer = differ[client.Category]{key: func(c *client.Category) string { return c.Category }}

var shopDiffer = differ[client.Shop]{key: func(s *client.Shop) string { return s.ID }}

var countryDiffer = differ[client.SMSCountry]{key: func(c *client.SMSCountry) string { return c.Code }}

var projectDiffer = differ[client.SMSProject]{
	key:   func(p *client.SMSProject) string { return p.ProjectID + "\x00" + p.CountryID },
	price: func(p *client.SMSProject) client.Decimal { return p.Price },
	known: func(p *client.SMSProject) bool { return p.PriceKnown() },
}

func diffSnapshots[T any](s *Store, c *rowCodec[T], lang, scope string, d differ[T]) (Diff[T], error) {
	cur, prev, ci, pi, err := loadBoth(s, c, lang, scope)
	if err != nil {
		return Diff[T]{}, err
	}
	out := Diff[T]{To: ci}
	if pi.Gen == 0 {
		return out, nil
	}
	out.From = pi
	diffRows(&out, prev, cur, d)
	return out, nil
}

// diffRows fills out with the differences from old to cur. Lists follow the order of the newer
// snapshot (Removed: of the older one).
func diffRows[T any](out *Diff[T], old, cur []T, d differ[T]) {
	byKey := make(map[string]int, len(old))
	for i := range old {
		byKey[d.key(&old[i])] = i
	}
	seen := make([]bool, len(old))
	for i := range cur {
		n := &cur[i]
		j, ok := byKey[d.key(n)]
		if !ok {
			out.Added = append(out.Added, *n)
			continue
		}
		if seen[j] { // a duplicate key in the newer snapshot: compare once
			continue
		}
		seen[j] = true
		o := &old[j]
		if d.price != nil && (d.known == nil || (d.known(o) && d.known(n))) {
			switch d.price(o).Cmp(d.price(n).Decimal) {
			case -1:
				out.PriceUp = append(out.PriceUp, Change[T]{Old: *o, New: *n})
			case 1:
				out.PriceDown = append(out.PriceDown, Change[T]{Old: *o, New: *n})
			}
		}
		if d.stock != nil {
			os, ns := d.stock(o), d.stock(n)
			switch {
			case os <= 0 && ns > 0:
				out.BackInStock = append(out.BackInStock, Change[T]{Old: *o, New: *n})
			case os > 0 && ns <= 0:
				out.SoldOut = append(out.SoldOut, Change[T]{Old: *o, New: *n})
			}
		}
	}
	for j := range old {
		if !seen[j] {
			if byKey[d.key(&old[j])] != j {
				continue // an earlier duplicate of a key: reported once, through its last row
			}
			out.Removed = append(out.Removed, old[j])
		}
	}
}
