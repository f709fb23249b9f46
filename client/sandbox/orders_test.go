package sandbox

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// smmRow finds an in-stock SMM service of type Default with the given rate
// precision (2 or 4 places).
func smmRow(t testing.TB, s *Server, places int) *row {
	return findRow(t, s, func(r *row) bool {
		if r.kind != entitySMM || r.typ != "Default" || s.stock[r.slot].Load() < int64(r.max) {
			return false
		}
		return (r.rate%100 == 0) == (places == 2)
	})
}

func placeOrder(t testing.TB, s *Server, svc *row, qty int) int {
	t.Helper()
	m := obj(t, s, "action", "add", "service", itoa(svc.number), "quantity", itoa(qty), "link", "https://instagram.com/p/abc")
	return num(t, m["order"])
}

func getStatus(t testing.TB, s *Server, id int) map[string]any {
	t.Helper()
	return obj(t, s, "action", "status", "order", itoa(id))
}

func TestOrderLifecycleSMM(t *testing.T) {
	s, clk := newServer(t, Options{})
	svc := smmRow(t, s, 2)
	qty := svc.min * 10
	id := placeOrder(t, s, svc, qty)
	if id != firstOrderID {
		t.Fatalf("first order id %d", id)
	}
	want := units(svc.rate).Mul(decimal.NewFromInt(int64(qty))).Div(decimal.NewFromInt(1000)).Round(4)

	st := getStatus(t, s, id)
	if st["status"] != "Pending" || num(t, st["remains"]) != qty || num(t, st["start_count"]) != 0 ||
		st["currency"] != "USD" || st["entityType"] != "smm" || st["autoDelivery"] != true {
		t.Fatalf("pending: %v", st)
	}
	if st["charge"] != money4(want) {
		t.Fatalf("charge %v, want %s", st["charge"], money4(want))
	}
	if _, has := st["accounts"]; has {
		t.Fatal("smm order has accounts")
	}

	clk.Advance(AutoPending)
	st = getStatus(t, s, id)
	if st["status"] != "In progress" || num(t, st["remains"]) != qty {
		t.Fatalf("after pending: %v", st)
	}
	startCount := num(t, st["start_count"]) // the target's count before delivery
	prev := qty
	for range 20 {
		clk.Advance(500 * time.Millisecond)
		st = getStatus(t, s, id)
		r := num(t, st["remains"])
		if r > prev {
			t.Fatalf("remains grew from %d to %d", prev, r)
		}
		prev = r
		if num(t, st["start_count"]) != startCount {
			t.Fatal("start_count changed")
		}
		if st["status"] == "Completed" {
			break
		}
		if st["status"] != "In progress" {
			t.Fatalf("status %v", st["status"])
		}
	}
	if st["status"] != "Completed" || num(t, st["remains"]) != 0 || st["charge"] != money4(want) {
		t.Fatalf("not completed within %v: %v", AutoPending+AutoRunMax, st)
	}
	if s.BalanceString() != money24(decimal.RequireFromString("100").Sub(want)) {
		t.Fatalf("balance %s", s.BalanceString())
	}
}

func TestOrderSpeed(t *testing.T) {
	s, clk := newServer(t, Options{Speed: 10})
	id := placeOrder(t, s, smmRow(t, s, 2), 100)
	clk.Advance((AutoPending + AutoRunMax) / 10)
	if st := getStatus(t, s, id); st["status"] != "Completed" {
		t.Fatalf("speed 10: %v", st)
	}
}

