package account

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/shopspring/decimal"
)

func spendIDs(sps []Spend) []uint64 {
	var ids []uint64
	for _, sp := range sps {
		ids = append(ids, sp.ID)
	}
	slices.Sort(ids)
	return ids
}

// journalFixture journals one add entry in each situation the Orders tab knows.
type journalFixture struct {
	sending, lostNoID, lostWithID, notPlaced, refused, sms Spend
}

func newJournalFixture(t *testing.T, clk *fakeClock, st *cache.Store, svc *Service) journalFixture {
	t.Helper()
	add := func(label string) Spend {
		t.Helper()
		clk.Advance(time.Second)
		sp, err := st.BeginAdd(client.AddRequest{Service: 1, Quantity: 1}, label, dec("1"))
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var f journalFixture
	placed := add("placed")
	_, err := st.MarkPlaced(placed.ID, 101)
	must(err)
	f.sending = add("sending")
	f.lostNoID = add("lost, no id")
	must(st.MarkUnconfirmed(f.lostNoID.ID, "timeout"))
	f.lostWithID = add("lost, id known")
	must(st.MarkUnconfirmed(f.lostWithID.ID, "damaged answer", 102))
	f.notPlaced = add("marked not placed")
	must(st.MarkUnconfirmed(f.notPlaced.ID, "timeout"))
	must(svc.MarkNotPlaced(f.notPlaced.ID))
	f.refused = add("refused")
	must(st.MarkFailed(f.refused.ID, "hstockplus: add: Insufficient balance (not placed)"))
	f.sms, err = st.BeginAddSMS(client.AddSMSRequest{ProjectID: "p"}, "sms", dec("1"))
	must(err)
	must(st.MarkUnconfirmed(f.sms.ID, "timeout"))
	return f
}

// TestOrdersJournal: the Orders tab lists every order, and the add entries without an order id
// that are sending, unconfirmed or marked not placed by the user, and those whose order is
// unconfirmed; never SMS purchases.
func TestOrdersJournal(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	svc := newService(t, st, &fakeAPI{}, clk, nil)
	f := newJournalFixture(t, clk, st, svc)

	j, err := svc.OrdersJournal()
	if err != nil {
		t.Fatal(err)
	}
	var orders []int64
	for _, o := range j.Orders {
		orders = append(orders, o.ID)
	}
	if !slices.Equal(orders, []int64{102, 101}) {
		t.Fatalf("orders = %v, want 102, 101 (newest first)", orders)
	}
	got := spendIDs(j.Spends)
	for _, want := range []Spend{f.sending, f.lostNoID, f.lostWithID, f.notPlaced} {
		if !slices.Contains(got, want.ID) {
			t.Errorf("journal entries %v lack %d (%s)", got, want.ID, want.Label)
		}
	}
	if slices.Contains(got, f.sms.ID) {
		t.Errorf("journal entries %v hold the SMS purchase %d", got, f.sms.ID)
	}
	for _, sp := range j.Spends {
		if sp.ID == f.notPlaced.ID && (sp.State != SpendFailed || sp.Error != NotPlacedReason) {
			t.Errorf("marked not placed = %+v", sp)
		}
	}
}

// TestOrdersJournalLeavesOutRefused: as OrdersJournal's doc says, "Entries the server refused are
// not in it" (the window's orderRows filters them too; the read model should not hand them out).
func TestOrdersJournalLeavesOutRefused(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	svc := newService(t, st, &fakeAPI{}, clk, nil)
	f := newJournalFixture(t, clk, st, svc)
	j, err := svc.OrdersJournal()
	if err != nil {
		t.Fatal(err)
	}
	if got := spendIDs(j.Spends); slices.Contains(got, f.refused.ID) {
		t.Fatalf("journal entries %v hold the entry the server refused (%d, %q)", got, f.refused.ID, f.refused.Label)
	}
}

// TestNumbersReadModel: the SMS tab's numbers come with their codes, and the SMS purchases whose
// answer was lost before any number was known are pending.
func TestNumbersReadModel(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	svc := newService(t, st, &fakeAPI{}, clk, nil)
	sp, err := st.BeginAddSMS(client.AddSMSRequest{ProjectID: "p", Quantity: 2}, "Proj", dec("0.40"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkSMSPlaced(sp.ID, []client.SMSOrder{{Order: 61, Phone: "+1555061"}, {Order: 62, Phone: "+1555062"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"1111", "2222"} {
		if _, err := st.RecordSMSCode(61, client.SMSCode{Status: "completed", Code: c}); err != nil {
			t.Fatal(err)
		}
	}
	pending, _ := st.BeginAddSMS(client.AddSMSRequest{ProjectID: "p"}, "lost", dec("0.20"))
	if err := st.MarkUnconfirmed(pending.ID, "timeout"); err != nil {
		t.Fatal(err)
	}
	withID, _ := st.BeginAddSMS(client.AddSMSRequest{ProjectID: "p"}, "lost with id", dec("0.20"))
	if err := st.MarkUnconfirmed(withID.ID, "damaged", 63); err != nil {
		t.Fatal(err)
	}
	orderSp, _ := st.BeginAdd(client.AddRequest{Service: 1, Quantity: 1}, "an order", dec("1"))
	if err := st.MarkUnconfirmed(orderSp.ID, "timeout"); err != nil {
		t.Fatal(err)
	}

	n, err := svc.Numbers()
	if err != nil {
		t.Fatal(err)
	}
	views := map[int64]NumberView{}
	for _, v := range n.Views {
		views[v.Number.Order] = v
	}
	if len(n.Views) != 3 {
		t.Fatalf("%d numbers, want 61, 62 and 63", len(n.Views))
	}
	v61 := views[61]
	if len(v61.Codes) != 2 || v61.Codes[0].Value != "1111" || v61.Codes[1].Value != "2222" {
		t.Fatalf("codes of 61 = %v", v61.Codes)
	}
	if last, ok := v61.LastCode(); !ok || last.Value != "2222" {
		t.Fatalf("LastCode = %v, %v", last, ok)
	}
	if _, ok := views[62].LastCode(); ok || len(views[62].Codes) != 0 {
		t.Fatalf("62 has codes: %v", views[62].Codes)
	}
	if !views[63].Number.Unconfirmed {
		t.Fatalf("63 = %+v, want unconfirmed", views[63].Number)
	}
	if len(n.Pending) != 1 || n.Pending[0].ID != pending.ID {
		t.Fatalf("pending = %v, want only the SMS purchase without numbers", spendIDs(n.Pending))
	}
}

// TestTrayState: a live number is listed with its code even after the poller closed it (its
// code came), and dropped once it expires; numbers given up on or unconfirmed are not listed;
// deliveries are listed by count, never by content.
func TestTrayState(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	st := memStore(t, clk)
	expires := clk.Now().Add(10 * time.Minute)
	api := &fakeAPI{
		smsCode: func(id int64) (*client.SMSCode, error) {
			if id == 71 {
				return &client.SMSCode{Status: "completed", Code: "246810"}, nil
			}
			return &client.SMSCode{Status: "waiting"}, nil
		},
		smsStatus: func(id int64) (*client.SMSStatus, error) {
			return &client.SMSStatus{Status: "waiting", ExpiresAt: expires}, nil
		},
		status: func(int64) (*client.OrderStatus, error) {
			return &client.OrderStatus{Status: client.StatusCompleted, Accounts: []string{"u1:p1", "u2:p2"}}, nil
		},
	}
	svc := newService(t, st, api, clk, nil)
	sp, _ := st.BeginAddSMS(client.AddSMSRequest{ProjectID: "p", Quantity: 3}, "Proj", dec("0.60"))
	if _, err := st.MarkSMSPlaced(sp.ID, []client.SMSOrder{{Order: 71, Phone: "+1555071"}, {Order: 72, Phone: "+1555072"}, {Order: 73, Phone: "+1555073"}}); err != nil {
		t.Fatal(err)
	}
	unc, _ := st.BeginAddSMS(client.AddSMSRequest{ProjectID: "p"}, "Proj", dec("0.20"))
	if err := st.MarkUnconfirmed(unc.ID, "damaged", 74); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{71, 72} {
		if _, err := svc.CheckNumberStatus(ctx, id, false, Fingerprint{}); err != nil {
			t.Fatal(err)
		}
		if err := svc.CheckNumberNow(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.GiveUpNumber(73, nil); err != nil { // closed without a code
		t.Fatal(err)
	}
	if n, _ := st.SMSNumber(71); !n.Closed {
		t.Fatalf("setup: 71 = %+v, want closed with its code", n)
	}
	ob, _ := st.BeginAdd(client.AddRequest{Service: 1, Quantity: 2}, "Mail", dec("2"))
	if _, err := st.MarkPlaced(ob.ID, 900); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CheckOrderNow(ctx, 900); err != nil {
		t.Fatal(err)
	}

	tr, err := svc.TrayState(clk.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]TrayNumber{}
	for _, n := range tr.Numbers {
		got[n.Order] = n
	}
	if len(tr.Numbers) != 2 || got[71].Code != "246810" || got[71].Phone != "+1555071" || got[71].Label != "Proj" {
		t.Fatalf("tray numbers = %+v, want 71 with its code and 72", tr.Numbers)
	}
	if n, ok := got[72]; !ok || n.Code != "" {
		t.Fatalf("72 = %+v, %v: want it listed, waiting", n, ok)
	}
	if len(tr.Deliveries) != 1 || tr.Deliveries[0] != (TrayDelivery{Order: 900, Label: "Mail", Count: 2, At: tr.Deliveries[0].At}) || tr.Deliveries[0].At.IsZero() {
		t.Fatalf("tray deliveries = %+v", tr.Deliveries)
	}

	tr, err = svc.TrayState(expires)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Numbers) != 0 {
		t.Fatalf("tray numbers at expiry = %+v", tr.Numbers)
	}
}

// TestNumberLive covers the live rule on its own.
func TestNumberLive(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	placed := now.Add(-5 * time.Minute)
	cases := []struct {
		name string
		n    SMSNumber
		live bool
	}{
		{"open, no expiry, recent", SMSNumber{PlacedAt: placed}, true},
		{"open, no expiry, old", SMSNumber{PlacedAt: now.Add(-DefaultSMSLifetime)}, false},
		{"server expiry ahead", SMSNumber{PlacedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Second)}, true},
		{"server expiry passed", SMSNumber{PlacedAt: placed, ExpiresAt: now}, false},
		{"status expired", SMSNumber{PlacedAt: placed, Status: "Expired "}, false},
		{"closed with a code", SMSNumber{PlacedAt: placed, Closed: true, Codes: 1}, true},
		{"closed without a code", SMSNumber{PlacedAt: placed, Closed: true}, false},
	}
	for _, c := range cases {
		if got := NumberLive(c.n, c.n.Codes, now); got != c.live {
			t.Errorf("%s: live = %v", c.name, got)
		}
	}
	if at, exact := NumberExpiry(SMSNumber{PlacedAt: placed}); exact || !at.Equal(placed.Add(DefaultSMSLifetime)) {
		t.Errorf("estimated expiry = %v, %v", at, exact)
	}
}

// TestSpendingPerDayIsExact (from gui/balance_test.go): charges add up exactly per local day;
// estimates are not charges.
func TestSpendingPerDayIsExact(t *testing.T) {
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, time.Local)
	d := client.MustDecimal
	orders := []Order{
		{PlacedAt: now.Add(-time.Hour), Charge: d("0.1000")},
		{PlacedAt: now.Add(-2 * time.Hour), Charge: d("0.2000")},
		{PlacedAt: now.AddDate(0, 0, -1), Charge: d("5.0050")},
		{PlacedAt: now.AddDate(0, 0, -40), Charge: d("99.00")}, // outside the window
		{PlacedAt: now, Estimate: d("3.00")},                   // no charge reported yet
	}
	numbers := []SMSNumber{{PlacedAt: now.Add(-3 * time.Hour), Charge: d("0.5000")}}
	got := SpendingPerDay(orders, numbers, 30, now)
	if len(got) != 30 {
		t.Fatalf("%d days", len(got))
	}
	if today := got[29].Total.StringFixed(4); today != "0.8000" { // 0.1 + 0.2 + 0.5, exactly
		t.Fatalf("today = %s", today)
	}
	if y := got[28].Total.StringFixed(4); y != "5.0050" {
		t.Fatalf("yesterday = %s", y)
	}
	for i := 0; i < 28; i++ {
		if !got[i].Total.IsZero() {
			t.Fatalf("day %d = %s", i, got[i].Total)
		}
	}
	if !got[29].Day.Equal(time.Date(2026, 11, 22, 0, 0, 0, 0, time.Local)) {
		t.Fatalf("last day starts %v", got[29].Day)
	}
	if !got[0].Day.Equal(time.Date(2026, 10, 24, 0, 0, 0, 0, time.Local)) {
		t.Fatalf("first day starts %v", got[0].Day)
	}
}

// TestBalanceCharts: the history is drawn up to now, and the spending comes from the store.
func TestBalanceCharts(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	svc := newService(t, st, &fakeAPI{}, clk, nil)
	now := clk.Now()
	for i, b := range []string{"100.00", "99.16", "98.50"} {
		if _, err := st.RecordBalance(client.Balance{Balance: dec(b), Currency: "USD"}, now.Add(time.Duration(i-3)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	sp, _ := st.BeginAdd(client.AddRequest{Service: 1, Quantity: 1}, "x", dec("1"))
	if _, err := st.MarkPlaced(sp.ID, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordOrderStatus(5, client.OrderStatus{Status: client.StatusCompleted, Charge: dec("0.8400")}); err != nil {
		t.Fatal(err)
	}
	c, err := svc.BalanceCharts(30, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.History) != 4 || !c.History[3].At.Equal(now) || c.History[3].Balance.String() != "98.50" {
		t.Fatalf("history = %+v", c.History)
	}
	if len(c.Spent) != 30 || c.Spent[29].Total.StringFixed(4) != "0.8400" {
		t.Fatalf("spent today = %v", c.Spent[len(c.Spent)-1])
	}
}

// The transactions table sums to the balance change: each row's balance is the one after it,
// counted back from the balance read now.
func TestTransactionsSumToTheBalanceChange(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	api := &fakeAPI{balance: func() (*client.Balance, error) {
		return &client.Balance{Balance: client.MustDecimal("98.25"), Currency: "USD"}, nil
	}}
	svc := newService(t, st, api, clk, nil)
	sp, _ := st.BeginAdd(client.AddRequest{Service: 1, Quantity: 100}, "Likes", client.MustDecimal("1.50"))
	if _, err := st.MarkPlaced(sp.ID, 501); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordOrderStatus(501, client.OrderStatus{Status: "Completed", Charge: client.MustDecimal("1.50"), Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	ss, _ := st.BeginAddSMS(client.AddSMSRequest{ProjectID: "p", Quantity: 1}, "Telegram", client.MustDecimal("0.25"))
	if _, err := st.MarkSMSPlaced(ss.ID, []client.SMSOrder{{Order: 601, Phone: "+1555"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordSMSStatus(601, client.SMSStatus{Status: "active", Phone: "+1555", Charge: client.MustDecimal("0.25")}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	sp2, _ := st.BeginAdd(client.AddRequest{Service: 2, Quantity: 1}, "Gmail", client.MustDecimal("0.42"))
	if _, err := st.MarkPlaced(sp2.ID, 502); err != nil { // no status yet: no charge known
		t.Fatal(err)
	}
	if _, err := svc.RefreshBalance(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts, err := svc.Transactions(30, clk.Now())
	if err != nil || len(ts) != 3 {
		t.Fatalf("%d transactions, %v", len(ts), err)
	}
	if ts[0].Order != 502 || ts[0].Known || ts[1].Order != 601 || !ts[1].Number || ts[2].Order != 501 {
		t.Fatalf("order: %+v", ts)
	}
	sum := decimal.Zero
	for _, x := range ts {
		sum = sum.Add(x.Amount.Decimal)
	}
	first := ts[len(ts)-1].Balance.Sub(ts[len(ts)-1].Amount.Decimal) // before the oldest
	if !sum.Equal(ts[0].Balance.Sub(first)) || sum.String() != "-1.75" || ts[0].Balance.String() != "98.25" || first.String() != "100" {
		t.Fatalf("sum %s, balance now %s, before %s", sum, ts[0].Balance, first)
	}
	csv := string(ExportTransactionsCSV(ts))
	if !strings.Contains(csv, ",order,501,Likes,-1.50,") || !strings.Contains(csv, ",number,601,Telegram · +1555,-0.25,98.25") {
		t.Fatalf("csv:\n%s", csv)
	}
}
