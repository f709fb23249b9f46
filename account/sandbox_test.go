package account

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// sandboxEnv is the simulated server on loopback, on the test's clock, with a real client.
type sandboxEnv struct {
	sb      *sandbox.Server
	api     *client.Client
	project client.SMSProject
}

// listenSandbox serves sb on loopback until the test ends.
func listenSandbox(t *testing.T, sb *sandbox.Server) *sandbox.Running {
	t.Helper()
	rn, err := sandbox.Listen("127.0.0.1:0", sb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rn.Close(ctx)
	})
	return rn
}

func newSandbox(t *testing.T, clk *fakeClock, balance string) *sandboxEnv {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Now: clk.Now, Balance: balance, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	rn := listenSandbox(t, sb)
	api, err := client.New(client.WithEndpoint(rn.URL), client.WithAPIKey(rn.Key),
		client.WithRateLimit(0, 0), client.WithRetry(4, time.Millisecond, 2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := api.SMSProjects(context.Background(), "us")
	if err != nil || len(ps) == 0 {
		t.Fatalf("no SMS project: %v", err)
	}
	return &sandboxEnv{sb: sb, api: api, project: ps[0]}
}

// TestSandboxCodeIsAnnouncedOnce: a code that "Check now" finds is in the vault before anybody is
// told, is announced (copied, notified) exactly once, and neither a second check nor a restart's
// replay announces it again.
func TestSandboxCodeIsAnnouncedOnce(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	env := newSandbox(t, clk, "")
	st := memStore(t, clk)
	svc := newService(t, st, env.api, clk, nil)
	log := &alertLog{}
	alerts := NewAlerts(AlertParams{Settings: svc.Settings, Notifier: log, Copier: log, Clock: clk})
	svc.Subscribe(alerts.Handle)
	rec := record(svc)

	rented, err := svc.RentNumbers(ctx, client.AddSMSRequest{ProjectID: env.project.ProjectID, Quantity: 1}, env.project.Name, env.project.Price)
	out, nums := rented.Outcome, rented.Numbers
	if err != nil || out != Placed || len(nums) != 1 {
		t.Fatalf("RentNumbers = %v, %v, %v", out, nums, err)
	}
	id := nums[0].Order

	// Before the code: nothing to announce, the number stays open.
	if err := svc.CheckNumberNow(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.of(KindCodeReceived)); n != 0 {
		t.Fatalf("%d code events before any code", n)
	}
	if n, _ := st.SMSNumber(id); n.Closed || n.ExpiresAt.IsZero() {
		t.Fatalf("number after the first look = %+v, want open with its expiry", n)
	}

	clk.Advance(sandbox.SMSCodeMax + time.Second)
	var inVault []Delivery
	svc.Subscribe(func(ev Event) {
		if ev.Kind == KindCodeReceived {
			inVault, _ = st.Deliveries(id) // what the vault holds when the listeners are told
		}
	})
	if err := svc.CheckNumberNow(ctx, id); err != nil {
		t.Fatal(err)
	}
	truth, err := env.api.SMSCode(ctx, id)
	if err != nil || !truth.Received() {
		t.Fatalf("sandbox code: %+v, %v", truth, err)
	}
	codes := rec.of(KindCodeReceived)
	if len(codes) != 1 {
		t.Fatalf("code events = %v, want one", codes)
	}
	ev := codes[0]
	if ev.Order != id || ev.Replayed || len(ev.Deliveries) != 1 || ev.Deliveries[0].Value != truth.Code ||
		ev.NumberRec == nil || ev.Phone != nums[0].Phone {
		t.Fatalf("code event = %v (deliveries %d)", ev, len(ev.Deliveries))
	}
	if len(inVault) != 1 || inVault[0].Value != truth.Code {
		t.Fatalf("vault when announced = %v", inVault)
	}
	if n, _ := st.SMSNumber(id); !n.Closed || n.Codes != 1 {
		t.Fatalf("number after its code = %+v, want closed with 1 code", n)
	}
	if got := log.with("copy:"); !slices.Equal(got, []string{truth.Code}) {
		t.Fatalf("copied %q, want the code once", got)
	}
	if got := log.with("notify:"); len(got) != 1 {
		t.Fatalf("notified %q, want once", got)
	}

	// Asked again: the same code is already in the vault, nothing is announced.
	storedBefore := len(rec.stored())
	if err := svc.CheckNumberNow(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.stored()); n != storedBefore {
		t.Fatalf("second check announced %v", rec.stored()[storedBefore:])
	}
	if pend, err := st.PendingEvents(); err != nil || len(pend) != 0 {
		t.Fatalf("pending events = %v, %v", pend, err)
	}

	// A restart on the same store replays nothing: the event was claimed.
	svc2 := newService(t, st, env.api, clk, nil)
	log2 := &alertLog{}
	svc2.Subscribe(NewAlerts(AlertParams{Settings: svc2.Settings, Notifier: log2, Copier: log2, Clock: clk}).Handle)
	rec2 := record(svc2)
	if err := svc2.ReplayPending(); err != nil {
		t.Fatal(err)
	}
	if n := len(rec2.all()); n != 0 || len(log2.all()) != 0 {
		t.Fatalf("replay after restart announced %v, alerted %q", rec2.all(), log2.all())
	}
	if len(log.with("copy:")) != 1 || len(log.with("notify:")) != 1 {
		t.Fatalf("alerts after all: %q", log.all())
	}
}

// TestSandboxSpendOutcomes: the real client's errors drive the journal: a refusal is not placed,
// an answer dropped after the server committed is unconfirmed and never sent again.
func TestSandboxSpendOutcomes(t *testing.T) {
	ctx := context.Background()
	t.Run("insufficient balance", func(t *testing.T) {
		clk := newFakeClock()
		env := newSandbox(t, clk, "0.00")
		st := memStore(t, clk)
		svc := newService(t, st, env.api, clk, nil)
		rented, err := svc.RentNumbers(ctx, client.AddSMSRequest{ProjectID: env.project.ProjectID}, "x", env.project.Price)
		out, nums := rented.Outcome, rented.Numbers
		if out != NotPlaced || len(nums) != 0 || !errors.Is(err, client.ErrInsufficientBalance) || !errors.Is(err, client.ErrNotSent) {
			t.Fatalf("RentNumbers = %v, %v, %v; want NotPlaced, insufficient balance", out, nums, err)
		}
		all, _ := st.Spends()
		if len(all) != 1 || all[0].State != SpendFailed {
			t.Fatalf("journal = %+v", all)
		}
		if s := env.sb.Stats(); s.SMSPlaced != 0 || s.Requests["add_sms"] != 1 {
			t.Fatalf("server stats = %+v", s)
		}
	})
	t.Run("dropped after commit", func(t *testing.T) {
		clk := newFakeClock()
		env := newSandbox(t, clk, "")
		st := memStore(t, clk)
		svc := newService(t, st, env.api, clk, nil)
		w := &fakeWatcher{}
		svc.Attach(w)
		env.sb.SetFaults(sandbox.Faults{DropAfterCommit: 1})
		rented, err := svc.RentNumbers(ctx, client.AddSMSRequest{ProjectID: env.project.ProjectID}, "x", env.project.Price)
		out, nums := rented.Outcome, rented.Numbers
		env.sb.SetFaults(sandbox.Faults{})
		if out != Unconfirmed || len(nums) != 0 || !errors.Is(err, client.ErrOutcomeUnknown) {
			t.Fatalf("RentNumbers = %v, %v, %v; want Unconfirmed", out, nums, err)
		}
		if s := env.sb.Stats(); s.SMSPlaced != 1 || s.Requests["add_sms"] != 1 {
			t.Fatalf("server stats = %+v: want one request, one number bought", s)
		}
		all, _ := st.Spends()
		if len(all) != 1 || all[0].State != SpendUnconfirmed {
			t.Fatalf("journal = %+v", all)
		}
		n, err := svc.Numbers()
		if err != nil || len(n.Pending) != 1 || n.Pending[0].ID != all[0].ID {
			t.Fatalf("Numbers().Pending = %+v, %v; want the unconfirmed purchase", n.Pending, err)
		}
		if k, _ := w.counts(); k != 1 {
			t.Fatalf("kicks = %d", k)
		}
	})
}
