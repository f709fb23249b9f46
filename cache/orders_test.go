package cache

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

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
	// The accounts are kept at once (synced), announced later: the order is still delivering.
	if err != nil || len(up.New) != 2 || len(up.Events) != 1 || up.Events[0].Kind != EventOrderStatus {
		t.Fatalf("partial: %+v %v", up, err)
	}
	if o, _ := s.Order(100); o.Held != 2 || o.HeldFrom != 1 || o.Delivered != 2 {
		t.Fatalf("held %+v", o)
	}
	// Completed: the server lists all accounts again; only the third is new.
	advance(time.Minute)
	st.Status, st.Remains, st.Accounts = client.StatusCompleted, 0, []string{"user1:pass1", "user2:pass2", "user3:pass3"}
	up, err = s.RecordOrderStatus(100, st)
	if err != nil || len(up.New) != 1 || up.New[0].Value != "user3:pass3" || up.New[0].Seq != 3 {
		t.Fatalf("completed: %+v %v", up, err)
	}
	// One delivery event for the order: all three accounts.
	if n := len(up.Events); n != 2 || up.Events[1].Kind != EventDelivery || up.Events[1].Count != 3 || up.Events[1].FirstSeq != 1 {
		t.Fatalf("completed events: %+v", up.Events)
	}
	o, err := s.Order(100)
	if err != nil || !o.Terminal || o.Status != client.StatusCompleted || o.Delivered != 3 || o.Currency != "USD" || o.History != 3 || o.Held != 0 {
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

// TestHeldDeliveries: accounts of an order still delivering are kept at once and announced in
// one event when everything ordered is in, or once they have waited DeliveryHold; the hold
// survives a restart (it is in the order's record).
func TestHeldDeliveries(t *testing.T) {
	s, advance := clockStore(t)
	sp, _ := s.BeginAdd(client.AddRequest{Service: 2, Quantity: 2}, "Gmail", client.MustDecimal("2.00"))
	if _, err := s.MarkPlaced(sp.ID, 7); err != nil {
		t.Fatal(err)
	}
	st := client.OrderStatus{Status: client.StatusInProgress, Remains: 1, Accounts: []string{"a:1"}}
	if up, err := s.RecordOrderStatus(7, st); err != nil || len(up.New) != 1 || hasDelivery(up.Events) {
		t.Fatalf("first account: %+v %v", up, err)
	}
	// Everything ordered is in, though the status still says In progress: announced at once.
	advance(time.Second)
	st.Remains, st.Accounts = 0, []string{"a:1", "b:2"}
	up, err := s.RecordOrderStatus(7, st)
	if err != nil || len(up.Events) != 1 || up.Events[0].Count != 2 || up.Events[0].FirstSeq != 1 {
		t.Fatalf("all in: %+v %v", up, err)
	}

	// An order of 3 that stalls after one: not due before the hold, due after it, once.
	sp, _ = s.BeginAdd(client.AddRequest{Service: 2, Quantity: 3}, "Gmail", client.MustDecimal("3.00"))
	if _, err := s.MarkPlaced(sp.ID, 8); err != nil {
		t.Fatal(err)
	}
	st = client.OrderStatus{Status: client.StatusInProgress, Remains: 2, Accounts: []string{"c:3"}}
	if up, err := s.RecordOrderStatus(8, st); err != nil || hasDelivery(up.Events) {
		t.Fatalf("stalled: %+v %v", up, err)
	}
	advance(DeliveryHold - time.Second)
	if ev, err := s.ReleaseHeld(8); err != nil || ev != nil {
		t.Fatalf("released before the hold: %+v %v", ev, err)
	}
	advance(time.Second)
	ev, err := s.ReleaseHeld(8)
	if err != nil || ev == nil || ev.Kind != EventDelivery || ev.Count != 1 || ev.FirstSeq != 1 || ev.Order != 8 {
		t.Fatalf("after the hold: %+v %v", ev, err)
	}
	if ev, err := s.ReleaseHeld(8); err != nil || ev != nil {
		t.Fatalf("released twice: %+v %v", ev, err)
	}
	pending, err := s.PendingEvents()
	if err != nil {
		t.Fatal(err)
	}
	var counts []int
	for _, e := range pending {
		if e.Kind == EventDelivery {
			counts = append(counts, e.Count)
		}
	}
	if fmt.Sprint(counts) != "[2 1]" {
		t.Fatalf("delivery events %v, want [2 1]", counts)
	}
	if ev, err := s.ReleaseHeld(999); err != nil || ev != nil {
		t.Fatalf("unknown order: %+v %v", ev, err)
	}
}

func hasDelivery(evs []Event) bool {
	for _, e := range evs {
		if e.Kind == EventDelivery {
			return true
		}
	}
	return false
}
