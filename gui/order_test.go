package gui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

func TestValidateOrder(t *testing.T) {
	d := client.MustDecimal
	smm := client.Service{Service: 1, Name: "Followers", Rate: d("0.50"), Min: 100, Max: 10000, Stock: 5000, EntityType: client.EntitySMM}
	prod := client.Service{Service: 2, Name: "Gmail", Rate: d("25.00"), Min: 1, Max: 50, Stock: 3, EntityType: client.EntityProduct}
	comments := client.Service{Service: 3, Name: "Comments", Type: "Custom Comments", Rate: d("5.00"), Min: 2, Max: 100, Stock: 100, EntityType: client.EntitySMM}
	cases := []struct {
		name                 string
		s                    client.Service
		link, qty, comments  string
		wantErr              string
		wantLink             string
		wantQty              int64
		wantCommentLineCount int
	}{
		{"ok", smm, "https://instagram.com/x", "1000", "", "", "https://instagram.com/x", 1000, 0},
		{"scheme added", smm, "instagram.com/x", "100", "", "", "https://instagram.com/x", 100, 0},
		{"grouped digits", smm, "instagram.com/x", "1,000", "", "", "https://instagram.com/x", 1000, 0},
		{"below min", smm, "https://instagram.com/x", "99", "", "Below the minimum: at least 100", "", 0, 0},
		{"above max", smm, "https://instagram.com/x", "10001", "", "Above the maximum: at most 10,000", "", 0, 0},
		{"above stock", smm, "https://instagram.com/x", "6000", "", "Only 5,000 in stock", "", 0, 0},
		{"not a number", smm, "https://instagram.com/x", "ten", "", "whole number", "", 0, 0},
		{"missing link", smm, " ", "100", "", "A link is required", "", 0, 0},
		{"bad link", smm, "not a link", "100", "", "must be a web address", "", 0, 0},
		{"product no link", prod, "", "2", "", "", "", 2, 0},
		{"product stock", prod, "", "4", "", "Only 3 in stock", "", 0, 0},
		{"out of stock", client.Service{Service: 9, Stock: 0, Min: 1, Max: 5}, "https://a.b/c", "1", "", "Out of stock", "", 0, 0},
		{"comments set quantity", comments, "https://instagram.com/p/1", "999", "great\n\n nice \nwow\n", "", "https://instagram.com/p/1", 3, 3},
		{"comments missing", comments, "https://instagram.com/p/1", "5", " \n ", "Write the comments", "", 0, 0},
		{"comments below min", comments, "https://instagram.com/p/1", "5", "only one", "Below the minimum", "", 0, 0},
	}
	for _, c := range cases {
		req, err := validateOrder(c.s, c.link, c.qty, c.comments)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if req.Link != c.wantLink || req.Quantity != c.wantQty || req.Service != c.s.Service || countLines(req.Comments) != c.wantCommentLineCount {
			t.Errorf("%s: req = %+v", c.name, req)
		}
	}
}

// orderUI is a window on a sandbox with an in-memory store, whose background work runs inline.
func orderUI(t *testing.T, balance string) (*UI, *sandbox.Server, *accounttest.Env) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{Seed: 1, Balance: balance})
	if err != nil {
		t.Fatal(err)
	}
	u, env := newTestUI(t, newLoopbackClient(t, srv), false)
	u.async = func(f func()) { f() }
	u.catalog.load(context.Background())
	u.balance.load(context.Background())
	return u, srv, env
}

// selectService selects the first visible row matching pred.
func selectService(t *testing.T, u *UI, pred func(client.Service) bool) client.Service {
	t.Helper()
	for i, r := range u.catalog.visible {
		if s := u.catalog.index.rows[r]; pred(s) {
			u.catalog.list.Select(i)
			return s
		}
	}
	t.Fatal("no such service in the sandbox catalog")
	return client.Service{}
}

