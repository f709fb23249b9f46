package gui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/hstockplus/hstockplus/client"
)

// The detail pane's Watch toggle saves the watch list through the service layer: on with its
// defaults, a price to watch for once it is one, kept across a restart of the window, off again.
func TestWatchToggleInTheDetailPane(t *testing.T) {
	u, env := newTestUI(t, failingAPI{}, false)
	row := client.Service{Service: 42, Name: "Gmail Account - USA", Category: "Accounts-Email", Rate: client.MustDecimal("25.00"),
		Min: 1, Max: 50, EntityType: client.EntityProduct, AutoDelivery: true}
	d := u.catalog.detail
	d.show(row)
	box := d.watch
	if box.on.Checked || !box.opts.Hidden {
		t.Fatal("a new item shows as watched")
	}
	test.Tap(box.on)
	w, ok, err := env.Svc.Watched(42)
	if err != nil || !ok || !w.BackInStock || !w.PriceDrop || w.HasBelow || !w.NewVariant || w.Label != row.Name {
		t.Fatalf("after the toggle: %+v, %v, %v", w, ok, err)
	}
	if !w.Seen.RateKnown || w.Seen.Rate.String() != "25.00" || !w.Seen.StockKnown || w.Seen.Stock != 0 {
		t.Fatalf("baseline %+v, want the row's price and stock", w.Seen)
	}
	if box.opts.Hidden || !u.catalog.watched[42] {
		t.Fatal("the options or the Watched filter do not follow")
	}

	// Below a price: not saved until the entry is a price above zero.
	box.mode.SetSelected(box.mode.Options[1])
	if box.below.Hidden {
		t.Fatal("the price entry is hidden")
	}
	test.Type(box.below, "abc")
	if w, _, _ := env.Svc.Watched(42); w.HasBelow || box.note.Hidden {
		t.Fatalf("an invalid price was saved (%+v) or not said", w)
	}
	box.below.SetText("19,5")
	if w, _, _ := env.Svc.Watched(42); !w.HasBelow || w.Below.String() != "19.5" {
		t.Fatalf("below 19,5: %+v", w)
	}
	test.Tap(box.stock)
	if w, _, _ := env.Svc.Watched(42); w.BackInStock || !w.HasBelow {
		t.Fatalf("back in stock off: %+v", w)
	}

	// A new window on the same store shows what was saved.
	u2 := newUIOn(t, env, false)
	u2.catalog.detail.show(row)
	b2 := u2.catalog.detail.watch
	if !b2.on.Checked || b2.stock.Checked || !b2.price.Checked || b2.below.Text != "19.5" || b2.mode.Selected != b2.mode.Options[1] {
		t.Fatalf("after a restart: on %v stock %v price %v below %q", b2.on.Checked, b2.stock.Checked, b2.price.Checked, b2.below.Text)
	}
	u2.catalog.loadWatched()
	if !u2.catalog.watched[42] {
		t.Fatal("the Watched filter of the new window does not know it")
	}
	u2.catalog.watchOnly.SetChecked(true)

	test.Tap(b2.on)
	if _, ok, _ := env.Svc.Watched(42); ok {
		t.Fatal("still watched after the toggle went off")
	}
	if u2.catalog.watched[42] {
		t.Fatal("the Watched filter still has it")
	}
}
