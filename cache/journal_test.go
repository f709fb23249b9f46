package cache

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

func clockStore(t *testing.T) (*Store, func(time.Duration)) {
	t.Helper()
	now, advance := fixedClock(time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC))
	s, err := OpenInMemory(Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, advance
}

func TestSpendLifecycle(t *testing.T) {
	s, advance := clockStore(t)
	req := client.AddRequest{Service: 42, Quantity: 1000, Link: "https://instagram.com/p/x", Comments: "a\nb"}
	sp, err := s.BeginAdd(req, "Instagram Likes", client.MustDecimal("0.50"))
	if err != nil {
		t.Fatal(err)
	}
	if sp.ID == 0 || sp.State != SpendSending || sp.CreatedAt.IsZero() {
		t.Fatalf("%+v", sp)
	}
	got, err := s.Spend(sp.ID)
	if err != nil || got.Add != req || got.Label != "Instagram Likes" || got.Estimate.String() != "0.50" || got.State != SpendSending {
		t.Fatalf("%+v %v", got, err)
	}
	advance(time.Second)
	o, err := s.MarkPlaced(sp.ID, 23501)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != 23501 || o.SpendID != sp.ID || o.Service != 42 || o.Quantity != 1000 || o.Label != "Instagram Likes" || o.Unconfirmed {
		t.Fatalf("order %+v", o)
	}
	got, _ = s.Spend(sp.ID)
	if got.State != SpendPlaced || fmt.Sprint(got.Orders) != "[23501]" {
		t.Fatalf("%+v", got)
	}
	// Placed is final.
	if err := s.MarkFailed(sp.ID, "x"); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("placed → failed: %v", err)
	}
	if _, err := s.MarkPlaced(sp.ID, 1); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("placed twice: %v", err)
	}
	if _, err := s.MarkSMSPlaced(sp.ID, nil); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("SMS placement of an add: %v", err)
	}

	// Failed.
	f, _ := s.BeginAdd(client.AddRequest{Service: 1, Quantity: 1}, "", client.Decimal{})
	if err := s.MarkFailed(f.ID, "Insufficient balance"); err != nil {
		t.Fatal(err)
	}
	// Unconfirmed, later settled.
	u, _ := s.BeginAdd(client.AddRequest{Service: 2, Quantity: 5}, "", client.Decimal{})
	if err := s.MarkUnconfirmed(u.ID, "connection reset"); err != nil {
		t.Fatal(err)
	}
	u2, _ := s.BeginAdd(client.AddRequest{Service: 3, Quantity: 5}, "", client.Decimal{})
	if err := s.MarkUnconfirmed(u2.ID, "502 with an order id", 777); err != nil {
		t.Fatal(err)
	}
	smsp, _ := s.BeginAddSMS(client.AddSMSRequest{ProjectID: "65f", Quantity: 2, Country: "us"}, "OpenAI", client.MustDecimal("1.0000"))

	un, err := s.Spends(SpendUnconfirmed)
	if err != nil || len(un) != 2 || un[0].ID != u2.ID || un[1].ID != u.ID {
		t.Fatalf("unconfirmed: %+v %v", un, err)
	}
	all, err := s.Spends()
	if err != nil || len(all) != 5 || all[0].ID != smsp.ID {
		t.Fatalf("all: %d %v", len(all), err)
	}
	if v, _ := s.Spends(SpendFailed, SpendSending); len(v) != 2 {
		t.Fatalf("failed+sending: %+v", v)
	}

	// The unconfirmed entry with a known order id is polled like any other.
	open, err := s.OpenOrders()
	if err != nil || len(open) != 2 || open[0].ID != 777 || !open[0].Unconfirmed || open[1].ID != 23501 {
		t.Fatalf("open orders %+v %v", open, err)
	}
	// The user checks: the other unconfirmed one was placed after all.
	if _, err := s.MarkPlaced(u.ID, 778); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Spends(SpendUnconfirmed); len(v) != 1 {
		t.Fatalf("still unconfirmed: %+v", v)
	}

	nums, err := s.MarkSMSPlaced(smsp.ID, []client.SMSOrder{{Order: 12345, Phone: "+1234567890", Country: "us", Status: "active"}, {Order: 12346, Phone: "+1234567891", Country: "us", Status: "active"}})
	if err != nil || len(nums) != 2 || nums[0].Phone != "+1234567890" || nums[0].ProjectID != "65f" || nums[0].Status != "active" {
		t.Fatalf("%+v %v", nums, err)
	}
	if _, err := s.BeginSpend(Spend{Action: "refill"}); err == nil {
		t.Fatal("unknown action accepted")
	}
	if _, err := s.Spend(9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing entry: %v", err)
	}
}