func TestOrderFormPlacesExactlyOneOrderAfterConfirmation(t *testing.T) {
	u, srv, env := orderUI(t, "100.00")
	u.orders.ensureLoaded()
	s := selectService(t, u, func(s client.Service) bool {
		return !s.IsProduct() && !s.IsCustomComments() && s.Stock > 0 && s.Min <= 1000 && s.Max >= 1000
	})
	d := u.catalog.detail
	if d.title.Text != s.Name {
		t.Fatalf("detail shows %q, selected %q", d.title.Text, s.Name)
	}
	test.Type(d.link, "https://instagram.com/someone")
	d.qty.SetText("1000")
	if d.orderBtn.Disabled() {
		t.Fatalf("order button disabled: %q", d.formErr.Text)
	}
	want := money(estimate(t, s, 1000))
	if !strings.Contains(d.estimate.Text, "Estimated cost: "+want+" USD") || !strings.Contains(d.estimate.Text, "balance 100.00 USD") {
		t.Fatalf("estimate = %q, want %s", d.estimate.Text, want)
	}

	test.Tap(d.orderBtn)
	confirm := buttonOnScreen(t, u.win, "Place order")
	if srv.Stats().OrdersPlaced != 0 {
		t.Fatal("order sent before confirmation")
	}
	if !strings.Contains(overlayText(u.win), "Buy 1,000 × "+s.Name) {
		t.Fatalf("confirmation text: %q", overlayText(u.win))
	}
	test.Tap(confirm)

	if got := srv.Stats().OrdersPlaced; got != 1 {
		t.Fatalf("sandbox placed %d orders, want exactly 1", got)
	}
	if got := srv.Stats().Requests["add"]; got != 1 {
		t.Fatalf("sandbox saw %d add requests", got)
	}
	j, err := env.Svc.OrdersJournal()
	if orders := j.Orders; err != nil || len(orders) != 1 || orders[0].Service != s.Service || orders[0].Quantity != 1000 {
		t.Fatalf("journal orders = %+v, %v", j.Orders, err)
	}
	if spends, _ := env.Store.Spends(account.SpendPlaced); len(spends) != 1 {
		t.Fatalf("journal spends placed = %d", len(spends))
	}
	if !strings.Contains(overlayText(u.win), "Order #") {
		t.Fatalf("outcome dialog: %q", overlayText(u.win))
	}
	if u.orders.list.Length() != 1 {
		t.Fatalf("orders tab lists %d", u.orders.list.Length())
	}
}

func TestOrderFormRefusesBadInputWithoutSending(t *testing.T) {
	u, srv, _ := orderUI(t, "100.00")
	s := selectService(t, u, func(s client.Service) bool {
		return !s.IsProduct() && !s.IsCustomComments() && s.Stock > 0 && s.Min > 1
	})
	d := u.catalog.detail
	form := d.body.Objects[1] // the pinned order form
	holds := false
	visit(form, func(o fyne.CanvasObject) { holds = holds || o == d.orderBtn })
	if !holds {
		t.Fatal("not the order form")
	}
	height := form.MinSize().Height
	d.qty.SetText("1")
	if !d.orderBtn.Disabled() || !strings.Contains(d.formErr.Text, "Below the minimum") {
		t.Fatalf("below min: disabled=%v %q", d.orderBtn.Disabled(), d.formErr.Text)
	}
	d.qty.SetText(groupDigits(s.Max + 1))
	if !strings.Contains(d.formErr.Text, "Above the maximum") {
		t.Fatalf("above max: %q", d.formErr.Text)
	}
	// The form holds still while the messages come and go.
	if h := form.MinSize().Height; h != height {
		t.Fatalf("the form grew from %.0f to %.0f with a message", height, h)
	}
	// A missing link is said only once the link was touched or Order pressed.
	d.qty.SetText(groupDigits(s.Min))
	if d.formErr.Visible() && strings.Contains(d.formErr.Text, "A link is required") {
		t.Fatalf("a missing link said before the link was touched: %q", d.formErr.Text)
	}
	test.Tap(d.orderBtn)
	if !d.formErr.Visible() || !strings.Contains(d.formErr.Text, "A link is required") || !d.orderBtn.Disabled() {
		t.Fatalf("after Order: %q", d.formErr.Text)
	}
	if h := form.MinSize().Height; h != height {
		t.Fatalf("the form grew from %.0f to %.0f", height, h)
	}
	if srv.Stats().Requests["add"] != 0 {
		t.Fatal("an invalid form reached the server")
	}
}

// A balance too low for the order: Order is disabled, the missing amount said, nothing sent.
func TestOrderInsufficientBalanceDisablesOrder(t *testing.T) {
	u, srv, _ := orderUI(t, "0.01")
	s := selectService(t, u, func(s client.Service) bool {
		return s.IsProduct() && s.Stock > 0 && s.Rate.Cmp(client.MustDecimal("0.02").Decimal) > 0
	})
	d := u.catalog.detail
	d.qty.SetText("1")
	short := estimate(t, s, 1).Sub(client.MustDecimal("0.01").Decimal).StringFixed(2)
	if !d.orderBtn.Disabled() || !strings.Contains(d.formErr.Text, short+" USD more is needed") {
		t.Fatalf("shortfall: disabled %v, %q (want %s)", d.orderBtn.Disabled(), d.formErr.Text, short)
	}
	if d.topUp.Visible() {
		t.Fatal("a top-up link to a loopback sandbox")
	}
	test.Tap(d.orderBtn)
	if srv.Stats().Requests["add"] != 0 {
		t.Fatal("an order the balance cannot pay was sent")
	}
}