// TestCanceledAndPartial places ten orders: the 5th ends Canceled with a full
// refund, the 10th Partial with the undelivered part refunded, each exactly
// once; the balance always equals the start minus what status reports as
// charged.
func TestCanceledAndPartial(t *testing.T) {
	start := decimal.RequireFromString("100.00")
	s, clk := newServer(t, Options{})
	svc := smmRow(t, s, 4)
	var ids []int
	paid := decimal.Zero
	for i := range 10 {
		qty := svc.min*3 + i*svc.min
		ids = append(ids, placeOrder(t, s, svc, qty))
		paid = paid.Add(smmCharge(units(svc.rate), qty))
	}
	if got := s.BalanceString(); got != money24(start.Sub(paid)) {
		t.Fatalf("balance after orders %s, want %s", got, money24(start.Sub(paid)))
	}

	clk.Advance(AutoPending + CancelAfter)
	c := getStatus(t, s, ids[4])
	if c["status"] != "Canceled" || c["charge"] != "0.0000" || num(t, c["remains"]) != svc.min*7 {
		t.Fatalf("5th order: %v", c)
	}
	clk.Advance(AutoRunMax)
	sum := decimal.Zero
	for i, id := range ids {
		st := getStatus(t, s, id)
		switch i {
		case 4:
			if st["status"] != "Canceled" {
				t.Fatalf("order %d: %v", i+1, st)
			}
		case 9:
			qty := svc.min*3 + i*svc.min
			rem := num(t, st["remains"])
			if st["status"] != "Partial" || rem <= 0 || rem >= qty {
				t.Fatalf("10th order: %v", st)
			}
			if want := smmCharge(units(svc.rate), qty-rem); dec(t, st["charge"]).Cmp(want) != 0 {
				t.Fatalf("partial charge %v, want %s", st["charge"], want)
			}
		default:
			if st["status"] != "Completed" {
				t.Fatalf("order %d: %v", i+1, st)
			}
		}
		sum = sum.Add(dec(t, st["charge"]))
	}
	want := money24(start.Sub(sum))
	for range 3 { // refunds are credited once, however often one looks
		if got := str(t, obj(t, s, "action", "balance")["balance"]); got != want {
			t.Fatalf("balance %s, want %s", got, want)
		}
		getStatus(t, s, ids[4])
		getStatus(t, s, ids[9])
		clk.Advance(time.Hour)
	}
}

// TestRefundWithoutPolling: refunds come due even if nobody asks for the
// order's status.
func TestRefundWithoutPolling(t *testing.T) {
	s, clk := newServer(t, Options{Balance: "10.00"})
	svc := smmRow(t, s, 2)
	var charge decimal.Decimal
	for i := range 5 {
		placeOrder(t, s, svc, svc.min)
		if i == 4 {
			charge = smmCharge(units(svc.rate), svc.min)
		}
	}
	before := decimal.RequireFromString(s.BalanceString())
	clk.Advance(time.Minute)
	after := decimal.RequireFromString(s.BalanceString())
	if !after.Sub(before).Equal(charge) {
		t.Fatalf("refund %s, want %s", after.Sub(before), charge)
	}
}

func TestBalanceArithmeticExact(t *testing.T) {
	s, clk := newServer(t, Options{Balance: "1000.00"})
	svc := smmRow(t, s, 4)
	const n = 400
	want := decimal.RequireFromString("1000.00")
	for i := range n {
		qty := svc.min + i*7
		if qty > svc.max {
			qty = svc.min
		}
		placeOrder(t, s, svc, qty)
		want = want.Sub(smmCharge(units(svc.rate), qty))
	}
	if got := s.BalanceString(); got != money24(want) {
		t.Fatalf("after %d orders balance %s, want %s", n, got, money24(want))
	}
	// After everything has finished: start − Σ final charges, exactly.
	clk.Advance(time.Minute)
	sum := decimal.Zero
	for id := firstOrderID; id < firstOrderID+n; id++ {
		sum = sum.Add(dec(t, getStatus(t, s, id)["charge"]))
	}
	if got, want := s.BalanceString(), money24(decimal.RequireFromString("1000").Sub(sum)); got != want {
		t.Fatalf("final balance %s, want %s", got, want)
	}
}

