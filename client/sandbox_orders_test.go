package client_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// Integration test of an order's lifecycle end to end against the sandbox (helpers in
// sandbox_helpers_test.go).

func TestIntegrationOrderLifecycle(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "100000.00"})
	ctx := itCtx(t)
	all := e.allRows(t, ctx)

	// A cheap SMM service whose rate has 4 places, so that charges need rounding.
	smm := pick(t, all, "a cheap SMM service", func(s client.Service) bool {
		return !s.IsProduct() && !s.IsCustomComments() && s.Rate.Scale() == 4 && s.Min <= 100 && s.Max >= 5000 && s.Stock >= 100_000
	})
	cc := pick(t, all, "a Custom Comments service", func(s client.Service) bool {
		return s.IsCustomComments() && s.Min <= 5 && s.Max >= 6 && s.Stock >= 100
	})
	var spill client.Service // a product whose primary subproduct cannot fill its max
	for _, s := range all {
		if !s.IsProduct() || !s.AutoDelivery || s.Stock == 0 {
			continue
		}
		inv, err := e.c.Inventory(ctx, s.Service)
		if err != nil {
			t.Fatal(err)
		}
		sp := inv.Subproducts
		if len(sp) >= 2 && sp[0].Stock > 0 && sp[0].Stock < s.Max && sp[1].Stock > 0 && !sp[0].Rate.Equal(sp[1].Rate.Decimal) {
			spill = s
			break
		}
	}
	if spill.Service == 0 {
		t.Fatal("no product spills over to a second subproduct")
	}
	prod := pick(t, all, "an automatic product", func(s client.Service) bool {
		return s.IsProduct() && s.AutoDelivery && s.Service != spill.Service && s.Max >= 10 && s.Stock >= 30
	})

	comments := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "Great post #%d 👍\n", i+1)
		}
		return b.String()
	}
	type plan struct {
		svc      client.Service
		qty      int64 // 0: the spill product's primary stock + 1
		link     string
		comments string
	}
	plans := []plan{
		{smm, 1000, "https://instagram.com/p/1", ""}, // 1
		{spill, 0, "", ""},                           // 2: spills over
		{cc, 5, "https://instagram.com/p/3", comments(5)},
		{prod, 3, "", ""},
		{smm, 2000, "https://instagram.com/p/5", ""}, // 5: Canceled
		{smm, 101, "https://instagram.com/p/6", ""},
		{smm, 202, "https://instagram.com/p/7", ""},
		{smm, 303, "https://instagram.com/p/8", ""},
		{smm, 404, "https://instagram.com/p/9", ""},
		{smm, 777, "https://instagram.com/p/10", ""}, // 10: Partial
		{cc, 6, "https://instagram.com/p/11", comments(6)},
		{smm, 150, "https://instagram.com/p/12", ""},
		{smm, 1234, "https://instagram.com/p/13", ""},
		{smm, 999, "https://instagram.com/p/14", ""},
		{prod, 2, "", ""}, // 15: Canceled
		{smm, 111, "https://instagram.com/p/16", ""},
		{smm, 222, "https://instagram.com/p/17", ""},
		{smm, 333, "https://instagram.com/p/18", ""},
		{prod, 4, "buyer@example.com", ""}, // a product with a delivery e-mail
		{prod, 9, "", ""},                  // 20: Partial
	}
	type placed struct {
		plan
		id      int64
		initial decimal.Decimal
		units   []decimal.Decimal // products: unit prices in fill order
	}
	start := e.balance(t, ctx)
	bal := start
	smmStock := smm.Stock
	var orders []placed
	for i, p := range plans {
		o := placed{plan: p}
		if p.svc.IsProduct() {
			inv, err := e.c.Inventory(ctx, p.svc.Service)
			if err != nil {
				t.Fatal(err)
			}
			if o.qty == 0 {
				o.qty = inv.Subproducts[0].Stock + 1
			}
			o.units = fillUnits(t, inv, o.qty)
			o.initial = sum(o.units)
			if est, _ := p.svc.EstimateCost(o.qty); p.svc.Service != spill.Service && !est.Equal(o.initial) {
				t.Fatalf("EstimateCost %s, charge %s", est, o.initial)
			}
		} else {
			o.initial = smmCharge(p.svc.Rate, o.qty)
			if est, _ := p.svc.EstimateCost(o.qty); !est.Round(4).Equal(o.initial) {
				t.Fatalf("EstimateCost %s, charge %s", est, o.initial)
			}
		}
		res, err := e.c.Add(ctx, client.AddRequest{Service: p.svc.Service, Quantity: o.qty, Link: p.link, Comments: p.comments})
		if err != nil {
			t.Fatalf("order %d: %v", i+1, err)
		}
		o.id = res.Order
		if i > 0 && o.id <= orders[i-1].id {
			t.Fatalf("order ids %d then %d", orders[i-1].id, o.id)
		}
		st, err := e.c.Status(ctx, o.id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != client.StatusPending || st.Status.Terminal() || st.Remains != o.qty || st.Currency != "USD" ||
			st.EntityType != p.svc.EntityType || st.Charge.Scale() != 4 || len(st.Accounts) != 0 {
			t.Fatalf("order %d just placed: %+v", i+1, st)
		}
		sameDecimal(t, fmt.Sprintf("order %d charge", i+1), st.Charge.Decimal, o.initial)
		bal = bal.Sub(o.initial)
		sameDecimal(t, fmt.Sprintf("balance after order %d", i+1), e.balance(t, ctx), bal)
		if p.svc.Service == smm.Service {
			smmStock -= o.qty
		}
		orders = append(orders, o)
	}
	if spill := orders[1]; len(spill.units) < 2 || spill.units[0].Equal(spill.units[len(spill.units)-1]) {
		t.Fatalf("the spill order did not spill: %v", spill.units)
	}

	// Three seconds in: automatic orders run, Canceled ones are still Pending.
	e.clk.Advance(3 * time.Second)
	for i, o := range orders {
		st, err := e.c.Status(ctx, o.id)
		if err != nil {
			t.Fatal(err)
		}
		want := client.StatusInProgress
		if (i+1)%10 == 5 {
			want = client.StatusPending
		}
		var wantAccounts int64 // products deliver their accounts one by one
		if o.svc.IsProduct() {
			wantAccounts = o.qty - st.Remains
		}
		if st.Status != want || st.Remains < 0 || st.Remains > o.qty || int64(len(st.Accounts)) != wantAccounts {
			t.Fatalf("order %d at 3s: %+v", i+1, st)
		}
		sameDecimal(t, "charge while running", st.Charge.Decimal, o.initial)
	}
	sameDecimal(t, "balance while running", e.balance(t, ctx), bal)

	// Two minutes in, everything has ended and the refunds are credited.
	e.clk.Advance(2 * time.Minute)
	final := start
	accounts := map[string]bool{}
	for i, o := range orders {
		st, err := e.c.Status(ctx, o.id)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Status.Terminal() || st.Charge.Scale() != 4 {
			t.Fatalf("order %d: %+v", i+1, st)
		}
		var want decimal.Decimal
		delivered := o.qty - st.Remains
		switch (i + 1) % 10 {
		case 5:
			if st.Status != client.StatusCanceled || st.Remains != o.qty || len(st.Accounts) != 0 {
				t.Fatalf("order %d: %+v, want Canceled", i+1, st)
			}
		case 0:
			if st.Status != client.StatusPartial || delivered <= 0 || delivered >= o.qty {
				t.Fatalf("order %d: %+v, want Partial", i+1, st)
			}
			if o.svc.IsProduct() {
				want = sum(o.units[:delivered])
			} else {
				want = smmCharge(o.svc.Rate, delivered)
			}
			if !want.LessThan(o.initial) {
				t.Fatalf("order %d: no refund", i+1)
			}
		default:
			if st.Status != client.StatusCompleted || st.Remains != 0 {
				t.Fatalf("order %d: %+v, want Completed", i+1, st)
			}
			want = o.initial
		}
		sameDecimal(t, fmt.Sprintf("order %d final charge (%s)", i+1, st.Status), st.Charge.Decimal, want)
		final = final.Sub(want)
		if o.svc.IsProduct() {
			if int64(len(st.Accounts)) != delivered || st.EntityType != client.EntityProduct {
				t.Fatalf("order %d: %d accounts for %d delivered", i+1, len(st.Accounts), delivered)
			}
			for _, a := range st.Accounts {
				if !strings.Contains(a, ":") || accounts[a] {
					t.Fatalf("account %q malformed or delivered twice", a)
				}
				accounts[a] = true
			}
		} else if len(st.Accounts) != 0 || st.StartCount < 0 {
			t.Fatalf("SMM order %d: %+v", i+1, st)
		}
	}
	if len(accounts) == 0 {
		t.Fatal("no product account was delivered")
	}
	sameDecimal(t, "final balance", e.balance(t, ctx), final)
	sameDecimal(t, "final balance at the sandbox", e.sandboxBalance(t), final)

	// Stock is taken by orders and not given back by refunds.
	inv, err := e.c.Inventory(ctx, smm.Service)
	if err != nil || inv.Stock != smmStock {
		t.Fatalf("SMM stock %v %+v, want %d", err, inv, smmStock)
	}
	if st := e.srv.Stats(); st.OrdersPlaced != len(orders) || st.Requests["add"] != len(orders) {
		t.Fatalf("sandbox stats %+v", st)
	}
}
