package account

import (
	"context"
	"strings"
	"testing"

	"github.com/hstockplus/hstockplus/client"
)

// TestCheckOrderNowSettlesUnconfirmed: "Check now" on an order whose journal entry is unconfirmed
// settles it as placed, stores the status and the accounts, and announces them once; the
// status that came with a delivery is said by the delivery's one notification.
func TestCheckOrderNowSettlesUnconfirmed(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	st := memStore(t, clk)
	const secret = "buyer@mail.test:Pa55-w0rd-XYZ"
	api := &fakeAPI{status: func(id int64) (*client.OrderStatus, error) {
		return &client.OrderStatus{Status: client.StatusCompleted, Charge: dec("2.5000"), Currency: "USD", AutoDelivery: true,
			Accounts: []string{secret}}, nil
	}}
	svc := newService(t, st, api, clk, nil)
	w := &fakeWatcher{}
	svc.Attach(w)
	log := &alertLog{}
	svc.Subscribe(NewAlerts(AlertParams{Settings: svc.Settings, Notifier: log, Copier: log, Clock: clk}).Handle)
	rec := record(svc)

	sp, err := st.BeginAdd(client.AddRequest{Service: 3, Quantity: 1}, "Mail accounts", dec("2.50"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MarkUnconfirmed(sp.ID, "lost", 777); err != nil {
		t.Fatal(err)
	}
	if o, _ := st.Order(777); !o.Unconfirmed {
		t.Fatalf("setup: order %+v not unconfirmed", o)
	}

	got, err := svc.CheckOrderNow(ctx, 777)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Confirmed || got.Status != "Completed" || got.New != 1 {
		t.Fatalf("CheckOrderNow = %+v, want confirmed, Completed, 1 new", got)
	}
	if s := spendState(t, st, sp.ID); s.State != SpendPlaced || len(s.Orders) != 1 || s.Orders[0] != 777 {
		t.Fatalf("journal = %+v, want placed as order 777", s)
	}
	o, _ := st.Order(777)
	if o.Unconfirmed || o.Status != client.StatusCompleted || !o.Terminal || o.Delivered != 1 {
		t.Fatalf("order = %+v", o)
	}
	if ds, _ := st.Deliveries(777); len(ds) != 1 || ds[0].Value != secret {
		t.Fatalf("vault = %v", ds)
	}
	js := rec.of(KindJournal)
	if len(js) != 1 || js[0].Spend.State != SpendPlaced || js[0].OrderRec == nil || js[0].OrderRec.ID != 777 {
		t.Fatalf("journal events = %v", js)
	}
	sc, dl := rec.of(KindStatusChanged), rec.of(KindDelivered)
	if len(sc) != 1 || sc[0].Status != "Completed" || !sc[0].Terminal || sc[0].OrderRec == nil || sc[0].Label != "Mail accounts" {
		t.Fatalf("status events = %v", sc)
	}
	if len(dl) != 1 || dl[0].Count != 1 || dl[0].Status != "Completed" || len(dl[0].Deliveries) != 1 || dl[0].Deliveries[0].Value != secret {
		t.Fatalf("delivery events = %v", dl)
	}
	notes := log.with("notify:")
	if len(notes) != 1 || !strings.Contains(notes[0], "delivered") || !strings.Contains(notes[0], "Completed") {
		t.Fatalf("notifications = %q, want one saying the delivery and the status", notes)
	}
	if strings.Contains(notes[0], "Pa55") || strings.Contains(notes[0], "buyer@") {
		t.Fatalf("notification shows the credentials: %q", notes[0])
	}
	if c := log.with("copy:"); len(c) != 0 {
		t.Fatalf("credentials copied without AutoCopyCredentials: %d", len(c))
	}
	if k, _ := w.counts(); k < 1 {
		t.Fatal("poller not kicked")
	}

	// Again: nothing new, nothing settled, nothing announced.
	n := len(rec.all())
	got, err = svc.CheckOrderNow(ctx, 777)
	if err != nil || got.Confirmed || got.New != 0 || got.Status != "Completed" {
		t.Fatalf("second CheckOrderNow = %+v, %v", got, err)
	}
	if extra := rec.all()[n:]; len(extra) != 0 {
		t.Fatalf("second check announced %v", extra)
	}
	if api.n("status") != 2 {
		t.Fatalf("status asked %d times", api.n("status"))
	}
}

// TestCheckOrderNowUnknownOrder: an order the store does not have is not asked about.
func TestCheckOrderNowUnknownOrder(t *testing.T) {
	clk := newFakeClock()
	st := memStore(t, clk)
	api := &fakeAPI{}
	svc := newService(t, st, api, clk, nil)
	if _, err := svc.CheckOrderNow(context.Background(), 5); err == nil {
		t.Fatal("no error for an order the store does not know")
	}
	if api.n("status") != 0 {
		t.Fatal("asked the API about an unknown order")
	}
}

// TestCheckNumberNowCodeFromStatus: a code that only sms_status carries is stored, the number
// closed, and the code announced once.
func TestCheckNumberNowCodeFromStatus(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	st := memStore(t, clk)
	api := &fakeAPI{
		addSMS: func(client.AddSMSRequest) ([]client.SMSOrder, error) {
			return []client.SMSOrder{{Order: 11, Phone: "+15551234", Status: "active"}}, nil
		},
		smsCode: func(int64) (*client.SMSCode, error) { return &client.SMSCode{Status: "waiting"}, nil },
		smsStatus: func(int64) (*client.SMSStatus, error) {
			return &client.SMSStatus{Status: "code_received", Phone: "+15551234", Code: "864201", Charge: dec("0.20"),
				ExpiresAt: clk.Now().Add(DefaultSMSLifetime)}, nil
		},
	}
	svc := newService(t, st, api, clk, nil)
	rec := record(svc)
	if r, err := svc.RentNumbers(ctx, client.AddSMSRequest{ProjectID: "p"}, "Proj", dec("0.20")); r.Outcome != Placed {
		t.Fatal(r.Outcome, err)
	}
	for range 2 {
		if err := svc.CheckNumberNow(ctx, 11); err != nil {
			t.Fatal(err)
		}
	}
	codes := rec.of(KindCodeReceived)
	if len(codes) != 1 || len(codes[0].Deliveries) != 1 || codes[0].Deliveries[0].Value != "864201" {
		t.Fatalf("code events = %v", codes)
	}
	if sms := rec.of(KindSMSStatus); len(sms) != 1 || sms[0].Status != "code_received" {
		t.Fatalf("status events = %v", sms)
	}
	if n, _ := st.SMSNumber(11); !n.Closed || n.Codes != 1 {
		t.Fatalf("number = %+v", n)
	}
}
