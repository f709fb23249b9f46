package gui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// smmRows are SMM Default services of the catalog with a known price and stock.
func smmRows(u *UI) []client.Service {
	var out []client.Service
	for _, s := range u.catalog.index.rows {
		if !s.IsProduct() && !s.IsCustomComments() && s.PriceKnown() && s.Stock >= 10*max(s.Min, 1) {
			out = append(out, s)
		}
	}
	return out
}

func massRowsText(m *massDialog) string {
	var b strings.Builder
	for _, r := range m.rows {
		fmt.Fprintf(&b, "%d | %s | %s\n", r.n, r.what, r.status)
	}
	return b.String()
}

// Three lines pasted, one invalid: the table says what is wrong with it, the summary gives the
// exact total of the two others against the balance; one confirmation sends the two, and the
// table shows their order numbers.
func TestMassOrderDialogPasteConfirmResults(t *testing.T) {
	u, _, env := newSandboxUI(t, false)
	u.catalog.load(context.Background())
	if u.catalog.index == nil {
		t.Fatal("no catalog")
	}
	if _, err := env.Svc.RefreshBalance(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows := smmRows(u)
	a, b := rows[0], rows[1]
	text := fmt.Sprintf("%d | https://instagram.com/p/one | %d\n\n%d | https://instagram.com/p/two | %d\n%d | https://instagram.com/p/three | %d\n",
		a.Service, a.Min, b.Service, b.Min, a.Service, a.Max+1)
	m := u.newMassDialog(false)
	m.showEditor()
	m.entry.SetText(text)

	costA, _ := a.EstimateCost(a.Min)
	costB, _ := b.EstimateCost(b.Min)
	total := client.NewDecimal(costA.Add(costB.Decimal))
	if r := m.rows[2]; len(m.rows) != 3 || r.n != 4 || !r.bad || !strings.Contains(r.what, "https://instagram.com/p/three") ||
		r.status != "The quantity must be between "+groupDigits(a.Min)+" and "+groupDigits(a.Max) {
		t.Fatalf("rows:\n%s", massRowsText(m))
	}
	if r := m.rows[0]; r.bad || r.status != money(costA)+" USD" || !strings.Contains(r.what, a.Name) {
		t.Fatalf("rows:\n%s", massRowsText(m))
	}
	sum := m.summary.Text
	if !strings.Contains(sum, "Orders to place: 2. Estimated total: "+money(total)+" USD.") ||
		!strings.Contains(sum, "Lines with errors, left out: 1.") || !strings.Contains(sum, "Your balance: 100.00 USD.") {
		t.Fatalf("summary = %q", sum)
	}
	if m.place.Disabled() {
		t.Fatal("Place is disabled")
	}

	test.Tap(m.place)
	if ov := overlayText(u.win); !strings.Contains(ov, "2 orders will be sent, one after another, for an estimated "+money(total)+" USD in all.") {
		t.Fatalf("confirmation = %q", ov)
	}
	test.Tap(buttonOnScreen(t, u.win, "Place the orders"))

	got := massRowsText(m)
	if len(m.rows) != 2 || !strings.Contains(m.rows[0].status, "Placed: order #") || !strings.Contains(m.rows[1].status, "Placed: order #") {
		t.Fatalf("results:\n%s", got)
	}
	if !strings.Contains(m.summary.Text, "Placed: 2. Not placed: 0. Unconfirmed: 0.") || m.progress.Value != 2 {
		t.Fatalf("summary = %q, progress %v", m.summary.Text, m.progress.Value)
	}
	if j, err := env.Svc.OrdersJournal(); err != nil || len(j.Orders) != 2 {
		t.Fatalf("%d orders stored, %v", len(j.Orders), err)
	}
}

// A line whose answer is lost is said to be unconfirmed, and another refused with the server's
// words; the others are placed all the same.
func TestMassOrderDialogOutcomes(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	api := newLoopbackClient(t, srv)
	u, _ := newTestUI(t, api, false)
	u.catalog.load(context.Background())
	rows := smmRows(u)
	m := u.newMassDialog(false)
	m.showEditor()
	var lines []string
	for i := 0; i < 3; i++ {
		lines = append(lines, fmt.Sprintf("%d | https://x.com/p/%d | %d", rows[i].Service, i, rows[i].Min))
	}
	m.entry.SetText(strings.Join(lines, "\n"))
	srv.SetFaults(sandbox.Faults{DropAfterCommit: 1})
	test.Tap(m.place)
	test.Tap(buttonOnScreen(t, u.win, "Place the orders"))
	srv.SetFaults(sandbox.Faults{})
	for _, r := range m.rows {
		if !strings.HasPrefix(r.status, "Unconfirmed") {
			t.Fatalf("results:\n%s", massRowsText(m))
		}
	}
	if !strings.Contains(m.summary.Text, "Unconfirmed: 3.") || !strings.Contains(m.summary.Text, "settle it in the Orders tab") {
		t.Fatalf("summary = %q", m.summary.Text)
	}
}

// A batch left with unsent lines is offered at start; Review shows it, and sending sends only
// those never sent.
func TestMassOrderInterruptedOfferedAtStart(t *testing.T) {
	u, _, env := newSandboxUI(t, false)
	u.catalog.load(context.Background())
	rows := smmRows(u)
	var lines []string
	for i := 0; i < 4; i++ {
		lines = append(lines, fmt.Sprintf("%d | https://x.com/q/%d | %d", rows[i].Service, i, rows[i].Min))
	}
	lookup := func(n int64) (client.Service, bool) {
		for _, s := range rows {
			if s.Service == n {
				return s, true
			}
		}
		return client.Service{}, false
	}
	b, err := env.Svc.StartBatch(account.ValidateMass(account.ParseMassText(strings.Join(lines, "\n")), lookup))
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	if _, err := env.Svc.RunBatch(context.Background(), b.ID, stop, func(r account.LineResult) {
		if !r.Sending && r.Index == 0 {
			close(stop)
		}
	}); err == nil {
		t.Fatal("not stopped")
	}

	u2 := newUIOn(t, env, false) // a restart
	u2.offerInterrupted()
	if ov := overlayText(u2.win); !strings.Contains(ov, "Mass order interrupted: 3 lines not sent.") {
		t.Fatalf("offer = %q", ov)
	}
	test.Tap(buttonOnScreen(t, u2.win, "Review"))
	if ov := overlayText(u2.win); !strings.Contains(ov, "Placed: order #") || !strings.Contains(ov, "Not sent") {
		t.Fatalf("review = %q", ov)
	}
	test.Tap(buttonOnScreen(t, u2.win, "Send the lines not sent…"))
	test.Tap(buttonOnScreen(t, u2.win, "Place the orders"))
	placed := 0
	j, err := env.Svc.OrdersJournal()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range j.Orders {
		if strings.HasPrefix(o.Link, "https://x.com/q/") {
			placed++
		}
	}
	if placed != 4 {
		t.Fatalf("%d orders in all, want 4 (one per line)", placed)
	}
	if views, _ := env.Svc.InterruptedBatches(); len(views) != 0 {
		t.Fatalf("still offered: %+v", views)
	}
}
