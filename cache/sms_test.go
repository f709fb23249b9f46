package cache

import (
	"errors"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

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
