package cache

import (
	"fmt"
	"strings"
	"testing"
)

func TestVaultDedupAndEvents(t *testing.T) {
	s := memStore(t)
	added, ev, err := s.AddDeliveries(7, DeliveryAccount, "a:1", "b:2", "a:1", "", "  ")
	if err != nil || len(added) != 2 || ev == nil || ev.Count != 2 || ev.FirstSeq != 1 {
		t.Fatalf("%+v %+v %v", added, ev, err)
	}
	added, ev, err = s.AddDeliveries(7, DeliveryAccount, "b:2", "a:1")
	if err != nil || len(added) != 0 || ev != nil {
		t.Fatalf("nothing new expected: %+v %+v %v", added, ev, err)
	}
	added, ev, err = s.AddDeliveries(7, DeliveryAccount, "c:3", "b:2")
	if err != nil || len(added) != 1 || added[0].Seq != 3 || ev.FirstSeq != 3 {
		t.Fatalf("%+v %+v %v", added, ev, err)
	}
	// The same value for another order or kind is another delivery.
	if added, _, _ := s.AddDeliveries(8, DeliveryAccount, "a:1"); len(added) != 1 {
		t.Fatal("dedup crossed orders")
	}
	if added, _, _ := s.AddDeliveries(7, DeliverySMSCode, "a:1"); len(added) != 1 || added[0].Seq != 1 {
		t.Fatal("dedup crossed kinds")
	}
	ds, err := s.Deliveries(7)
	if err != nil || len(ds) != 4 {
		t.Fatalf("%+v %v", ds, err)
	}
	var vals []string
	for _, d := range ds {
		vals = append(vals, fmt.Sprintf("%s/%d/%s", d.Kind, d.Seq, d.Value))
	}
	if got := strings.Join(vals, " "); got != "account/1/a:1 account/2/b:2 account/3/c:3 sms code/1/a:1" {
		t.Fatalf("%s", got)
	}

	pending, err := s.PendingEvents()
	if err != nil || len(pending) != 4 {
		t.Fatalf("pending %+v %v", pending, err)
	}
	if err := s.MarkNotified(pending[0].ID, pending[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkNotified(pending[0].ID); err != nil {
		t.Fatal("marking twice:", err)
	}
	left, _ := s.PendingEvents()
	if len(left) != 2 || left[0].ID != pending[2].ID {
		t.Fatalf("left %+v", left)
	}
	recent, err := s.RecentEvents(2)
	if err != nil || len(recent) != 2 || recent[0].ID != pending[3].ID || recent[1].Notified {
		t.Fatalf("recent %+v %v", recent, err)
	}
	if all, _ := s.RecentEvents(0); len(all) != 4 || !all[3].Notified {
		t.Fatalf("all %+v", all)
	}

	// Caller-keyed events are recorded once.
	e1, created, err := s.RecordEvent(Event{Kind: "balance_low", Key: "low-balance-2025-05", Text: "Balance under 5.00"})
	if err != nil || !created || e1.ID == 0 {
		t.Fatalf("%+v %v %v", e1, created, err)
	}
	e2, created, err := s.RecordEvent(Event{Kind: "balance_low", Key: "low-balance-2025-05"})
	if err != nil || created || e2.ID != e1.ID || e2.Text != e1.Text {
		t.Fatalf("%+v %v %v", e2, created, err)
	}
	if err := s.MarkNotified(99999); err == nil {
		t.Fatal("marking a missing event succeeded")
	}
}

func TestDeliveryNeverPrintsItsSecret(t *testing.T) {
	d := Delivery{Order: 1, Kind: DeliveryAccount, Seq: 1, Value: "alice:s3cret-pass", Content: "code s3cret"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, d); strings.Contains(out, "s3cret") {
			t.Errorf("%s prints the secret: %s", f, out)
		}
	}
	if out := fmt.Sprintf("%v", []Delivery{d}); strings.Contains(out, "s3cret") {
		t.Errorf("a slice prints the secret: %s", out)
	}
}

func TestEventsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	_, ev1, err := s.AddDeliveries(1, DeliveryAccount, "x:1")
	if err != nil {
		t.Fatal(err)
	}
	_, ev2, _ := s.AddDeliveries(2, DeliveryAccount, "y:1")
	if err := s.MarkNotified(ev1.ID); err != nil {
		t.Fatal(err)
	}
	// (TestCrashSafety kills a writer with SIGKILL; this is the plain restart.)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = diskStore(t, dir, key)
	defer s.Close()
	p, err := s.PendingEvents()
	if err != nil || len(p) != 1 || p[0].ID != ev2.ID || p[0].Order != 2 {
		t.Fatalf("pending after restart: %+v %v", p, err)
	}
	// Events keep counting after a restart.
	_, ev3, _ := s.AddDeliveries(3, DeliveryAccount, "z:1")
	if ev3.ID <= ev2.ID {
		t.Fatalf("event id %d after %d", ev3.ID, ev2.ID)
	}
}
