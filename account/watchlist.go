package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/safetext"
)

// The watch list: services and products the user follows. A watched item is checked now and
// then with inventory (the poller schedules it, at a low priority, within its rate limit) and
// by every catalog refresh; a change the user asked about — back in stock, a lower price (or
// one below their price), a new variant — is stored with what was seen, in one synced
// transaction, then claimed and announced like a delivery: once, across restarts, whoever saw
// it first (see the package comment).

// Watch is a watched service or product, with what was last seen of it.
type (
	Watch     = cache.Watch
	WatchSeen = cache.WatchSeen
)

// WatchOptions are what the user wants to hear of a watched item.
type WatchOptions struct {
	BackInStock bool
	PriceDrop   bool
	// Below: with PriceDrop, only a price below it (nil: any lower price).
	Below      *client.Decimal
	NewVariant bool
}

// Any reports whether anything is asked: watching nothing is not watching.
func (o WatchOptions) Any() bool { return o.BackInStock || o.PriceDrop || o.NewVariant }

// OptionsOf are the options a watched item was set with.
func OptionsOf(w Watch) WatchOptions {
	o := WatchOptions{BackInStock: w.BackInStock, PriceDrop: w.PriceDrop, NewVariant: w.NewVariant}
	if w.HasBelow {
		b := w.Below
		o.Below = &b
	}
	return o
}

// Watch event kinds (stored, announced once).
const (
	// KindBackInStock: watched service Service (Label) is in stock again (Stock).
	KindBackInStock Kind = "back_in_stock"
	// KindPriceDrop: its price fell from OldPrice to Price (below Threshold, when the user set one).
	KindPriceDrop Kind = "price_drop"
	// KindNewVariant: a product got a new variant (Variant, its name).
	KindNewVariant Kind = "new_variant"
)

const (
	storeWatchStock   cache.EventKind = "watch_stock"
	storeWatchPrice   cache.EventKind = "watch_price"
	storeWatchVariant cache.EventKind = "watch_variant"
)

// ErrBadThreshold: the price to watch for is not above zero.
var ErrBadThreshold = errors.New("account: the price to watch for must be above zero")

// Watches lists the watched items, by service number.
func (s *Service) Watches() ([]Watch, error) { return s.store.Watches() }

// Watched reads one watched item; ok is false when it is not watched.
func (s *Service) Watched(service int64) (w Watch, ok bool, err error) {
	w, err = s.store.Watch(service)
	if errors.Is(err, cache.ErrNotFound) {
		return Watch{}, false, nil
	}
	return w, err == nil, err
}

// SetWatch watches row with opts (nothing asked: Unwatch). A new watch takes what row says now
// as what was seen: a change from it is announced, not the state it is in. Changing the options
// of a watched item keeps what was seen. The poller is told.
func (s *Service) SetWatch(row client.Service, opts WatchOptions) (Watch, error) {
	if !opts.Any() {
		return Watch{}, s.Unwatch(row.Service)
	}
	if opts.Below != nil && !opts.Below.IsPositive() {
		return Watch{}, ErrBadThreshold
	}
	now := s.clock.Now()
	var out Watch
	_, err := s.store.UpdateWatch(row.Service, func(w *Watch, exists bool) (bool, []cache.Event, error) {
		if !exists {
			w.Added = now
			w.Seen = WatchSeen{At: now, StockKnown: true, Stock: row.Stock}
			if row.PriceKnown() {
				w.Seen.RateKnown, w.Seen.Rate = true, row.Rate
			}
		}
		w.Label = safetext.Short(row.Name, 200)
		w.Product = row.IsProduct()
		w.BackInStock, w.PriceDrop, w.NewVariant = opts.BackInStock, opts.PriceDrop, opts.NewVariant && w.Product
		w.HasBelow, w.Below = false, client.Decimal{}
		if opts.PriceDrop && opts.Below != nil {
			w.HasBelow, w.Below = true, *opts.Below
		}
		out = *w
		out.Service = row.Service
		return true, nil, nil
	})
	if err != nil {
		return Watch{}, &StoreError{"saving a watched item", err}
	}
	s.kick()
	return out, nil
}

