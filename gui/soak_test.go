package gui

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/client/sandbox"
)

// TestSoak drives the window through random actions — tab switches, searches, category, type,
// sort and filter changes, drop-downs opened and closed, rows and details opened, refreshes,
// orders confirmed and cancelled — and fails on any panic (the test driver runs every callback
// inline, so a panic anywhere fails the test). 200 actions here; HSTOCKPLUS_SOAK=N runs N
// (make soak: 1,000).
func TestSoak(t *testing.T) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv("HSTOCKPLUS_SOAK")); err == nil && v > 0 {
		n = v
	}
	srv, err := sandbox.New(sandbox.Options{Seed: 1, Speed: 50})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := newTestUI(t, newLoopbackClient(t, srv), false)
	u.win.Resize(fyne.NewSize(1100, 720))
	u.catalog.load(context.Background())
	u.balance.load(context.Background())
	u.sms.runTicker = (&fakeTicker{}).run
	rnd := rand.New(rand.NewPCG(uint64(n), 7))
	words := []string{"", "insta", "likes", "gmail", "подпис", "フォロワー", "zzz", "1", "tik"}
	var log []string
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic after %d actions (last: %v): %v", len(log), log[max(0, len(log)-5):], r)
		}
	}()
	closeOverlays := func() {
		for u.win.Canvas().Overlays().Top() != nil {
			u.win.Canvas().Overlays().Top().Hide()
			u.win.Canvas().Overlays().Remove(u.win.Canvas().Overlays().Top())
		}
	}
	selects := []*guardedSelect{u.catalog.kind, u.catalog.sortBy, u.orders.status, u.orders.period}
	for i := range n {
		c := u.catalog
		switch a := rnd.IntN(12); a {
		case 0:
			u.tabs.SelectIndex(rnd.IntN(len(u.tabs.Items)))
			log = append(log, "tab")
		case 1:
			c.search.SetText(words[rnd.IntN(len(words))])
			log = append(log, "search")
		case 2:
			ids := []string{allRowsID}
			for k := range c.treeItems {
				if k != "" {
					ids = append(ids, k)
				}
			}
			c.tree.Select(ids[rnd.IntN(len(ids))])
			log = append(log, "category")
		case 3:
			s := selects[rnd.IntN(len(selects))]
			test.Tap(s) // the drop-down opens…
			if top := u.win.Canvas().Overlays().Top(); top != nil && rnd.IntN(2) == 0 {
				s.SetSelectedIndex(rnd.IntN(len(s.Options))) // …a choice is made, or it is closed
			}
			closeOverlays()
			log = append(log, "select")
		case 4:
			for _, ch := range []*widget.Check{c.inStock, c.auto, c.refill, c.favOnly} {
				if rnd.IntN(3) == 0 {
					ch.SetChecked(!ch.Checked)
				}
			}
			log = append(log, "filters")
		case 5, 6:
			if l := c.list.Length(); l > 0 {
				c.list.Select(rnd.IntN(l))
				c.detail.qty.SetText(strconv.Itoa(rnd.IntN(5000)))
			}
			log = append(log, "row")
		case 7:
			if c.detail.has && !c.detail.orderBtn.Disabled() {
				test.Tap(c.detail.orderBtn)
				closeOverlays() // cancelled: nothing is sent
			}
			log = append(log, "order")
		case 8:
			c.load(context.Background())
			log = append(log, "refresh")
		case 9:
			c.minPrice.SetText([]string{"", "0.001", "abc", "5"}[rnd.IntN(4)])
			log = append(log, "price")
		case 10:
			u.orders.ensureLoaded()
			if l := u.orders.list.Length(); l > 0 {
				u.orders.list.Select(rnd.IntN(l))
			}
			log = append(log, "orders")
		case 11:
			u.sms.ensureLoaded()
			if l := u.sms.countryList.Length(); l > 0 {
				u.sms.countryList.Select(rnd.IntN(l))
			}
			log = append(log, "sms")
		}
		if i%50 == 49 {
			t.Logf("%d actions, %d rows shown", i+1, u.catalog.list.Length())
		}
	}
	if srv.Stats().Requests["add"] != 0 {
		t.Fatal("an order was sent without its confirmation")
	}
}

// A Select that is no longer on a canvas does not open its drop-down (it would panic in Fyne
// 2.7.1: fyne-io/fyne#5965).
func TestDetachedSelectDoesNotOpen(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("x")
	s := newSelect([]string{"a", "b"}, nil)
	w.SetContent(s)
	s.canvasOf = func(fyne.CanvasObject) fyne.Canvas { return nil } // detached, as after a rebuild
	s.Tapped(&fyne.PointEvent{})
	s.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("a detached Select opened its drop-down")
	}
	s.canvasOf = nil
	test.Tap(s)
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("an attached Select does not open")
	}
}