func TestInterruptedSpendBecomesUnconfirmed(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	sp, err := s.BeginAdd(client.AddRequest{Service: 9, Quantity: 1}, "x", client.Decimal{})
	if err != nil {
		t.Fatal(err)
	}
	done, _ := s.BeginAdd(client.AddRequest{Service: 9, Quantity: 1}, "x", client.Decimal{})
	if _, err := s.MarkPlaced(done.ID, 5); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = diskStore(t, dir, key)
	defer s.Close()
	if s.Recovered() != 1 {
		t.Fatalf("recovered %d", s.Recovered())
	}
	got, err := s.Spend(sp.ID)
	if err != nil || got.State != SpendUnconfirmed || !strings.Contains(got.Error, "unknown") {
		t.Fatalf("%+v %v", got, err)
	}
	if v, _ := s.Spends(SpendSending); len(v) != 0 {
		t.Fatalf("still sending: %+v", v)
	}
}

func TestOrderStatusHistoryAndDeliveries(t *testing.T) {
	s, advance := clockStore(t)
	sp, _ := s.BeginAdd(client.AddRequest{Service: 2, Quantity: 3}, "Gmail Account - USA", client.MustDecimal("75.00"))
	if _, err := s.MarkPlaced(sp.ID, 100); err != nil {
		t.Fatal(err)
	}
	st := client.OrderStatus{Status: client.StatusPending, Charge: client.MustDecimal("75.00"), Remains: 3, Currency: "USD", AutoDelivery: true, EntityType: "product"}
	up, err := s.RecordOrderStatus(100, st)
	if err != nil || !up.Changed || !up.StatusChanged || len(up.Events) != 1 || up.Events[0].Kind != EventOrderStatus {
		t.Fatalf("%+v %v", up, err)
	}
	advance(time.Minute)
	// The same status again: nothing changes, no history, no event.
	up, err = s.RecordOrderStatus(100, st)
	if err != nil || up.Changed || len(up.Events) != 0 {
		t.Fatalf("repeat: %+v %v", up, err)
	}
	// "75.0000" is the same charge as "75.00".
	st.Charge = client.MustDecimal("75.0000")
	if up, _ = s.RecordOrderStatus(100, st); up.Changed {
		t.Fatal("a rescaled charge counted as a change")
	}
	// Partial delivery.
	advance(time.Minute)
	st.Status, st.Remains, st.Accounts = client.StatusInProgress, 1, []string{"user1:pass1", "user2:pass2"}
	up, err = s.RecordOrderStatus(100, st)
	if err != nil || len(up.New) != 2 || len(up.Events) != 2 || up.Events[1].Kind != EventDelivery || up.Events[1].Count != 2 {
		t.Fatalf("partial: %+v %v", up, err)
	}
	// Completed: the server lists all accounts again; only the third is new.
	advance(time.Minute)
	st.Status, st.Remains, st.Accounts = client.StatusCompleted, 0, []string{"user1:pass1", "user2:pass2", "user3:pass3"}
	up, err = s.RecordOrderStatus(100, st)
	if err != nil || len(up.New) != 1 || up.New[0].Value != "user3:pass3" || up.New[0].Seq != 3 {
		t.Fatalf("completed: %+v %v", up, err)
	}
	o, err := s.Order(100)
	if err != nil || !o.Terminal || o.Status != client.StatusCompleted || o.Delivered != 3 || o.Currency != "USD" || o.History != 3 {
		t.Fatalf("order %+v %v", o, err)
	}
	h, err := s.OrderHistory(100)
	if err != nil || len(h) != 3 || h[0].Status != "Pending" || h[2].Status != "Completed" || !h[2].At.After(h[0].At) {
		t.Fatalf("history %+v %v", h, err)
	}
	if open, _ := s.OpenOrders(); len(open) != 0 {
		t.Fatalf("a completed order is still open: %+v", open)
	}
	ds, err := s.Deliveries(100)
	if err != nil || len(ds) != 3 || ds[0].Value != "user1:pass1" || ds[2].Seq != 3 || ds[0].Kind != DeliveryAccount {
		t.Fatalf("deliveries %+v %v", ds, err)
	}
	// A status for an order the store never saw creates its record.
	if _, err := s.RecordOrderStatus(555, client.OrderStatus{Status: "Processing"}); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.OpenOrders(); len(open) != 1 || open[0].ID != 555 {
		t.Fatalf("open %+v", open)
	}
	if _, err := s.Order(4242); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing order: %v", err)
	}
}