// Unwatch stops watching a service (nothing happens if it is not watched).
func (s *Service) Unwatch(service int64) error {
	_, err := s.store.UpdateWatch(service, func(*Watch, bool) (bool, []cache.Event, error) { return false, nil, nil })
	if err != nil {
		return &StoreError{"removing a watched item", err}
	}
	s.kick()
	return nil
}

// CheckWatch asks inventory for a watched item (the poller's check, without hidden retries) and
// stores and announces what changed. Done: it is not watched any more.
func (s *Service) CheckWatch(ctx context.Context, service int64) (r CheckResult, err error) {
	var b batch
	defer func() { s.announce(b) }()
	inv, err := s.check.Inventory(ctx, service)
	s.observe(err)
	if err == nil && inv == nil {
		err = ErrEmptyAnswer
	}
	if err != nil {
		return r, err
	}
	evs, watched, err := s.see(service, seenOf(inv), true)
	if err != nil {
		return r, err
	}
	b.events = evs
	r.Changed, r.New, r.Done = len(evs) > 0, len(evs), !watched
	return r, nil
}

// observation is what one look at an item showed; what is not known is not compared.
type observation struct {
	stockKnown    bool
	stock         int64
	rateKnown     bool
	rate          client.Decimal
	variantsKnown bool
	variants      []client.Subproduct
}

func seenOf(inv *client.Inventory) observation {
	o := observation{stockKnown: true, stock: inv.Stock, rateKnown: inv.RateKnown, rate: inv.Rate}
	if inv.IsProduct() {
		o.variantsKnown, o.variants = true, inv.Subproducts
	}
	return o
}

func rowSeen(row client.Service) observation {
	return observation{stockKnown: true, stock: row.Stock, rateKnown: row.PriceKnown(), rate: row.Rate}
}

// see compares a look at a watched item with what was last seen of it and records both the new
// state and the events of what changed, together. watched is false when it is not watched.
func (s *Service) see(service int64, o observation, checked bool) (evs []cache.Event, watched bool, err error) {
	now := s.clock.Now()
	evs, err = s.store.UpdateWatch(service, func(w *Watch, exists bool) (bool, []cache.Event, error) {
		watched = exists
		if !exists {
			return false, nil, nil
		}
		return true, compareSeen(w, o, now, checked), nil
	})
	if err != nil {
		return nil, watched, &StoreError{"storing what a watched item shows", err}
	}
	return evs, watched, nil
}

// compareSeen updates w.Seen with o and returns the events the user asked for.
func compareSeen(w *Watch, o observation, now time.Time, checked bool) []cache.Event {
	var evs []cache.Event
	seen := &w.Seen
	base := cache.Event{Service: w.Service, Text: w.Label, At: now}
	if o.stockKnown {
		if w.BackInStock && seen.StockKnown && seen.Stock <= 0 && o.stock > 0 {
			ev := base
			ev.Kind, ev.Stock = storeWatchStock, o.stock
			evs = append(evs, ev)
		}
		seen.StockKnown, seen.Stock = true, o.stock
	}
	if o.rateKnown {
		if w.PriceDrop && seen.RateKnown && o.rate.Cmp(seen.Rate.Decimal) < 0 {
			crossed := !w.HasBelow || (o.rate.Cmp(w.Below.Decimal) < 0 && seen.Rate.Cmp(w.Below.Decimal) >= 0)
			if crossed {
				ev := base
				ev.Kind, ev.Price, ev.OldPrice = storeWatchPrice, o.rate, seen.Rate
				if w.HasBelow {
					ev.Threshold = w.Below
				}
				evs = append(evs, ev)
			}
		}
		seen.RateKnown, seen.Rate = true, o.rate
	}
	if o.variantsKnown {
		ids := make([]string, 0, len(o.variants))
		for _, v := range o.variants {
			id := variantID(v)
			if id == "" || slices.Contains(ids, id) {
				continue
			}
			ids = append(ids, id)
			if w.NewVariant && seen.VariantsKnown && !slices.Contains(seen.Variants, id) {
				ev := base
				ev.Kind, ev.Variant, ev.Stock = storeWatchVariant, safetext.Short(v.Name, 120), v.Stock
				evs = append(evs, ev)
			}
		}
		slices.Sort(ids)
		seen.VariantsKnown, seen.Variants = true, ids
	}
	seen.At = now
	if checked {
		seen.CheckedAt = now
	}
	return evs
}