func TestBalanceFormatting(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"100", "100.00"}, {"100.5", "100.50"}, {"99.9925", "99.9925"}, {"0.0100", "0.01"}, {"0", "0.00"}, {"12.3400", "12.34"},
	} {
		if got := money24(decimal.RequireFromString(c.in)); got != c.want {
			t.Errorf("money24(%s) = %s, want %s", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		rate string
		qty  int
		want string
	}{
		{"0.50", 1000, "0.5000"}, {"0.0360", 150, "0.0054"}, {"0.0125", 10, "0.0001"}, {"0.0150", 10, "0.0002"}, // half up
		{"1.57", 333, "0.5228"}, {"2.54", 100000, "254.0000"},
	} {
		if got := money4(smmCharge(decimal.RequireFromString(c.rate), c.qty)); got != c.want {
			t.Errorf("smmCharge(%s, %d) = %s, want %s", c.rate, c.qty, got, c.want)
		}
	}
	s, _ := newServer(t, Options{})
	if got := str(t, obj(t, s, "action", "balance")["balance"]); got != "100.00" {
		t.Fatalf("initial balance %s", got)
	}
	// A 2-place product charge keeps 2 places; a 4-place SMM charge needs 4.
	p := findRow(t, s, func(r *row) bool { return r.kind == entityProduct && r.auto && s.stock[r.subs[0].slot].Load() >= 2 })
	obj(t, s, "action", "add", "service", itoa(p.number), "quantity", "2")
	want := decimal.RequireFromString("100").Sub(units(p.rate).Mul(decimal.NewFromInt(2)))
	if got := str(t, obj(t, s, "action", "balance")["balance"]); got != want.StringFixed(2) {
		t.Fatalf("balance %s, want %s", got, want.StringFixed(2))
	}
	svc := findRow(t, s, func(r *row) bool {
		return r.kind == entitySMM && r.typ == "Default" && s.stock[r.slot].Load() > 0 &&
			!smmCharge(units(r.rate), r.min).Equal(smmCharge(units(r.rate), r.min).Round(2))
	})
	placeOrder(t, s, svc, svc.min)
	got := str(t, obj(t, s, "action", "balance")["balance"])
	if !money4re.MatchString(got) || got != want.Sub(smmCharge(units(svc.rate), svc.min)).StringFixed(4) {
		t.Fatalf("balance after a 4-place charge %s", got)
	}
}

func TestProductOrderAccounts(t *testing.T) {
	s, clk := newServer(t, Options{})
	p := findRow(t, s, func(r *row) bool {
		return r.kind == entityProduct && r.auto && r.cred == credEmail && s.stock[r.subs[0].slot].Load() >= 20
	})
	stockBefore := s.stock[p.subs[0].slot].Load()
	rowStock0 := rowStock(p, s.slotStock)
	m := obj(t, s, "action", "add", "service", itoa(p.number), "quantity", "20")
	id := num(t, m["order"])
	if got := s.stock[p.subs[0].slot].Load(); got != stockBefore-20 {
		t.Fatalf("stock %d, want %d", got, stockBefore-20)
	}
	inv := obj(t, s, "action", "inventory", "service", itoa(p.number))
	if num(t, inv["stock"]) != int(rowStock0)-20 {
		t.Fatalf("inventory stock %v", inv["stock"])
	}
	st := getStatus(t, s, id)
	if st["status"] != "Pending" || st["entityType"] != "product" || num(t, st["remains"]) != 20 {
		t.Fatalf("pending product: %v", st)
	}
	if _, has := st["accounts"]; has {
		t.Fatal("accounts before delivery")
	}
	if num(t, st["start_count"]) != int(rowStock0) {
		t.Fatalf("product start_count %v, want the stock before the order %d", st["start_count"], rowStock0)
	}
	clk.Advance(AutoPending)
	var prev []string
	for range 30 {
		clk.Advance(400 * time.Millisecond)
		st = getStatus(t, s, id)
		var accts []string
		if a, ok := st["accounts"].([]any); ok {
			for _, x := range a {
				accts = append(accts, x.(string))
			}
		}
		if len(accts) < len(prev) {
			t.Fatal("accounts shrank")
		}
		for i := range prev {
			if accts[i] != prev[i] {
				t.Fatalf("account %d changed: %s -> %s", i, prev[i], accts[i])
			}
		}
		if num(t, st["remains"]) != 20-len(accts) {
			t.Fatalf("remains %v with %d accounts", st["remains"], len(accts))
		}
		prev = accts
		if st["status"] == "Completed" {
			break
		}
	}
	if st["status"] != "Completed" || len(prev) != 20 {
		t.Fatalf("final: %v", st)
	}
	seen := map[string]bool{}
	for _, a := range prev {
		user, pass, ok := strings.Cut(a, ":")
		if !ok || !strings.HasSuffix(user, "@"+p.domain) || len(pass) != 12 || seen[a] {
			t.Fatalf("credential %q", a)
		}
		seen[a] = true
	}
	// A second order delivers different credentials.
	id2 := num(t, obj(t, s, "action", "add", "service", itoa(p.number), "quantity", "3")["order"])
	clk.Advance(time.Minute)
	for _, a := range getStatus(t, s, id2)["accounts"].([]any) {
		if seen[a.(string)] {
			t.Fatalf("credential %v delivered twice", a)
		}
	}
}

func TestManualProductIsSlow(t *testing.T) {
	s, clk := newServer(t, Options{})
	p := findRow(t, s, func(r *row) bool {
		return r.kind == entityProduct && !r.auto && s.stock[r.subs[0].slot].Load() >= 1
	})
	id := num(t, obj(t, s, "action", "add", "service", itoa(p.number), "quantity", "1")["order"])
	st := getStatus(t, s, id)
	if st["autoDelivery"] != false {
		t.Fatalf("manual order: %v", st)
	}
	clk.Advance(AutoPending + AutoRunMax)
	if st = getStatus(t, s, id); st["status"] != "Pending" {
		t.Fatalf("manual order after %v: %v", AutoPending+AutoRunMax, st)
	}
	clk.Advance(ManualPending + ManualRunMax)
	if st = getStatus(t, s, id); st["status"] != "Completed" || len(st["accounts"].([]any)) != 1 {
		t.Fatalf("manual order at the end: %v", st)
	}
}

func TestProductSpillsToOtherSubproduct(t *testing.T) {
	s, _ := newServer(t, Options{Balance: "100000"})
	p := findRow(t, s, func(r *row) bool {
		return r.kind == entityProduct && len(r.subs) > 1 && r.subs[0].price != r.subs[1].price &&
			s.stock[r.subs[0].slot].Load() > 0 && s.stock[r.subs[1].slot].Load() > 0 &&
			s.stock[r.subs[0].slot].Load()+s.stock[r.subs[1].slot].Load() <= int64(r.max)
	})
	a, b := s.stock[p.subs[0].slot].Load(), s.stock[p.subs[1].slot].Load()
	qty := a + 1
	bal := decimal.RequireFromString(s.BalanceString())
	obj(t, s, "action", "add", "service", itoa(p.number), "quantity", itoa(int(qty)))
	want := units(p.subs[0].price).Mul(decimal.NewFromInt(a)).Add(units(p.subs[1].price))
	if got := bal.Sub(decimal.RequireFromString(s.BalanceString())); !got.Equal(want) {
		t.Fatalf("charged %s, want %s (primary %d × %s + 1 × %s)", got, want, a, units(p.subs[0].price), units(p.subs[1].price))
	}
	if s.stock[p.subs[0].slot].Load() != 0 || s.stock[p.subs[1].slot].Load() != b-1 {
		t.Fatal("stock not taken from the primary first, then the next")
	}
	// A product whose every subproduct is sold out refuses any order.
	out := findRow(t, s, func(r *row) bool { return r.kind == entityProduct && rowStock(r, s.slotStock) == 0 })
	apiErr(t, s, "Not enough stock", "action", "add", "service", itoa(out.number), "quantity", "1")
}

func TestAddErrors(t *testing.T) {
	s, _ := newServer(t, Options{Balance: "1.00"})
	svc := smmRow(t, s, 2)
	n := itoa(svc.number)
	apiErr(t, s, errServiceID, "action", "add", "quantity", "100")
	apiErr(t, s, errServiceMissing, "action", "add", "service", "99999", "quantity", "100")
	apiErr(t, s, errServiceMissing, "action", "add", "service", "x", "quantity", "100")
	apiErr(t, s, "Quantity is required", "action", "add", "service", n, "link", "l")
	apiErr(t, s, "Quantity must be a whole number", "action", "add", "service", n, "quantity", "1.5", "link", "l")
	rangeMsg := "Quantity must be between " + itoa(svc.min) + " and " + itoa(svc.max)
	apiErr(t, s, rangeMsg, "action", "add", "service", n, "quantity", itoa(svc.min-1), "link", "l")
	apiErr(t, s, rangeMsg, "action", "add", "service", n, "quantity", itoa(svc.max+1), "link", "l")
	apiErr(t, s, "Link is required", "action", "add", "service", n, "quantity", itoa(svc.min))
	apiErr(t, s, "Link is required", "action", "add", "service", n, "quantity", itoa(svc.min), "link", "  ")
	apiErr(t, s, errInsufficient, "action", "add", "service", n, "quantity", itoa(svc.max), "link", "l")
	out := findRow(t, s, func(r *row) bool { return r.kind == entitySMM && s.stock[r.slot].Load() == 0 })
	apiErr(t, s, "Not enough stock", "action", "add", "service", itoa(out.number), "quantity", itoa(out.min), "link", "l")
	if s.BalanceString() != "1.00" || s.Stats().OrdersPlaced != 0 {
		t.Fatal("a refused order changed the balance")
	}
	apiErr(t, s, errOrderNotFound, "action", "status", "order", "1")
	apiErr(t, s, errOrderNotFound, "action", "status")
	apiErr(t, s, errOrderNotFound, "action", "status", "order", "abc")

	// Product link is optional.
	p := findRow(t, s, func(r *row) bool {
		return r.kind == entityProduct && s.stock[r.subs[0].slot].Load() > 0 && r.rate <= 10000
	})
	obj(t, s, "action", "add", "service", itoa(p.number), "quantity", "1")
}

func TestCustomComments(t *testing.T) {
	s, clk := newServer(t, Options{Balance: "1000"})
	cc := findRow(t, s, func(r *row) bool { return r.typ == "Custom Comments" && s.stock[r.slot].Load() > 100 })
	n := itoa(cc.number)
	comments := "Great post!\r\nLove this 😍\n\n  So true  \nAmazing\nWow"
	apiErr(t, s, "Comments are required for this service (one per line)", "action", "add", "service", n, "quantity", "5", "link", "l")
	apiErr(t, s, "Comments are required for this service (one per line)", "action", "add", "service", n, "quantity", "5", "link", "l", "comments", "\n \n")
	apiErr(t, s, "Quantity must equal the number of comments (5)", "action", "add", "service", n, "quantity", "6", "link", "l", "comments", comments)
	id := num(t, obj(t, s, "action", "add", "service", n, "quantity", "5", "link", "l", "comments", comments)["order"])
	id2 := num(t, obj(t, s, "action", "add", "service", n, "link", "l", "comments", comments)["order"]) // quantity from the comments
	s.mu.Lock()
	o := s.orders[int64(id2)]
	s.mu.Unlock()
	if o.qty != 5 || o.comments[1] != "Love this 😍" || o.comments[2] != "So true" {
		t.Fatalf("order %+v", o)
	}
	clk.Advance(time.Minute)
	if st := getStatus(t, s, id); st["status"] != "Completed" {
		t.Fatal(st)
	}
}

// try calls an action from any goroutine and reports failures with Errorf.
func try(t *testing.T, s *Server, kv ...string) map[string]any {
	w := raw(t, s, form(append([]string{"key", s.Key()}, kv...)...))
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || w.Code != 200 || m["error"] != nil {
		t.Errorf("%v: %d %s", kv, w.Code, w.Body.String())
	}
	return m
}

func TestConcurrentOrders(t *testing.T) {
	s, clk := newServer(t, Options{Balance: "100000"})
	svc := smmRow(t, s, 4)
	stock0 := s.stock[svc.slot].Load()
	var wg sync.WaitGroup
	const workers, each = 8, 30
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				switch i % 3 {
				case 0:
					try(t, s, "action", "add", "service", itoa(svc.number), "quantity", itoa(svc.min+w), "link", "l")
				case 1:
					try(t, s, "action", "services", "limit", "5", "page", itoa(i))
				default:
					try(t, s, "action", "balance")
				}
				clk.Advance(100 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	placed := s.Stats().OrdersPlaced
	if placed != workers*each/3 {
		t.Fatalf("placed %d", placed)
	}
	clk.Advance(time.Hour)
	sum := decimal.Zero
	used := int64(0)
	for id := firstOrderID; id < firstOrderID+placed; id++ {
		st := getStatus(t, s, id)
		sum = sum.Add(dec(t, st["charge"]))
		s.mu.Lock()
		used += int64(s.orders[int64(id)].qty)
		s.mu.Unlock()
	}
	if got := s.BalanceString(); got != money24(decimal.NewFromInt(100000).Sub(sum)) {
		t.Fatalf("balance %s, charges %s", got, sum)
	}
	if s.stock[svc.slot].Load() != stock0-used {
		t.Fatal("stock lost an update")
	}
}