func TestOrderQueries(t *testing.T) {
	s, advance := clockStore(t)
	start := s.now()
	for i := 1; i <= 6; i++ {
		sp, _ := s.BeginAdd(client.AddRequest{Service: int64(i), Quantity: 1}, "", client.Decimal{})
		if _, err := s.MarkPlaced(sp.ID, int64(1000+i)); err != nil {
			t.Fatal(err)
		}
		status := client.StatusInProgress
		if i%2 == 0 {
			status = client.StatusCompleted
		}
		if _, err := s.RecordOrderStatus(int64(1000+i), client.OrderStatus{Status: status}); err != nil {
			t.Fatal(err)
		}
		advance(time.Hour)
	}
	if _, err := s.TrackOrder(2000, "typed in"); err != nil {
		t.Fatal(err)
	}
	ids := func(os []Order) string {
		var v []string
		for _, o := range os {
			v = append(v, fmt.Sprint(o.ID))
		}
		return strings.Join(v, ",")
	}
	cases := []struct {
		q    Query
		want string
	}{
		{Query{}, "2000,1006,1005,1004,1003,1002,1001"},
		{Query{Oldest: true, Limit: 2}, "1001,1002"},
		{Query{Open: true}, "2000,1005,1003,1001"},
		{Query{Statuses: []string{"completed"}}, "1006,1004,1002"},
		{Query{Statuses: []string{""}}, "2000"},
		{Query{Since: start.Add(2 * time.Hour), Until: start.Add(4 * time.Hour)}, "1004,1003"},
		{Query{Since: start.Add(2 * time.Hour), Until: start.Add(4 * time.Hour), Oldest: true}, "1003,1004"},
		{Query{Since: start.Add(time.Hour), Limit: 1}, "2000"},
		{Query{Until: start.Add(time.Hour)}, "1001"},
	}
	for _, c := range cases {
		got, err := s.Orders(c.q)
		if err != nil || ids(got) != c.want {
			t.Errorf("%+v: %s, want %s (%v)", c.q, ids(got), c.want, err)
		}
	}
}