func variantID(v client.Subproduct) string {
	if id := strings.TrimSpace(v.SubproductID); id != "" {
		return id
	}
	return "name:" + strings.TrimSpace(v.Name)
}

// seeCatalog compares a downloaded catalog with the watched items, like their checks.
func (s *Service) seeCatalog(rows []client.Service) {
	ws, err := s.store.Watches()
	if err != nil || len(ws) == 0 {
		if err != nil {
			s.logf("watch list: %v", err)
		}
		return
	}
	byNum := make(map[int64]int, len(ws))
	for i, w := range ws {
		byNum[w.Service] = i
	}
	var b batch
	defer func() { s.announce(b) }()
	for _, row := range rows {
		if _, ok := byNum[row.Service]; !ok {
			continue
		}
		evs, _, err := s.see(row.Service, rowSeen(row), false)
		if err != nil {
			s.logf("watch list: %v", err)
			return
		}
		b.events = append(b.events, evs...)
	}
}

// seeInventory compares an inventory the window asked for with the item, if it is watched.
func (s *Service) seeInventory(inv *client.Inventory) {
	if inv == nil {
		return
	}
	if _, ok, err := s.Watched(inv.Service); err != nil || !ok {
		return
	}
	evs, _, err := s.see(inv.Service, seenOf(inv), false)
	if err != nil {
		s.logf("watch list: %v", err)
		return
	}
	s.announce(batch{events: evs})
}

// watchInfo fills a watch event for the listeners.
func watchInfo(ev *Event, ce cache.Event) {
	ev.Service, ev.Label = ce.Service, ce.Text
	ev.Stock, ev.Variant = ce.Stock, ce.Variant
	ev.Price, ev.OldPrice, ev.Threshold = ce.Price, ce.OldPrice, ce.Threshold
	ev.Status = ""
	switch ce.Kind {
	case storeWatchStock:
		ev.Kind = KindBackInStock
	case storeWatchPrice:
		ev.Kind = KindPriceDrop
	case storeWatchVariant:
		ev.Kind = KindNewVariant
	}
}

// watchText is the notification of a watch event.
func (words Words) watchText(ev Event) (title, body string) {
	ev.Variant = safetext.Short(ev.Variant, 80)
	item := ev.Label
	if item == "" {
		item = fmt.Sprintf(words.L("Service #%d"), ev.Service)
	}
	switch ev.Kind {
	case KindBackInStock:
		return words.L("Back in stock"), fmt.Sprintf(words.L("%s is back in stock: %d available."), item, ev.Stock)
	case KindPriceDrop:
		if !ev.Threshold.IsZero() {
			return words.L("Price drop"), fmt.Sprintf(words.L("%s now costs %s, below your %s (was %s)."), item, words.Money(ev.Price), words.Money(ev.Threshold), words.Money(ev.OldPrice))
		}
		return words.L("Price drop"), fmt.Sprintf(words.L("%s now costs %s (was %s)."), item, words.Money(ev.Price), words.Money(ev.OldPrice))
	case KindNewVariant:
		return words.L("New variant"), fmt.Sprintf(words.L("%s has a new variant: %s."), item, ev.Variant)
	}
	return "", ""
}
