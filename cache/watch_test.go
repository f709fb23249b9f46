package cache

import (
	"errors"
	"testing"

	"github.com/hstockplus/hstockplus/client"
)

// What was seen of a watched item and the event announcing its change are written together, and
// survive a restart: the event is still pending, the state says the change was seen.
func TestWatchUpdateWithEvents(t *testing.T) {
	dir, key := t.TempDir(), testKey(t)
	s := diskStore(t, dir, key)
	if _, err := s.Watch(7); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Watch of nothing: %v", err)
	}
	_, err := s.UpdateWatch(7, func(w *Watch, exists bool) (bool, []Event, error) {
		if exists {
			t.Error("exists before it was added")
		}
		w.Label, w.BackInStock = "Gmail", true
		w.Seen.StockKnown, w.Seen.Stock = true, 0
		return true, nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.UpdateWatch(7, func(w *Watch, exists bool) (bool, []Event, error) {
		if !exists || w.Seen.Stock != 0 {
			t.Errorf("stored: %+v, %v", w, exists)
		}
		w.Seen.Stock = 5
		return true, []Event{{Kind: "watch_stock", Service: 7, Stock: 5, Text: w.Label}}, nil
	})
	if err != nil || len(evs) != 1 || evs[0].ID == 0 {
		t.Fatalf("events %+v, %v", evs, err)
	}
	// A failing update writes nothing.
	boom := errors.New("boom")
	if _, err := s.UpdateWatch(7, func(w *Watch, _ bool) (bool, []Event, error) {
		w.Seen.Stock = 99
		return true, []Event{{Kind: "watch_stock"}}, boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failing update: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = diskStore(t, dir, key)
	t.Cleanup(func() { _ = s.Close() })
	w, err := s.Watch(7)
	if err != nil || w.Seen.Stock != 5 || !w.BackInStock || w.Label != "Gmail" {
		t.Fatalf("after a restart: %+v, %v", w, err)
	}
	pend, err := s.PendingEvents()
	if err != nil || len(pend) != 1 || pend[0].Service != 7 || pend[0].Stock != 5 {
		t.Fatalf("pending after a restart: %+v, %v", pend, err)
	}
	if _, err := s.UpdateWatch(8, func(w *Watch, _ bool) (bool, []Event, error) {
		w.PriceDrop, w.HasBelow, w.Below = true, true, client.MustDecimal("0.80")
		return true, nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	all, err := s.Watches()
	if err != nil || len(all) != 2 || all[0].Service != 7 || all[1].Below.String() != "0.80" {
		t.Fatalf("Watches: %+v, %v", all, err)
	}
	if _, err := s.UpdateWatch(7, func(*Watch, bool) (bool, []Event, error) { return false, nil, nil }); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Watches(); len(all) != 1 {
		t.Fatalf("after unwatching: %+v", all)
	}
}
