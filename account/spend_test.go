package account

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// refused is how the client reports an add the server refused: nothing was spent.
func refused(action string) error {
	return &client.SpendError{Action: action, Outcome: client.ErrNotSent,
		Err: &client.APIError{HTTPStatus: 200, Action: action, Message: "Insufficient balance"}}
}

// lost is how the client reports an add whose answer never came.
func lost(action string) error {
	return &client.SpendError{Action: action, Outcome: client.ErrOutcomeUnknown,
		Err: &client.TransportError{Action: action, Err: errors.New("connection reset by peer")}}
}

// TestPlaceOrderJournalsBeforeSending: the entry is in the store, state sending, when Add is
// called; Add is called once; the order placed is journaled, announced with its record, and the
// poller is kicked.
func TestPlaceOrderJournalsBeforeSending(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	api := &fakeAPI{}
	svc := newService(t, st, api, clk, nil)
	w := &fakeWatcher{}
	svc.Attach(w)
	rec := record(svc)

	req := client.AddRequest{Service: 7, Quantity: 3, Link: "https://example.com/x"}
	var seenInAdd []Spend
	var eventsInAdd []Event
	api.add = func(r client.AddRequest) (*client.AddResult, error) {
		if r != req {
			t.Errorf("Add got %+v, want %+v", r, req)
		}
		var err error
		if seenInAdd, err = st.Spends(cache.SpendSending); err != nil {
			t.Error(err)
		}
		eventsInAdd = rec.all()
		return &client.AddResult{Order: 4242}, nil
	}

	placed, err := svc.PlaceOrder(context.Background(), req, "Likes", dec("1.50"))
	out, id := placed.Outcome, placed.Order
	if err != nil || out != Placed || id != 4242 {
		t.Fatalf("PlaceOrder = %v, %d, %v; want Placed, 4242, nil", out, id, err)
	}
	if n := api.n("add"); n != 1 {
		t.Fatalf("Add called %d times", n)
	}
	if len(seenInAdd) != 1 || seenInAdd[0].Action != ActionAdd || seenInAdd[0].Add != req ||
		seenInAdd[0].Label != "Likes" || seenInAdd[0].Estimate.String() != "1.50" {
		t.Fatalf("journal while sending = %+v, want one sending add entry", seenInAdd)
	}
	if len(eventsInAdd) != 1 || eventsInAdd[0].Kind != KindJournal || eventsInAdd[0].Spend == nil ||
		eventsInAdd[0].Spend.State != SpendSending {
		t.Fatalf("announced before sending: %v, want the sending entry", eventsInAdd)
	}

	sp := spendState(t, st, seenInAdd[0].ID)
	if sp.State != SpendPlaced || len(sp.Orders) != 1 || sp.Orders[0] != 4242 {
		t.Fatalf("journal after = %+v, want placed with order 4242", sp)
	}
	o, err := st.Order(4242)
	if err != nil || o.Label != "Likes" || o.Unconfirmed {
		t.Fatalf("order record = %+v, %v", o, err)
	}
	js := rec.of(KindJournal)
	if len(js) != 2 {
		t.Fatalf("journal events = %v, want sending then placed", js)
	}
	last := js[1]
	if last.Spend == nil || last.Spend.State != SpendPlaced || last.OrderRec == nil || last.OrderRec.ID != 4242 || last.Order != 4242 {
		t.Fatalf("placed event = %v (order rec %+v)", last, last.OrderRec)
	}
	if k, _ := w.counts(); k != 1 {
		t.Fatalf("poller kicked %d times, want 1", k)
	}
}

