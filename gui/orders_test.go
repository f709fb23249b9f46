package gui

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// ordersUI is orderUI with a store whose clock advances a minute per reading, so that orders
// placed one after the other have distinct times.
func ordersUI(t *testing.T) (*UI, *accounttest.Env, *client.Client) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{Seed: 1, Balance: "100.00"})
	if err != nil {
		t.Fatal(err)
	}
	api := newLoopbackClient(t, srv)
	u, env := ordersUIOn(t, api)
	return u, env, api
}

func ordersUIOn(t *testing.T, api account.API) (*UI, *accounttest.Env) {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	env := accounttest.NewAt(t, api, func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Minute)
		return now
	})
	u := newUIOn(t, env, false)
	u.async = func(f func()) { f() }
	u.catalog.load(context.Background())
	u.balance.load(context.Background())
	return u, env
}

// placeInStore journals an add as the app does and settles it as placed with order id.
func placeInStore(t *testing.T, env *accounttest.Env, id int64, label, link string, qty int64, estimate string) account.Order {
	t.Helper()
	sp, err := env.Store.BeginAdd(client.AddRequest{Service: 100 + id, Quantity: qty, Link: link}, label, client.MustDecimal(estimate))
	if err != nil {
		t.Fatal(err)
	}
	o, err := env.Store.MarkPlaced(sp.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// rowText renders row i of the orders list and returns its texts.
func rowText(u *UI, i int) string {
	o := u.orders.list.CreateItem()
	u.orders.list.UpdateItem(i, o)
	return labelTexts(o)
}

func visibleIDs(u *UI) []int64 {
	var ids []int64
	for _, r := range u.orders.visible {
		if r.order != nil {
			ids = append(ids, r.order.ID)
		} else {
			ids = append(ids, 0)
		}
	}
	return ids
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestOrdersNewestFirstAndFiltersNarrow(t *testing.T) {
	u, env, _ := ordersUI(t)
	st := env.Store
	placeInStore(t, env, 501, "Instagram Followers", "https://instagram.com/alice", 1000, "1.5")
	placeInStore(t, env, 502, "Gmail accounts", "", 2, "50")
	placeInStore(t, env, 503, "TikTok Likes", "https://tiktok.com/@bob", 500, "0.75")
	placeInStore(t, env, 504, "YouTube Views", "https://youtube.com/watch?v=x", 5000, "2")
	// An attempt whose answer was lost, after all of them: listed first all the same.
	sp, err := st.BeginAdd(client.AddRequest{Service: 9, Quantity: 3, Link: "https://instagram.com/carol"}, "Lost order", client.MustDecimal("3"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkUnconfirmed(sp.ID, "connection reset"); err != nil {
		t.Fatal(err)
	}
	// And one refused by the server: not listed.
	sp2, _ := st.BeginAdd(client.AddRequest{Service: 9, Quantity: 1}, "Refused", client.Decimal{})
	if err := st.MarkFailed(sp2.ID, "Not enough funds"); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, env, 501, client.OrderStatus{Status: "Completed", Charge: client.MustDecimal("1.50"), StartCount: 10, Currency: "USD"})
	mustRecord(t, env, 502, client.OrderStatus{Status: "In progress", Charge: client.MustDecimal("50.00"), Remains: 1, Currency: "USD"})
	mustRecord(t, env, 503, client.OrderStatus{Status: "Partial", Charge: client.MustDecimal("0.40"), Remains: 240, Currency: "USD"})
	u.orders.reload()

	if got, want := visibleIDs(u), []int64{0, 504, 503, 502, 501}; !equalIDs(got, want) {
		t.Fatalf("rows = %v, want %v (unconfirmed first, then newest first)", got, want)
	}
	if txt := rowText(u, 0); !strings.Contains(txt, "Lost order") || !strings.Contains(txt, "Unconfirmed") || !strings.Contains(txt, "connection reset") {
		t.Fatalf("unconfirmed row = %q", txt)
	}
	if txt := rowText(u, 1); !strings.Contains(txt, "#504  YouTube Views") || !strings.Contains(txt, "Placed") || !strings.Contains(txt, "≈ 2.00 USD") {
		t.Fatalf("placed row = %q", txt)
	}
	if txt := rowText(u, 3); !strings.Contains(txt, "In progress") || !strings.Contains(txt, "50.00 USD") {
		t.Fatalf("in progress row = %q", txt)
	}

	cases := []struct {
		filter int
		text   string
		want   []int64
	}{
		{filterActive, "", []int64{504, 502}},
		{filterCompleted, "", []int64{501}},
		{filterPartial, "", []int64{503}},
		{filterCanceled, "", nil},
		{filterUnconfirmed, "", []int64{0}},
		{filterAll, "503", []int64{503}},
		{filterAll, "#502", []int64{502}},
		{filterAll, "instagram", []int64{0, 501}},
		{filterAll, "TIKTOK", []int64{503}},
		{filterAll, "gmail", []int64{502}},
		{filterActive, "youtube", []int64{504}},
		{filterCompleted, "youtube", nil},
	}
	for _, c := range cases {
		u.orders.status.SetSelectedIndex(c.filter)
		u.orders.search.SetText(c.text)
		if got := visibleIDs(u); !equalIDs(got, c.want) {
			t.Errorf("filter %d %q: rows %v, want %v", c.filter, c.text, got, c.want)
		}
		if u.orders.list.Length() != len(c.want) {
			t.Errorf("filter %d %q: list length %d", c.filter, c.text, u.orders.list.Length())
		}
		if len(c.want) == 0 && !strings.Contains(u.orders.msg.label.Text, "No order matches") {
			t.Errorf("filter %d %q: message %q", c.filter, c.text, u.orders.msg.label.Text)
		}
	}
}

// mustRecord stores a status answer as a check would, and has the service layer announce what
// it brought (the events it recorded), as after a restart.
func mustRecord(t *testing.T, env *accounttest.Env, id int64, s client.OrderStatus) {
	t.Helper()
	if _, err := env.Store.RecordOrderStatus(id, s); err != nil {
		t.Fatal(err)
	}
	if err := env.Svc.ReplayPending(); err != nil {
		t.Fatal(err)
	}
}

// accountLabels renders every account row of the details and returns their texts.
func accountLabels(d *orderDetail) []string {
	var out []string
	for i := 0; i < d.accList.Length(); i++ {
		o := d.accList.CreateItem()
		d.accList.UpdateItem(i, o)
		out = append(out, d.accRows[o].text.Text)
	}
	return out
}

func TestOrdersProductAccountsDeliveredMaskedCopiedExported(t *testing.T) {
	u, _, env := orderUI(t, "100.00")
	cb := &fakeClipboard{}
	u.deps.Clipboard = cb
	u.orders.ensureLoaded()
	s := selectService(t, u, func(s client.Service) bool { return s.IsProduct() && s.Stock >= 2 && s.Min <= 2 && s.Max >= 2 })
	placed, err := env.Svc.PlaceOrder(context.Background(), client.AddRequest{Service: s.Service, Quantity: 2}, s.Name, estimate(t, s, 2))
	out, id := placed.Outcome, placed.Order
	if err != nil || out != account.Placed {
		t.Fatalf("placeOrder = %v, %d, %v", out, id, err)
	}
	if !u.orders.selectKey(rowKey{order: id}) {
		t.Fatalf("order #%d not listed: %v", id, visibleIDs(u))
	}
	d := u.orders.detail
	if !strings.Contains(d.title.Text, "#") || len(d.accounts) != 0 {
		t.Fatalf("details before delivery: %q, %d accounts", d.title.Text, len(d.accounts))
	}

	a1, a2 := "user1@mail.test:s3cr:et,pw", `user2@mail.test:p"a"ss`
	mustRecord(t, env, id, client.OrderStatus{Status: "In progress", Charge: client.MustDecimal("5.00"), Remains: 1, Currency: "USD", EntityType: client.EntityProduct, Accounts: []string{a1}})
	if len(d.accounts) != 1 || d.accList.Length() != 1 || d.accTitle.Text != "Delivered accounts (1)" {
		t.Fatalf("after the first delivery: %d accounts (%q)", len(d.accounts), d.accTitle.Text)
	}
	if d.row.key() != (rowKey{order: id}) {
		t.Fatal("the selection was lost on reload")
	}
	if d.center.Objects[0] != d.split {
		t.Fatal("accounts section not shown for a product order")
	}

	mustRecord(t, env, id, client.OrderStatus{Status: "Completed", Charge: client.MustDecimal("10.00"), Currency: "USD", EntityType: client.EntityProduct, Accounts: []string{a1, a2}})
	if len(d.accounts) != 2 || d.accList.Length() != 2 {
		t.Fatalf("after the second delivery: %d accounts", len(d.accounts))
	}
	if txt := labelTexts(d.facts); !strings.Contains(txt, "10.00 USD") || !strings.Contains(txt, "2 of 2") {
		t.Fatalf("facts = %q", txt)
	}
	if txt := labelTexts(d.histBox); !strings.Contains(txt, "In progress") || !strings.Contains(txt, "Completed") {
		t.Fatalf("history = %q", txt)
	}

	// Masked until revealed, in the list and anywhere on screen.
	labels := accountLabels(d)
	if labels[0] != "user1@mail.test:••••••" || labels[1] != "user2@mail.test:••••••" {
		t.Fatalf("masked = %q", labels)
	}
	screen := labelTexts(u.win.Content()) + overlayText(u.win)
	for _, pw := range []string{"s3cr", `p"a"ss`} {
		if strings.Contains(strings.Join(labels, "\n")+screen, pw) {
			t.Fatalf("password %q shown before reveal", pw)
		}
	}
	test.Tap(d.reveal)
	if labels := accountLabels(d); labels[0] != a1 || labels[1] != a2 {
		t.Fatalf("revealed = %q", labels)
	}
	test.Tap(d.reveal)
	if labels := accountLabels(d); strings.Contains(labels[0], "s3cr") {
		t.Fatal("hidden again: still shows the password")
	}

	// Copy all: exactly the accounts, one per line, as a secret.
	test.Tap(d.copyAll)
	if copied := cb.secrets; len(copied) != 1 || copied[0] != a1+"\n"+a2 {
		t.Fatalf("copy all = %q", copied)
	}
	// Copy one.
	row := d.accList.CreateItem()
	d.accList.UpdateItem(1, row)
	test.Tap(d.accRows[row].copy)
	if copied := cb.secrets; len(copied) != 2 || copied[1] != a2 {
		t.Fatalf("copy one = %q", copied)
	}
	// Copy the order number: not a secret.
	test.Tap(d.copyNum)
	if len(cb.plain) != 1 || cb.plain[0] != strconv.FormatInt(id, 10) || len(cb.secrets) != 2 {
		t.Fatalf("order number copied as %q (secrets %d)", cb.plain, len(cb.secrets))
	}

	// Ticked accounts are what "the ticked" export takes.
	d.accRows[row].check.SetChecked(true)
	if got := d.chosenAccounts(); len(got) != 1 || got[0] != a2 {
		t.Fatalf("chosen = %q", got)
	}
	if got := account.ExportTXT(d.accounts); string(got) != a1+"\n"+a2+"\n" {
		t.Fatalf("txt = %q", got)
	}
}

// The encoders are tested with the service layer (account.ExportTXT, ExportCSV).
func TestWriteExportWritesAndCloses(t *testing.T) {
	var w closeBuffer
	if err := writeExport(&w, []byte("x\n")); err != nil || w.String() != "x\n" || !w.closed {
		t.Fatalf("writeExport: %v %q %v", err, w.String(), w.closed)
	}
}

type closeBuffer struct {
	bytes.Buffer
	closed bool
}

func (c *closeBuffer) Close() error { c.closed = true; return nil }

func TestMaskAccount(t *testing.T) {
	for in, want := range map[string]string{
		"user:pw":             "user:••••••",
		"user:pw:recovery":    "user:••••••",
		"token-without-colon": "tok••••••",
		"short":               "••••••",
		"":                    "••••••",
	} {
		if got := maskAccount(in); got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOrdersUnconfirmedMarkedNotPlaced(t *testing.T) {
	u, env, _ := ordersUI(t)
	st := env.Store
	sp, err := st.BeginAdd(client.AddRequest{Service: 7, Quantity: 1000, Link: "https://instagram.com/x"}, "Instagram Followers", client.MustDecimal("1.25"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkUnconfirmed(sp.ID, "connection reset by peer"); err != nil {
		t.Fatal(err)
	}
	u.orders.reload()
	if !u.orders.selectKey(rowKey{spend: sp.ID}) {
		t.Fatal("unconfirmed entry not listed")
	}
	d := u.orders.detail
	facts := labelTexts(d.facts)
	for _, want := range []string{"Instagram Followers", "1,000", "https://instagram.com/x", "connection reset by peer"} {
		if !strings.Contains(facts, want) {
			t.Errorf("facts lack %q: %q", want, facts)
		}
	}
	if !d.markNot.Visible() || d.check.Visible() {
		t.Fatalf("actions: mark %v, check %v (no order id)", d.markNot.Visible(), d.check.Visible())
	}
	if !strings.Contains(d.note.Text, "1.25 USD") {
		t.Fatalf("note = %q", d.note.Text)
	}
	u.win.Resize(fyne.NewSize(1100, 720))
	test.Tap(d.markNot)
	if txt := overlayText(u.win); !strings.Contains(txt, "Check your balance first") {
		t.Fatalf("confirmation = %q", txt)
	}
	test.Tap(buttonOnScreen(t, u.win, "Mark as not placed"))

	got, err := st.Spend(sp.ID)
	if err != nil || got.State != account.SpendFailed || got.Error != account.NotPlacedReason {
		t.Fatalf("journal entry = %+v, %v", got, err)
	}
	if txt := rowText(u, 0); !strings.Contains(txt, "Not placed") || strings.Contains(txt, "Unconfirmed") {
		t.Fatalf("row = %q", txt)
	}
	if d.markNot.Visible() || !strings.Contains(d.note.Text, "You marked this order as not placed") {
		t.Fatalf("details after: mark %v, note %q", d.markNot.Visible(), d.note.Text)
	}
	u.orders.status.SetSelectedIndex(filterUnconfirmed)
	if u.orders.list.Length() != 0 {
		t.Fatal("a not placed entry is still under Unconfirmed")
	}
}

func TestOrdersCheckNowConfirmsAnUnconfirmedOrder(t *testing.T) {
	u, env, api := ordersUI(t)
	st := env.Store
	s := selectService(t, u, func(s client.Service) bool { return s.IsProduct() && s.Stock > 0 })
	// The order reached HstockPlus (it has a number) but the app only read the number from a
	// damaged answer: the entry is unconfirmed with its order id.
	res, err := api.Add(context.Background(), client.AddRequest{Service: s.Service, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := st.BeginAdd(client.AddRequest{Service: s.Service, Quantity: 1}, s.Name, estimate(t, s, 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkUnconfirmed(sp.ID, "damaged answer", res.Order); err != nil {
		t.Fatal(err)
	}
	u.orders.reload()
	if got := visibleIDs(u); !equalIDs(got, []int64{res.Order}) {
		t.Fatalf("rows = %v", got)
	}
	if txt := rowText(u, 0); !strings.Contains(txt, "Unconfirmed") {
		t.Fatalf("row = %q", txt)
	}
	u.orders.selectKey(rowKey{order: res.Order})
	d := u.orders.detail
	if !d.check.Visible() || !d.markNot.Visible() {
		t.Fatalf("actions: check %v, mark %v", d.check.Visible(), d.markNot.Visible())
	}
	test.Tap(d.check)

	o, err := st.Order(res.Order)
	if err != nil || o.Status == "" || o.CheckedAt.IsZero() {
		t.Fatalf("status not recorded: %+v, %v", o, err)
	}
	if o.Unconfirmed {
		t.Fatal("the order is still unconfirmed")
	}
	if got, _ := st.Spend(sp.ID); got.State != account.SpendPlaced {
		t.Fatalf("journal entry is %s, want placed", got.State)
	}
	if pending, _ := st.PendingEvents(); len(pending) != 0 {
		t.Fatalf("%d events left to notify after the user saw them", len(pending))
	}
	if !strings.Contains(d.note.Text, "Confirmed") || d.markNot.Visible() {
		t.Fatalf("note = %q, mark visible %v", d.note.Text, d.markNot.Visible())
	}
	if txt := rowText(u, 0); strings.Contains(txt, "Unconfirmed") || !strings.Contains(txt, string(o.Status)) {
		t.Fatalf("row = %q (status %s)", txt, o.Status)
	}
}

func TestOrdersCheckNowOrderUnknown(t *testing.T) {
	u, env := ordersUIOn(t, failingAPI{client.ErrOrderNotFound})
	st := env.Store
	sp, _ := st.BeginAdd(client.AddRequest{Service: 1, Quantity: 1}, "X", client.Decimal{})
	if err := st.MarkUnconfirmed(sp.ID, "damaged answer", 99999); err != nil {
		t.Fatal(err)
	}
	u.orders.reload()
	u.orders.selectKey(rowKey{order: 99999})
	test.Tap(u.orders.detail.check)
	if d := u.orders.detail; !strings.Contains(d.note.Text, "does not know order #99999") {
		t.Fatalf("note = %q", d.note.Text)
	}
	if got, _ := st.Spend(sp.ID); got.State != account.SpendUnconfirmed {
		t.Fatalf("journal entry is %s", got.State)
	}
}

func TestOrdersTabReadsTheJournalWhenShown(t *testing.T) {
	u, env, _ := ordersUI(t)
	placeInStore(t, env, 777, "Saved before the start", "", 1, "0.5")
	if u.orders.list.Length() != 0 {
		t.Fatal("listed before being shown")
	}
	u.tabs.Select(u.orders.item)
	if got := visibleIDs(u); !equalIDs(got, []int64{777}) {
		t.Fatalf("rows after showing the tab = %v", got)
	}
}

func TestExportPathIsTheFullPath(t *testing.T) {
	if got := exportPath(storage.NewFileURI("/home/ann/Downloads/hstockplus-order-7-accounts.csv")); got != "/home/ann/Downloads/hstockplus-order-7-accounts.csv" {
		t.Fatalf("path = %q", got)
	}
}

// Order again: the same service, link and quantity, through the normal confirmation and journal,
// exactly one more order.
func TestOrdersOrderAgainPlacesOneMore(t *testing.T) {
	u, srv, env := orderUI(t, "100.00")
	u.orders.ensureLoaded()
	s := selectService(t, u, func(s client.Service) bool {
		return !s.IsProduct() && !s.IsCustomComments() && s.Stock > 0 && s.Min <= 1000 && s.Max >= 1000
	})
	d := u.catalog.detail
	test.Type(d.link, "https://instagram.com/someone")
	d.qty.SetText("1000")
	test.Tap(d.orderBtn)
	test.Tap(buttonOnScreen(t, u.win, "Place order"))
	test.Tap(buttonOnScreen(t, u.win, "OK"))
	j, _ := env.Svc.OrdersJournal()
	if len(j.Orders) != 1 {
		t.Fatalf("%d orders", len(j.Orders))
	}
	if !u.orders.selectKey(rowKey{order: j.Orders[0].ID}) {
		t.Fatal("the order is not listed")
	}
	od := u.orders.detail
	if od.again.Hidden {
		t.Fatal("no Order again")
	}
	test.Tap(od.again)
	txt := overlayText(u.win)
	if !strings.Contains(txt, "Buy 1,000 × "+s.Name) || !strings.Contains(txt, "for https://instagram.com/someone") {
		t.Fatalf("confirmation = %q", txt)
	}
	test.Tap(buttonOnScreen(t, u.win, "Place order"))
	if got := srv.Stats().Requests["add"]; got != 2 {
		t.Fatalf("add sent %d times, want 2", got)
	}
	j, _ = env.Svc.OrdersJournal()
	if len(j.Orders) != 2 || j.Orders[0].Service != s.Service || j.Orders[0].Quantity != 1000 || j.Orders[0].Link != "https://instagram.com/someone" {
		t.Fatalf("journal = %+v", j.Orders)
	}
}

func TestSelectedAccountShownInFullUnderTheList(t *testing.T) {
	u, _, env := orderUI(t, "100.00")
	u.orders.ensureLoaded()
	s := selectService(t, u, func(s client.Service) bool { return s.IsProduct() && s.Stock >= 1 && s.Min <= 1 })
	placed, err := env.Svc.PlaceOrder(context.Background(), client.AddRequest{Service: s.Service, Quantity: 1}, s.Name, estimate(t, s, 1))
	if err != nil || placed.Outcome != account.Placed {
		t.Fatalf("placeOrder = %v, %v", placed, err)
	}
	id := placed.Order
	if !u.orders.selectKey(rowKey{order: id}) {
		t.Fatalf("order #%d not listed", id)
	}
	d := u.orders.detail
	long := "a-very-long-login-" + strings.Repeat("x", 120) + "@mail.test:" + "secret-" + strings.Repeat("y", 150)
	mustRecord(t, env, id, client.OrderStatus{Status: "Completed", Charge: client.MustDecimal("5.00"), Currency: "USD", EntityType: client.EntityProduct, Accounts: []string{long}})
	if d.accFull.Visible() {
		t.Fatal("a full account is shown before one is selected")
	}
	d.accList.Select(0)
	if !d.accFull.Visible() || d.accFull.Text != maskAccount(long) {
		t.Fatalf("selected, masked: visible %v, %q", d.accFull.Visible(), d.accFull.Text)
	}
	test.Tap(d.reveal)
	if d.accFull.Text != long || d.accFull.Wrapping != fyne.TextWrapBreak {
		t.Fatalf("revealed: %q (wrapping %v), want the whole account wrapped", d.accFull.Text, d.accFull.Wrapping)
	}
	test.Tap(d.reveal)
	if strings.Contains(d.accFull.Text, "secret") {
		t.Fatal("hidden again: the full line still shows the password")
	}
}