func TestSMSNumbers(t *testing.T) {
	s, advance := clockStore(t)
	sp, _ := s.BeginAddSMS(client.AddSMSRequest{ProjectID: "p", Quantity: 2}, "Telegram", client.Decimal{})
	if _, err := s.MarkSMSPlaced(sp.ID, []client.SMSOrder{{Order: 1, Phone: "+1", Status: "active"}, {Order: 2, Phone: "+2", Status: "active"}}); err != nil {
		t.Fatal(err)
	}
	exp := s.now().Add(10 * time.Minute)
	up, err := s.RecordSMSStatus(1, client.SMSStatus{Status: "waiting", Phone: "+1", Charge: client.MustDecimal("0.5000"), Currency: "USD", ExpiresAt: exp})
	if err != nil || !up.StatusChanged || len(up.New) != 0 {
		t.Fatalf("%+v %v", up, err)
	}
	advance(time.Minute)
	up, err = s.RecordSMSCode(1, client.SMSCode{Status: "completed", Code: "123456", SMSContent: "Your code is 123456"})
	if err != nil || len(up.New) != 1 || up.New[0].Content != "Your code is 123456" || len(up.Events) != 1 || up.Events[0].Kind != EventSMSCode {
		t.Fatalf("code: %+v %v", up, err)
	}
	// sms_status reports the same code: not new.
	up, err = s.RecordSMSStatus(1, client.SMSStatus{Status: "code_received", Phone: "+1", Code: "123456", Charge: client.MustDecimal("0.5000"), ExpiresAt: exp})
	if err != nil || len(up.New) != 0 || !up.StatusChanged {
		t.Fatalf("same code: %+v %v", up, err)
	}
	if up, _ := s.RecordSMSCode(1, client.SMSCode{Status: "waiting", Message: "Waiting for code"}); up.Changed {
		t.Fatal("waiting counted as a change")
	}
	n, err := s.SMSNumber(1)
	if err != nil || n.Codes != 1 || n.Status != "code_received" || !n.ExpiresAt.Equal(exp) || n.Currency != "USD" || n.Label != "Telegram" {
		t.Fatalf("%+v %v", n, err)
	}
	if h, _ := s.SMSHistory(1); len(h) != 2 {
		t.Fatalf("history %+v", h)
	}
	open, err := s.OpenSMS(s.now())
	if err != nil || len(open) != 2 {
		t.Fatalf("open %+v %v", open, err)
	}
	// Number 1 expires at exp; number 2 has no expiry and lives SMSLifetime (20 min).
	advance(12 * time.Minute)
	open, _ = s.OpenSMS(s.now())
	if len(open) != 1 || open[0].Order != 2 {
		t.Fatalf("after expiry of 1: %+v", open)
	}
	if n, _ := s.SMSNumber(1); !n.Closed {
		t.Fatal("expired number not closed")
	}
	advance(10 * time.Minute)
	if open, _ = s.OpenSMS(s.now()); len(open) != 0 {
		t.Fatalf("after the lifetime: %+v", open)
	}
	all, err := s.SMSNumbers(Query{Oldest: true})
	if err != nil || len(all) != 2 || all[0].Order != 1 {
		t.Fatalf("%+v %v", all, err)
	}
	if v, _ := s.SMSNumbers(Query{Open: true}); len(v) != 0 {
		t.Fatalf("open query %+v", v)
	}
	// A status past its expiry closes the number at once.
	if _, err := s.RecordSMSStatus(3, client.SMSStatus{Status: "expired", ExpiresAt: s.now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.SMSNumber(3); !n.Closed {
		t.Fatal("not closed")
	}
	if err := s.CloseSMS(99); !errors.Is(err, ErrNotFound) {
		t.Fatalf("close missing: %v", err)
	}
}

func TestBalanceHistory(t *testing.T) {
	s, advance := clockStore(t)
	t0 := s.now()
	steps := []string{"100.00", "100.00", "99.50", "99.5000", "120.00"}
	stored := 0
	for _, b := range steps {
		ok, err := s.RecordBalance(client.Balance{Balance: client.MustDecimal(b), Currency: "USD"}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			stored++
		}
		advance(time.Minute)
	}
	if stored != 3 {
		t.Fatalf("%d points stored, want 3", stored)
	}
	h, err := s.BalanceHistory(time.Time{}, time.Time{})
	if err != nil || len(h) != 3 || h[1].Balance.String() != "99.50" || h[2].Currency != "USD" {
		t.Fatalf("%+v %v", h, err)
	}
	h, _ = s.BalanceHistory(t0.Add(time.Minute), t0.Add(4*time.Minute))
	if len(h) != 1 || h[0].Balance.String() != "99.50" {
		t.Fatalf("range %+v", h)
	}
	last, err := s.LastBalance()
	if err != nil || last.Balance.String() != "120.00" {
		t.Fatalf("%+v %v", last, err)
	}
	if ok, _ := s.RecordBalance(client.Balance{Balance: client.MustDecimal("120.00"), Currency: "EUR"}, time.Time{}); !ok {
		t.Fatal("a currency change was not stored")
	}
}

func TestMarkFailedClosesLinkedOrdersAndNumbers(t *testing.T) {
	s := memStore(t)
	sp, err := s.BeginAdd(client.AddRequest{Service: 1, Quantity: 10, Link: "https://x.y/z"}, "Likes", client.MustDecimal("0.01"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkUnconfirmed(sp.ID, "answer lost", 777); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.OpenOrders(); len(open) != 1 || open[0].ID != 777 {
		t.Fatalf("open before = %+v", open)
	}
	if err := s.MarkFailed(sp.ID, "marked not placed by the user"); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.OpenOrders(); len(open) != 0 {
		t.Fatalf("an order marked not placed is still polled: %+v", open)
	}

	ss, err := s.BeginAddSMS(client.AddSMSRequest{ProjectID: "p", Quantity: 1}, "OpenAI", client.MustDecimal("0.5"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkUnconfirmed(ss.ID, "answer lost", 888); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ss.ID, "not placed"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SMSNumber(888); err != nil || !n.Closed {
		t.Fatalf("number after MarkFailed: %+v %v", n, err)
	}
}