// The top-up link is the account's site, not a guess at a page of another.
func TestTopUpOpensTheAccountsSite(t *testing.T) {
	env := accounttest.NewWith(t, account.Params{API: failingAPI{}, Endpoint: "https://panel.example:8443/api/v2"})
	u := newUIOn(t, env, false)
	if got := u.catalog.detail.topUpURL(); got == nil || got.String() != "https://panel.example:8443/" {
		t.Fatalf("top-up URL = %v", got)
	}
}

func TestOrderLostAnswerIsUnconfirmedAndNotResent(t *testing.T) {
	u, srv, env := orderUI(t, "100.00")
	u.orders.ensureLoaded()
	selectService(t, u, func(s client.Service) bool { return s.IsProduct() && s.Stock > 0 })
	d := u.catalog.detail
	d.qty.SetText("1")
	srv.SetFaults(sandbox.Faults{DropAfterCommit: 1})
	test.Tap(d.orderBtn)
	test.Tap(buttonOnScreen(t, u.win, "Place order"))
	srv.SetFaults(sandbox.Faults{})
	if got := srv.Stats().Requests["add"]; got != 1 {
		t.Fatalf("add sent %d times", got)
	}
	if txt := overlayText(u.win); !strings.Contains(txt, "may or may not have been placed") {
		t.Fatalf("dialog = %q", txt)
	}
	if un, _ := env.Store.Spends(account.SpendUnconfirmed); len(un) != 1 {
		t.Fatalf("unconfirmed entries = %d", len(un))
	}
	if u.orders.list.Length() != 1 || !strings.Contains(labelTexts(u.orders.list.CreateItem()), "") {
		t.Fatalf("orders tab lists %d", u.orders.list.Length())
	}
	row := u.orders.list.CreateItem()
	u.orders.list.UpdateItem(0, row)
	if !strings.Contains(labelTexts(row), "Unconfirmed") {
		t.Fatalf("row = %q", labelTexts(row))
	}
}

// buttonOnScreen finds a button by text anywhere in the window, overlays (dialogs) first.
func buttonOnScreen(t *testing.T, w fyne.Window, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	visit(overlayRoot(w), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no %q button on screen; overlay text: %q", text, overlayText(w))
	}
	return found
}

func overlayRoot(w fyne.Window) fyne.CanvasObject {
	if top := w.Canvas().Overlays().Top(); top != nil {
		return top
	}
	return w.Content()
}

// overlayText is every label and text of the top dialog.
func overlayText(w fyne.Window) string {
	var b strings.Builder
	visit(overlayRoot(w), func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			b.WriteString(v.Text + "\n")
		case *widget.RichText:
			b.WriteString(v.String() + "\n")
		}
	})
	return b.String()
}

// visit walks containers and widgets' renderers.
func visit(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			visit(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			visit(c, fn)
		}
	}
}

// watchedAdd is the sandbox's API with a look at the window while an order is being sent.
type watchedAdd struct {
	account.API
	during func()
}

func (w *watchedAdd) Add(ctx context.Context, r client.AddRequest) (*client.AddResult, error) {
	w.during()
	return w.API.Add(ctx, r)
}

// An identical order whose answer was lost: the next confirmation says so and asks explicitly,
// and the Order button shows the progress while a spend is being sent.
func TestOrderIdenticalInFlightAsksExplicitly(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Seed: 1, Balance: "100.00"})
	if err != nil {
		t.Fatal(err)
	}
	api := &watchedAdd{API: newLoopbackClient(t, srv)}
	u, _ := newTestUI(t, api, false)
	u.catalog.load(context.Background())
	u.balance.load(context.Background())
	selectService(t, u, func(s client.Service) bool { return s.IsProduct() && s.Stock > 2 && s.Min <= 1 })
	d := u.catalog.detail
	d.qty.SetText("1")
	var during []string
	api.during = func() { during = append(during, fmt.Sprintf("%s/%v", d.orderBtn.Text, d.orderBtn.Disabled())) }

	srv.SetFaults(sandbox.Faults{DropAfterCommit: 1}) // placed at the server, the answer lost
	test.Tap(d.orderBtn)
	test.Tap(buttonOnScreen(t, u.win, "Place order"))
	srv.SetFaults(sandbox.Faults{})
	if len(during) != 1 || during[0] != "Placing…/true" {
		t.Fatalf("the Order button while sending: %q", during)
	}
	if d.orderBtn.Text != "Order…" || d.orderBtn.Disabled() {
		t.Fatalf("after the answer: %q disabled %v", d.orderBtn.Text, d.orderBtn.Disabled())
	}
	if txt := overlayText(u.win); !strings.Contains(txt, "may or may not have been placed") {
		t.Fatalf("outcome: %q", txt)
	}

	// The same order again: the confirmation says the first may have been placed.
	test.Tap(d.orderBtn)
	txt := overlayText(u.win)
	if !strings.Contains(txt, "An identical order sent at") || !strings.Contains(txt, "is unconfirmed") || !strings.Contains(txt, "may buy it twice") {
		t.Fatalf("confirmation = %q", txt)
	}
	if b := findButton(u.win.Canvas(), "Place order"); b != nil {
		t.Fatal("the usual Place order button is offered for a possible duplicate")
	}
	test.Tap(buttonOnScreen(t, u.win, "Cancel"))
	if got := srv.Stats().Requests["add"]; got != 1 {
		t.Fatalf("add sent %d times, want 1 (the user cancelled the second)", got)
	}
	// Explicitly: it is placed.
	test.Tap(d.orderBtn)
	test.Tap(buttonOnScreen(t, u.win, "Yes, place it again"))
	if got := srv.Stats().Requests["add"]; got != 2 {
		t.Fatalf("add sent %d times after the explicit yes", got)
	}
}