// TestPlaceOrderRefusedIsNotPlaced: a refusal (client.ErrNotSent) fails the entry; nothing to
// follow.
func TestPlaceOrderRefusedIsNotPlaced(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	api := &fakeAPI{add: func(client.AddRequest) (*client.AddResult, error) { return nil, refused("add") }}
	svc := newService(t, st, api, clk, nil)
	w := &fakeWatcher{}
	svc.Attach(w)
	rec := record(svc)

	placed, err := svc.PlaceOrder(context.Background(), client.AddRequest{Service: 1, Quantity: 1}, "x", dec("1"))
	out, id := placed.Outcome, placed.Order
	if out != NotPlaced || id != 0 || !errors.Is(err, client.ErrNotSent) || !errors.Is(err, client.ErrInsufficientBalance) {
		t.Fatalf("PlaceOrder = %v, %d, %v; want NotPlaced with the refusal", out, id, err)
	}
	if n := api.n("add"); n != 1 {
		t.Fatalf("Add called %d times", n)
	}
	all, _ := st.Spends()
	if len(all) != 1 || all[0].State != SpendFailed || !strings.Contains(all[0].Error, "Insufficient balance") {
		t.Fatalf("journal = %+v, want one failed entry saying why", all)
	}
	js := rec.of(KindJournal)
	if len(js) != 2 || js[1].Spend.State != SpendFailed || js[1].OrderRec != nil {
		t.Fatalf("journal events = %v", js)
	}
	if k, _ := w.counts(); k != 0 {
		t.Fatalf("poller kicked %d times for a refused order", k)
	}
}

// TestPlaceOrderLostAnswerIsUnconfirmedNeverResent: any failure that is not ErrNotSent leaves the
// entry unconfirmed and is not sent again.
func TestPlaceOrderLostAnswerIsUnconfirmedNeverResent(t *testing.T) {
	cases := map[string]error{
		"spend error, outcome unknown": lost("add"),
		"bare transport error":         &client.TransportError{Action: "add", HTTPStatus: 502, Err: client.ErrNotJSON},
		"deadline":                     context.DeadlineExceeded,
		"empty answer":                 nil, // Add returns nil, nil
	}
	for name, sendErr := range cases {
		t.Run(name, func(t *testing.T) {
			clk := newFakeClock()
			st := memStore(t, clk)
			api := &fakeAPI{add: func(client.AddRequest) (*client.AddResult, error) { return nil, sendErr }}
			svc := newService(t, st, api, clk, nil)
			w := &fakeWatcher{}
			svc.Attach(w)
			rec := record(svc)

			placed, err := svc.PlaceOrder(context.Background(), client.AddRequest{Service: 1, Quantity: 1}, "x", dec("1"))
			out, id := placed.Outcome, placed.Order
			if out != Unconfirmed || id != 0 || err == nil {
				t.Fatalf("PlaceOrder = %v, %d, %v; want Unconfirmed", out, id, err)
			}
			if sendErr != nil && !errors.Is(err, sendErr) {
				t.Fatalf("error %v does not carry %v", err, sendErr)
			}
			if n := api.n("add"); n != 1 {
				t.Fatalf("Add called %d times", n)
			}
			all, _ := st.Spends()
			if len(all) != 1 || all[0].State != SpendUnconfirmed || all[0].Error == "" || len(all[0].Orders) != 0 {
				t.Fatalf("journal = %+v, want one unconfirmed entry", all)
			}
			js := rec.of(KindJournal)
			if len(js) != 2 || js[1].Spend.State != SpendUnconfirmed {
				t.Fatalf("journal events = %v", js)
			}
			if k, _ := w.counts(); k != 1 {
				t.Fatalf("poller kicked %d times, want 1", k)
			}
			if n := api.n("add"); n != 1 {
				t.Fatalf("Add called %d times after the kick", n)
			}
		})
	}
}

// TestPlaceOrderNotJournaledIsNotSent: when the journal cannot be written, nothing is sent.
func TestPlaceOrderNotJournaledIsNotSent(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	api := &fakeAPI{add: func(client.AddRequest) (*client.AddResult, error) { return &client.AddResult{Order: 1}, nil }}
	svc := newService(t, st, api, clk, nil)
	rec := record(svc)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	placed, err := svc.PlaceOrder(context.Background(), client.AddRequest{Service: 1, Quantity: 1}, "x", dec("1"))
	out := placed.Outcome
	if out != NotPlaced || !errors.Is(err, ErrNotJournaled) || !errors.Is(err, cache.ErrClosed) {
		t.Fatalf("PlaceOrder on a closed store = %v, %v", out, err)
	}
	if api.n("add") != 0 {
		t.Fatal("sent although not journaled")
	}
	if n := len(rec.all()); n != 0 {
		t.Fatalf("%d events announced", n)
	}
	rented, err := svc.RentNumbers(context.Background(), client.AddSMSRequest{ProjectID: "p"}, "x", dec("1"))
	out, nums := rented.Outcome, rented.Numbers
	if out != NotPlaced || len(nums) != 0 || !errors.Is(err, ErrNotJournaled) || api.n("add_sms") != 0 {
		t.Fatalf("RentNumbers on a closed store = %v, %v, %v (sent %d)", out, nums, err, api.n("add_sms"))
	}
}

