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