// quirkyAPI answers as a real server may: a catalog with a row of unknown price and rows it
// could not read, and an order placed with a warning.
type quirkyAPI struct {
	failingAPI
	adds int
}

func (q *quirkyAPI) AllServices(context.Context, client.ServicesParams, int, func(int, int)) ([]client.Service, client.SkipReport, error) {
	return []client.Service{
			{Service: 1, Name: "Priced", Category: "Instagram", Rate: client.MustDecimal("2.00"), Min: 10, Max: 1000, Stock: 100, EntityType: client.EntityProduct},
			{Service: 2, Name: "No price", Category: "Instagram", RateUnknown: true, Min: 1, Max: 10, Stock: 5, EntityType: client.EntityProduct},
		}, client.SkipReport{Rows: 3, Reasons: []string{"row 7: service 9: min: value is not an integer"}},
		nil
}

func (q *quirkyAPI) Balance(context.Context) (*client.Balance, error) {
	return &client.Balance{Balance: client.MustDecimal("50.00"), Currency: "USD"}, nil
}

func (q *quirkyAPI) Add(context.Context, client.AddRequest) (*client.AddResult, error) {
	q.adds++
	return &client.AddResult{Order: 23501, Warning: "Order created, e-mail notification failed"}, nil
}

// A price can be unknown: shown as such, with no estimate, and ordering at it needs an explicit
// yes. Rows the server sent unreadable are said, not silently lost. An order id with a warning is
// placed, and the warning is shown.
func TestUnknownPriceSkippedRowsAndPlacedWithWarning(t *testing.T) {
	api := &quirkyAPI{}
	u, env := newTestUI(t, api, false)
	u.catalog.load(context.Background())
	if txt := overlayText(u.win); !strings.Contains(txt, "3 rows that could not be read") || !strings.Contains(txt, "row 7: service 9") {
		t.Fatalf("skipped rows dialog = %q", txt)
	}
	if !strings.Contains(u.catalog.count.Text, "3 rows of the answer could not be read") {
		t.Fatalf("count = %q", u.catalog.count.Text)
	}
	u.balance.load(context.Background())
	for i, r := range u.catalog.visible {
		if u.catalog.index.rows[r].Service == 2 {
			row := u.catalog.list.CreateItem()
			u.catalog.list.UpdateItem(i, row)
			if txt := labelTexts(row); !strings.Contains(txt, "price unknown") || strings.Contains(txt, "0 each") {
				t.Fatalf("row = %q", txt)
			}
			u.catalog.list.Select(i)
		}
	}
	d := u.catalog.detail
	d.qty.SetText("1")
	if !strings.Contains(d.estimate.Text, "Price unknown") || strings.Contains(d.estimate.Text, "0.0000") {
		t.Fatalf("estimate = %q", d.estimate.Text)
	}
	test.Tap(d.orderBtn)
	if txt := overlayText(u.win); !strings.Contains(txt, "The price is unknown") {
		t.Fatalf("confirmation = %q", txt)
	}
	if b := findButton(u.win.Canvas(), "Place order"); b != nil {
		t.Fatal("an order at an unknown price is confirmed like any other")
	}
	test.Tap(buttonOnScreen(t, u.win, "Yes, order at the unknown price"))
	if api.adds != 1 {
		t.Fatalf("add sent %d times", api.adds)
	}
	if txt := overlayText(u.win); !strings.Contains(txt, "Order #23501 is placed") || !strings.Contains(txt, "e-mail notification failed") {
		t.Fatalf("outcome = %q", txt)
	}
	j, _ := env.Svc.OrdersJournal()
	if len(j.Orders) != 1 || j.Orders[0].ID != 23501 || !j.Orders[0].Estimate.IsZero() {
		t.Fatalf("journal = %+v", j.Orders)
	}
}