// TestRentNumbersOutcomes: the same protocol for add_sms.
func TestRentNumbersOutcomes(t *testing.T) {
	req := client.AddSMSRequest{ProjectID: "tg", Quantity: 2, Country: "us"}
	placed := []client.SMSOrder{{Order: 501, Phone: "+15550001", Country: "us", Status: "active"}, {Order: 502, Phone: "+15550002", Country: "us", Status: "active"}}
	cases := []struct {
		name    string
		answer  []client.SMSOrder
		err     error
		out     Outcome
		state   SpendState
		kicks   int
		numbers int
	}{
		{"placed", placed, nil, Placed, SpendPlaced, 1, 2},
		{"refused", nil, refused("add_sms"), NotPlaced, SpendFailed, 0, 0},
		{"lost", nil, lost("add_sms"), Unconfirmed, SpendUnconfirmed, 1, 0},
		{"deadline", nil, context.DeadlineExceeded, Unconfirmed, SpendUnconfirmed, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := newFakeClock()
			st := memStore(t, clk)
			api := &fakeAPI{}
			var inFlight []Spend
			api.addSMS = func(r client.AddSMSRequest) ([]client.SMSOrder, error) {
				if r != req {
					t.Errorf("AddSMS got %+v", r)
				}
				inFlight, _ = st.Spends(SpendSending)
				return c.answer, c.err
			}
			svc := newService(t, st, api, clk, nil)
			w := &fakeWatcher{}
			svc.Attach(w)
			rec := record(svc)

			rented, err := svc.RentNumbers(context.Background(), req, "Telegram", dec("0.40"))
			out, nums := rented.Outcome, rented.Numbers
			if out != c.out || (c.err == nil) != (err == nil) || (c.err != nil && !errors.Is(err, c.err)) {
				t.Fatalf("RentNumbers = %v, %v; want %v, %v", out, err, c.out, c.err)
			}
			if api.n("add_sms") != 1 {
				t.Fatalf("AddSMS called %d times", api.n("add_sms"))
			}
			if len(inFlight) != 1 || inFlight[0].Action != ActionAddSMS || inFlight[0].AddSMS != req {
				t.Fatalf("journal while sending = %+v", inFlight)
			}
			sp := spendState(t, st, inFlight[0].ID)
			if sp.State != c.state {
				t.Fatalf("journal state %s, want %s", sp.State, c.state)
			}
			if len(nums) != c.numbers {
				t.Fatalf("numbers = %+v", nums)
			}
			js := rec.of(KindJournal)
			if len(js) != 2 || js[0].Spend.State != SpendSending || js[1].Spend.State != c.state || len(js[1].Numbers) != c.numbers {
				t.Fatalf("journal events = %v", js)
			}
			if c.out == Placed {
				for i, n := range nums {
					if n.Order != placed[i].Order || n.Phone != placed[i].Phone || n.Label != "Telegram" || n.Unconfirmed {
						t.Fatalf("number %d = %+v", i, n)
					}
					if _, err := st.SMSNumber(n.Order); err != nil {
						t.Fatalf("number %d not stored: %v", n.Order, err)
					}
				}
			}
			if k, _ := w.counts(); k != c.kicks {
				t.Fatalf("kicks = %d, want %d", k, c.kicks)
			}
		})
	}
}

// TestMarkNotPlaced settles an unconfirmed entry as failed, and refuses a placed one.
func TestMarkNotPlaced(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	api := &fakeAPI{}
	svc := newService(t, st, api, clk, nil)
	w := &fakeWatcher{}
	svc.Attach(w)

	api.add = func(client.AddRequest) (*client.AddResult, error) { return nil, lost("add") }
	if r, _ := svc.PlaceOrder(context.Background(), client.AddRequest{Service: 1, Quantity: 1}, "x", dec("1")); r.Outcome != Unconfirmed {
		t.Fatalf("setup: %v", r.Outcome)
	}
	api.add = func(client.AddRequest) (*client.AddResult, error) { return &client.AddResult{Order: 9}, nil }
	if r, _ := svc.PlaceOrder(context.Background(), client.AddRequest{Service: 1, Quantity: 1}, "y", dec("1")); r.Outcome != Placed {
		t.Fatalf("setup: %v", r.Outcome)
	}
	unconf, _ := st.Spends(SpendUnconfirmed)
	placed, _ := st.Spends(SpendPlaced)
	if len(unconf) != 1 || len(placed) != 1 {
		t.Fatalf("setup journal: %d unconfirmed, %d placed", len(unconf), len(placed))
	}
	rec := record(svc)
	k0, _ := w.counts()

	if err := svc.MarkNotPlaced(unconf[0].ID); err != nil {
		t.Fatal(err)
	}
	sp := spendState(t, st, unconf[0].ID)
	if sp.State != SpendFailed || sp.Error != NotPlacedReason {
		t.Fatalf("entry = %+v, want failed %q", sp, NotPlacedReason)
	}
	js := rec.of(KindJournal)
	if len(js) != 1 || js[0].Spend.ID != sp.ID || js[0].Spend.State != SpendFailed {
		t.Fatalf("events = %v", rec.all())
	}
	if k, _ := w.counts(); k != k0+1 {
		t.Fatalf("kicks %d → %d, want one more", k0, k)
	}

	err := svc.MarkNotPlaced(placed[0].ID)
	if !errors.Is(err, ErrSettledMeanwhile) {
		t.Fatalf("MarkNotPlaced on a placed entry = %v, want ErrSettledMeanwhile", err)
	}
	if sp := spendState(t, st, placed[0].ID); sp.State != SpendPlaced {
		t.Fatalf("placed entry became %s", sp.State)
	}
	if n := len(rec.all()); n != 1 {
		t.Fatalf("%d events after a refused MarkNotPlaced, want still 1", n)
	}
	// Twice: the second finds it settled.
	if err := svc.MarkNotPlaced(unconf[0].ID); !errors.Is(err, ErrSettledMeanwhile) {
		t.Fatalf("second MarkNotPlaced = %v", err)
	}
}

// TestInFlightFindsIdenticalSpends: an identical order or purchase still being sent or
// unconfirmed is found; settled ones and different ones are not.
func TestInFlightFindsIdenticalSpends(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	svc := newService(t, st, &fakeAPI{}, clk, nil)
	add := client.AddRequest{Service: 7, Link: "https://x/y", Quantity: 100}
	sending, _ := st.BeginAdd(add, "Likes", client.MustDecimal("1"))
	lost, _ := st.BeginAdd(add, "Likes", client.MustDecimal("1"))
	if err := st.MarkUnconfirmed(lost.ID, "reset"); err != nil {
		t.Fatal(err)
	}
	placed, _ := st.BeginAdd(add, "Likes", client.MustDecimal("1"))
	if _, err := st.MarkPlaced(placed.ID, 99); err != nil {
		t.Fatal(err)
	}
	other := add
	other.Quantity = 200
	if _, err := st.BeginAdd(other, "Likes", client.MustDecimal("2")); err != nil {
		t.Fatal(err)
	}
	got, err := svc.OrdersInFlight(add)
	if err != nil || len(got) != 2 || got[0].ID != sending.ID || got[1].ID != lost.ID {
		t.Fatalf("in flight = %+v, %v", got, err)
	}
	rent := client.AddSMSRequest{ProjectID: "p", Country: "us", Quantity: 1}
	sp, _ := st.BeginAddSMS(rent, "Telegram", client.MustDecimal("0.5"))
	if err := st.MarkUnconfirmed(sp.ID, "reset"); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.RentalsInFlight(rent); len(got) != 1 || got[0].ID != sp.ID {
		t.Fatalf("rentals in flight = %+v", got)
	}
	rent.Phone = "+1555"
	if got, _ := svc.RentalsInFlight(rent); len(got) != 0 {
		t.Fatalf("a reuse of another number is not the same purchase: %+v", got)
	}
}
