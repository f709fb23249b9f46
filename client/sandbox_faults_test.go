package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// Integration tests against the sandbox: retries under faults, counted at the sandbox.

// readCall is one read action; it returns its result printed, to compare with a fault-free run.
type readCall struct {
	action string
	do     func(ctx context.Context, c *client.Client) (string, error)
}

func show(v any, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%+v", v), nil
}

// readCalls lists a call of every read action. It places an order and buys a number (faults
// off) so that status, sms_code and sms_status have something to read.
func readCalls(t *testing.T, e *itEnv) []readCall {
	t.Helper()
	ctx := itCtx(t)
	all := e.allRows(t, ctx)
	smm := pick(t, all, "an SMM row in stock", func(s client.Service) bool { return !s.IsProduct() && s.Stock >= s.Min })
	prod := pick(t, all, "a product in stock", func(s client.Service) bool { return s.IsProduct() && s.Stock >= 1 })
	res, err := e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: smm.Min, Link: "https://t.me/x"})
	if err != nil {
		t.Fatal(err)
	}
	us, err := e.c.SMSProjects(ctx, "us")
	if err != nil {
		t.Fatal(err)
	}
	num, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: us[0].ProjectID})
	if err != nil {
		t.Fatal(err)
	}
	return []readCall{
		{"balance", func(ctx context.Context, c *client.Client) (string, error) { return show(c.Balance(ctx)) }},
		{"categories", func(ctx context.Context, c *client.Client) (string, error) { return show(c.Categories(ctx)) }},
		{"shops", func(ctx context.Context, c *client.Client) (string, error) { return show(c.Shops(ctx, 2, 10)) }},
		{"services", func(ctx context.Context, c *client.Client) (string, error) {
			return show(c.Services(ctx, client.ServicesParams{Page: 3, Limit: 20, Lang: "ru"}))
		}},
		{"products", func(ctx context.Context, c *client.Client) (string, error) {
			return show(c.Products(ctx, client.ServicesParams{Category: "Proxies"}))
		}},
		{"inventory", func(ctx context.Context, c *client.Client) (string, error) {
			return show(c.Inventory(ctx, prod.Service))
		}},
		{"status", func(ctx context.Context, c *client.Client) (string, error) { return show(c.Status(ctx, res.Order)) }},
		{"sms_countries", func(ctx context.Context, c *client.Client) (string, error) { return show(c.SMSCountries(ctx)) }},
		{"sms_projects", func(ctx context.Context, c *client.Client) (string, error) { return show(c.SMSProjects(ctx, "de")) }},
		{"sms_code", func(ctx context.Context, c *client.Client) (string, error) { return show(c.SMSCode(ctx, num[0].Order)) }},
		{"sms_status", func(ctx context.Context, c *client.Client) (string, error) {
			return show(c.SMSStatus(ctx, num[0].Order))
		}},
	}
}

// readTotals sums the request and faulted counters of the read actions.
func readTotals(st sandbox.Stats) (requests, faulted int) {
	for k, v := range st.Requests {
		if k != "add" && k != "add_sms" {
			requests += v
		}
	}
	for k, v := range st.Faulted {
		if k != "add" && k != "add_sms" {
			faulted += v
		}
	}
	return requests, faulted
}

// faultKind is one of the sandbox's fault kinds, with the key Stats.Faults counts it under.
type faultKind struct {
	key string
	f   sandbox.Faults
}

// faultKinds are the sandbox's fault kinds, each alone at probability p.
func faultKinds(p float64) []faultKind {
	return []faultKind{
		{"reset", sandbox.Faults{Reset: p}},
		{"drop", sandbox.Faults{DropAfterCommit: p}},
		{"html", sandbox.Faults{HTML502: p}},
		{"429", sandbox.Faults{RateLimit: p}},
		{"slow", sandbox.Faults{Slow: p, SlowDelay: time.Millisecond}},
		{"malformed", sandbox.Faults{Malformed: p}},
	}
}

// faultAt is the fault kind key alone at probability p.
func faultAt(key string, p float64) sandbox.Faults {
	for _, k := range faultKinds(p) {
		if k.key == key {
			return k.f
		}
	}
	panic("unknown fault kind " + key)
}

// checkReadFailure asserts how a read that met the fault kind on every attempt fails.
func checkReadFailure(t *testing.T, what, kind string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	if errors.Is(err, client.ErrNotSent) || errors.Is(err, client.ErrOutcomeUnknown) {
		t.Fatalf("%s: a read error carries a spend outcome: %v", what, err)
	}
	var te *client.TransportError
	var rl *client.RateLimitError
	switch kind {
	case "reset", "drop":
		if !errors.As(err, &te) || te.HTTPStatus != 0 || errors.Is(err, client.ErrNotJSON) {
			t.Fatalf("%s: %v (%T), want a network *TransportError", what, err, err)
		}
	case "html":
		if !errors.As(err, &te) || te.HTTPStatus != http.StatusBadGateway || !errors.Is(err, client.ErrNotJSON) || te.Excerpt != "502 Bad Gateway" {
			t.Fatalf("%s: %v (%T), want a 502 *TransportError", what, err, err)
		}
	case "429":
		if !errors.As(err, &rl) || rl.HTTPStatus != http.StatusTooManyRequests || rl.RetryAfter != time.Second || !errors.Is(err, client.ErrRateLimited) {
			t.Fatalf("%s: %v (%T), want a *RateLimitError", what, err, err)
		}
	case "malformed":
		if !errors.As(err, &te) || te.HTTPStatus != http.StatusOK || !errors.Is(err, client.ErrNotJSON) {
			t.Fatalf("%s: %v (%T), want a not-JSON *TransportError", what, err, err)
		}
	default:
		t.Fatalf("%s: unexpected kind %s", what, kind)
	}
}

func TestIntegrationReadRetryEachFault(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 11})
	ctx := itCtx(t)
	reads := readCalls(t, e)
	baseline := map[string]string{}
	for _, r := range reads {
		got, err := r.do(ctx, e.c)
		if err != nil {
			t.Fatalf("%s: %v", r.action, err)
		}
		baseline[r.action] = got
	}
	three := e.newClient(t, client.WithRetry(3, time.Millisecond, 2*time.Millisecond))
	many := e.newClient(t, client.WithRetry(12, time.Millisecond, 2*time.Millisecond))

	for _, k := range faultKinds(1) {
		if k.key == "429" {
			continue // its one-second Retry-After: TestIntegrationReadRetryRateLimit
		}
		t.Run(k.key, func(t *testing.T) {
			// Probability 1: every attempt fails, 3 of them, then the error; slow only delays.
			e.srv.SetFaults(k.f)
			for _, r := range reads {
				before := e.srv.Stats()
				got, err := r.do(ctx, three)
				after := e.srv.Stats()
				attempts := delta(before.Requests, after.Requests, r.action)
				if k.key == "slow" {
					if err != nil || got != baseline[r.action] || attempts != 1 {
						t.Fatalf("%s: %v, %d requests", r.action, err, attempts)
					}
				} else {
					checkReadFailure(t, r.action, k.key, err)
					if attempts != 3 {
						t.Fatalf("%s: %d requests, want 3", r.action, attempts)
					}
				}
				if d := delta(before.Faults, after.Faults, k.key); d != attempts {
					t.Fatalf("%s: %d faults for %d requests", r.action, d, attempts)
				}
			}

			// Probability 0.3: retried until it works, with the right answer; the sandbox sees
			// one request per call plus one per failed attempt.
			e.srv.SetFaults(faultAt(k.key, 0.3))
			before := e.srv.Stats()
			calls := 0
			for range 3 {
				for _, r := range reads {
					got, err := r.do(ctx, many)
					if err != nil {
						t.Fatalf("%s at 0.3: %v", r.action, err)
					}
					if got != baseline[r.action] {
						t.Fatalf("%s at 0.3: %s\nwant %s", r.action, got, baseline[r.action])
					}
					calls++
				}
			}
			after := e.srv.Stats()
			reqB, fltB := readTotals(before)
			reqA, fltA := readTotals(after)
			failed := fltA - fltB
			if k.key == "slow" {
				failed = 0
			}
			if fltA-fltB == 0 || reqA-reqB != calls+failed {
				t.Fatalf("%d calls, %d requests, %d faulted", calls, reqA-reqB, fltA-fltB)
			}

			// Cleared: one request a call.
			e.srv.SetFaults(sandbox.Faults{})
			before = e.srv.Stats()
			for _, r := range reads {
				if got, err := r.do(ctx, many); err != nil || got != baseline[r.action] {
					t.Fatalf("%s after clearing: %v", r.action, err)
				}
			}
			reqB, fltB = readTotals(before)
			reqA, fltA = readTotals(e.srv.Stats())
			if reqA-reqB != len(reads) || fltA != fltB {
				t.Fatalf("after clearing: %d requests for %d calls", reqA-reqB, len(reads))
			}
		})
	}
}

// TestIntegrationReadRetryRateLimit: a 429 page is retried after the server's Retry-After (one
// real second here).
func TestIntegrationReadRetryRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Faults: sandbox.Faults{RateLimit: 1}})
	ctx := itCtx(t)
	two := e.newClient(t, client.WithRetry(2, time.Millisecond, 2*time.Millisecond))
	_, err := two.Balance(ctx)
	checkReadFailure(t, "balance", "429", err)
	if st := e.srv.Stats(); st.Requests["balance"] != 2 || st.Faults["429"] != 2 {
		t.Fatalf("stats %+v, want 2 requests", st)
	}
	e.srv.SetFaults(sandbox.Faults{})
	if b, err := two.Balance(ctx); err != nil || b.Balance.String() != "100.00" || e.srv.Stats().Requests["balance"] != 3 {
		t.Fatalf("after clearing: %v %+v", err, b)
	}
}

// TestIntegrationReadRetryMixed: every fault kind at once. Reads all succeed, with the same
// answers as without faults, and every failed attempt was followed by exactly one more request.
func TestIntegrationReadRetryMixed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 5})
	ctx := itCtx(t)
	reads := readCalls(t, e)
	baseline := map[string]string{}
	for _, r := range reads {
		got, err := r.do(ctx, e.c)
		if err != nil {
			t.Fatal(err)
		}
		baseline[r.action] = got
	}
	many := e.newClient(t, client.WithRetry(12, time.Millisecond, 2*time.Millisecond))
	e.srv.SetFaults(sandbox.Faults{Reset: 0.07, DropAfterCommit: 0.07, HTML502: 0.07, RateLimit: 0.02, Slow: 0.07, Malformed: 0.07, SlowDelay: time.Millisecond})
	before := e.srv.Stats()
	calls := 0
	for range 6 {
		for _, r := range reads {
			got, err := r.do(ctx, many)
			if err != nil {
				t.Fatalf("%s: %v", r.action, err)
			}
			if got != baseline[r.action] {
				t.Fatalf("%s: %s\nwant %s", r.action, got, baseline[r.action])
			}
			calls++
		}
	}
	after := e.srv.Stats()
	e.srv.SetFaults(sandbox.Faults{})
	reqB, fltB := readTotals(before)
	reqA, fltA := readTotals(after)
	slow := delta(before.Faults, after.Faults, "slow")
	if reqA-reqB != calls+(fltA-fltB)-slow {
		t.Fatalf("%d calls, %d requests, %d faulted (%d slow)", calls, reqA-reqB, fltA-fltB, slow)
	}
	for _, k := range faultKinds(1) {
		if delta(before.Faults, after.Faults, k.key) == 0 {
			t.Fatalf("no %s fault met: %+v", k.key, after.Faults)
		}
	}
	t.Logf("%d reads, %d requests, faults %v", calls, reqA-reqB, after.Faults)
}

// spendSetup finds a cheap SMM service that takes quantities from 100 to 400 with stock to
// spare, and a project of the United States.
func spendSetup(t *testing.T, e *itEnv) (client.Service, client.SMSProject) {
	t.Helper()
	ctx := itCtx(t)
	smm := pick(t, e.allRows(t, ctx), "a cheap SMM service", func(s client.Service) bool {
		return !s.IsProduct() && !s.IsCustomComments() && s.Min <= 100 && s.Max >= 400 && s.Stock >= 100_000
	})
	us, err := e.c.SMSProjects(ctx, "us")
	if err != nil {
		t.Fatal(err)
	}
	return smm, us[0]
}

// checkSpendFailure asserts the outcome and cause of an Add/AddSMS that met a fault kind.
func checkSpendFailure(t *testing.T, what, action, kind string, err error) {
	t.Helper()
	outcomeUnknown(t, what, err)
	var se *client.SpendError
	errors.As(err, &se)
	if se.Action != action {
		t.Fatalf("%s: action %q", what, se.Action)
	}
	var te *client.TransportError
	var rl *client.RateLimitError
	switch kind {
	case "reset", "drop": // the request left: the order may exist
		if !errors.As(err, &te) || te.HTTPStatus != 0 {
			t.Fatalf("%s: %v, want a network *TransportError", what, err)
		}
	case "html": // a proxy's page: the API's answer, if any, is lost
		if !errors.As(err, &te) || te.HTTPStatus != http.StatusBadGateway || !errors.Is(err, client.ErrNotJSON) {
			t.Fatalf("%s: %v, want a 502 *TransportError", what, err)
		}
	case "429": // a bare 429 page, not the API's refusal: documented as outcome unknown
		if !errors.As(err, &rl) || rl.HTTPStatus != http.StatusTooManyRequests || !errors.Is(err, client.ErrRateLimited) {
			t.Fatalf("%s: %v, want a *RateLimitError", what, err)
		}
	case "malformed":
		if !errors.As(err, &te) || te.HTTPStatus != http.StatusOK || !errors.Is(err, client.ErrNotJSON) {
			t.Fatalf("%s: %v, want a not-JSON *TransportError", what, err)
		}
	default:
		t.Fatalf("%s: unexpected kind %s", what, kind)
	}
}

// TestIntegrationSpendEachFault: under every fault kind at probability 1, Add and AddSMS are sent
// exactly once per call (even though the client retries reads 4 times) and say whether the order
// may exist; the drop fault commits the order, and the balance shows it.
func TestIntegrationSpendEachFault(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "1000.00", Seed: 3})
	ctx := itCtx(t)
	smm, proj := spendSetup(t, e)
	committedBy := map[string]bool{"drop": true, "slow": true}

	for _, k := range faultKinds(1) {
		t.Run(k.key, func(t *testing.T) {
			e.srv.SetFaults(k.f)
			for i := range 3 {
				qty := int64(100 + i)
				before, bal := e.srv.Stats(), e.sandboxBalance(t)
				res, err := e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: qty, Link: "https://t.me/x"})
				after := e.srv.Stats()
				if d := delta(before.Requests, after.Requests, "add"); d != 1 {
					t.Fatalf("add %d: %d requests, want exactly 1", i, d)
				}
				if d := delta(before.Faults, after.Faults, k.key); d != 1 {
					t.Fatalf("add %d: %d %s faults", i, d, k.key)
				}
				charge := decimal.Zero
				if committedBy[k.key] {
					charge = smmCharge(smm.Rate, qty)
				}
				if k.key == "slow" {
					if err != nil || res.Order <= 0 {
						t.Fatalf("slow add: %v", err)
					}
				} else {
					checkSpendFailure(t, "add", "add", k.key, err)
				}
				placed := 0
				if committedBy[k.key] {
					placed = 1
				}
				if got := after.OrdersPlaced - before.OrdersPlaced; got != placed {
					t.Fatalf("add %d: %d orders placed, want %d", i, got, placed)
				}
				sameDecimal(t, "balance after add", e.sandboxBalance(t), bal.Sub(charge))

				before, bal = e.srv.Stats(), e.sandboxBalance(t)
				nums, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID, Quantity: 2})
				after = e.srv.Stats()
				if d := delta(before.Requests, after.Requests, "add_sms"); d != 1 {
					t.Fatalf("add_sms %d: %d requests, want exactly 1", i, d)
				}
				charge, placed = decimal.Zero, 0
				if committedBy[k.key] {
					charge, placed = proj.Price.Mul(decimal.NewFromInt(2)), 2
				}
				if k.key == "slow" {
					if err != nil || len(nums) != 2 {
						t.Fatalf("slow add_sms: %v", err)
					}
				} else {
					checkSpendFailure(t, "add_sms", "add_sms", k.key, err)
				}
				if got := after.SMSPlaced - before.SMSPlaced; got != placed {
					t.Fatalf("add_sms %d: %d numbers placed, want %d", i, got, placed)
				}
				sameDecimal(t, "balance after add_sms", e.sandboxBalance(t), bal.Sub(charge))
			}

			// Cleared: an order goes through, in one request.
			e.srv.SetFaults(sandbox.Faults{})
			before := e.srv.Stats()
			if _, err := e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "https://t.me/x"}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID}); err != nil {
				t.Fatal(err)
			}
			after := e.srv.Stats()
			if delta(before.Requests, after.Requests, "add") != 1 || delta(before.Requests, after.Requests, "add_sms") != 1 ||
				after.OrdersPlaced != before.OrdersPlaced+1 || after.SMSPlaced != before.SMSPlaced+1 {
				t.Fatalf("after clearing: %+v", after)
			}
		})
	}
	e.balance(t, ctx) // the client and the sandbox agree
}

// TestIntegrationSpendTimeout: an add whose answer does not come before the context ends has an
// unknown outcome (the request left); here the sandbox had not committed it.
func TestIntegrationSpendTimeout(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	smm, proj := spendSetup(t, e)
	bal := e.srv.BalanceString()
	e.srv.SetFaults(sandbox.Faults{Slow: 1, SlowDelay: time.Hour})
	for _, spend := range []struct {
		action string
		do     func(ctx context.Context) error
	}{
		{"add", func(ctx context.Context) error {
			_, err := e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "https://t.me/x"})
			return err
		}},
		{"add_sms", func(ctx context.Context) error {
			_, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID})
			return err
		}},
		{"balance", func(ctx context.Context) error { _, err := e.c.Balance(ctx); return err }},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		before := e.srv.Stats()
		err := spend.do(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: %v, want the deadline", spend.action, err)
		}
		if spend.action == "balance" {
			if errors.Is(err, client.ErrOutcomeUnknown) || errors.Is(err, client.ErrNotSent) {
				t.Fatalf("read: %v", err)
			}
		} else {
			outcomeUnknown(t, spend.action, err)
		}
		if d := delta(before.Requests, e.srv.Stats().Requests, spend.action); d != 1 {
			t.Fatalf("%s: %d requests, want 1 (no retry once the context has ended)", spend.action, d)
		}
	}
	e.srv.SetFaults(sandbox.Faults{})
	if st := e.srv.Stats(); st.OrdersPlaced != 0 || st.SMSPlaced != 0 || e.srv.BalanceString() != bal {
		t.Fatalf("a timed-out order was committed: %+v", st)
	}
}

// deadSandbox starts a sandbox with key itKey, makes one request to it through a client, and
// closes it: the endpoint then refuses connections. It returns the endpoint, that client (which
// had a connection) and the closed server.
func deadSandbox(t *testing.T) (string, *client.Client, *sandbox.Server) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{Key: itKey})
	if err != nil {
		t.Fatal(err)
	}
	rn, err := sandbox.Listen("127.0.0.1:0", srv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := itCtx(t)
	live := newITClient(t, rn.URL, rn.Key)
	if _, err := live.Balance(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rn.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return rn.URL, live, srv
}

// TestIntegrationSpendDeadPort: nothing listens any more, so the request never left: ErrNotSent.
func TestIntegrationSpendDeadPort(t *testing.T) {
	ctx := itCtx(t)
	endpoint, live, srv := deadSandbox(t)
	refused := func(name string, err error) {
		t.Helper()
		notPlaced(t, name, err)
		var te *client.TransportError
		if !errors.As(err, &te) || te.HTTPStatus != 0 || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("%s: %v, want a refused connection", name, err)
		}
	}
	fresh := newITClient(t, endpoint, itKey)
	_, err := fresh.Add(ctx, client.AddRequest{Service: 1, Quantity: 100, Link: "https://t.me/x"})
	refused("add", err)
	_, err = fresh.AddSMS(ctx, client.AddSMSRequest{ProjectID: "65f000000000000000000000"})
	refused("add_sms", err)
	_, err = fresh.Balance(ctx)
	var te *client.TransportError
	if !errors.As(err, &te) || errors.Is(err, client.ErrNotSent) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("balance: %v", err)
	}

	// The client that talked to the server may still hold the keep-alive connection the server
	// closed when it shut down. If its first call writes onto that connection before the close
	// is noticed, the request went out and no answer came: that is indistinguishable from a
	// server that took the order and died (HTTP/1.1 gives no way to tell; Go's transport will not
	// replay a POST there either), so ErrOutcomeUnknown is right then. Once that connection is
	// gone, the dead port is ErrNotSent again.
	_, err = live.Add(ctx, client.AddRequest{Service: 1, Quantity: 100, Link: "https://t.me/x"})
	var se *client.SpendError
	if !errors.As(err, &se) || (!se.NotSent() && !errors.Is(err, client.ErrOutcomeUnknown)) {
		t.Fatalf("used client, first add: %v", err)
	}
	if se.NotSent() {
		refused("used client, first add", err)
	}
	_, err = live.Add(ctx, client.AddRequest{Service: 1, Quantity: 100, Link: "https://t.me/x"})
	refused("used client, second add", err)
	if st := srv.Stats(); st.Requests["add"] != 0 || st.Requests["add_sms"] != 0 || st.Requests["balance"] != 1 {
		t.Fatalf("the closed sandbox saw %+v", st.Requests)
	}
}

// TestIntegrationSpendMixedLoop: 200 adds under every fault kind at once. The sandbox sees
// exactly one add request per call; every failure says outcome unknown; the orders it committed
// are exactly the successes plus the dropped answers, each traced back to its call (every call
// orders a different quantity, which status shows as remains while the order is Pending); and
// the balance is the start minus their charges, exactly.
func TestIntegrationSpendMixedLoop(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "100000.00", Seed: 42})
	ctx := itCtx(t)
	smm, _ := spendSetup(t, e)
	const calls = 200
	const baseQty = 101
	add := func(qty int64) (*client.AddResult, error) {
		return e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: qty, Link: "https://t.me/x"})
	}

	first, err := add(100) // marks where the loop's order ids begin
	if err != nil {
		t.Fatal(err)
	}
	start := e.sandboxBalance(t)
	e.srv.SetFaults(sandbox.Faults{Reset: 0.1, DropAfterCommit: 0.1, HTML502: 0.1, RateLimit: 0.1, Slow: 0.1, Malformed: 0.1, SlowDelay: time.Millisecond})
	before := e.srv.Stats()
	success := map[int64]int{} // order id -> call
	unknown := map[int]bool{}  // calls with an unknown outcome
	lastID := first.Order
	for i := range calls {
		res, err := add(baseQty + int64(i))
		if err == nil {
			if res.Order <= lastID {
				t.Fatalf("call %d: order %d after %d", i, res.Order, lastID)
			}
			lastID = res.Order
			success[res.Order] = i
			continue
		}
		if errors.Is(err, client.ErrNotSent) {
			t.Fatalf("call %d: %v: no fault here leaves the request unsent", i, err)
		}
		outcomeUnknown(t, fmt.Sprintf("call %d", i), err)
		unknown[i] = true
	}
	after := e.srv.Stats()
	e.srv.SetFaults(sandbox.Faults{})

	faults := func(k string) int { return delta(before.Faults, after.Faults, k) }
	placed := after.OrdersPlaced - before.OrdersPlaced
	switch {
	case delta(before.Requests, after.Requests, "add") != calls:
		t.Fatalf("%d add requests for %d calls", delta(before.Requests, after.Requests, "add"), calls)
	case len(unknown) != faults("reset")+faults("drop")+faults("html")+faults("429")+faults("malformed"):
		t.Fatalf("%d unknown outcomes, faults %v", len(unknown), after.Faults)
	case len(success)+len(unknown) != calls:
		t.Fatalf("%d successes + %d unknown != %d", len(success), len(unknown), calls)
	case placed != len(success)+faults("drop"):
		t.Fatalf("%d orders placed, %d successes, %d dropped answers", placed, len(success), faults("drop"))
	}
	for _, k := range faultKinds(1) {
		if faults(k.key) == 0 {
			t.Fatalf("no %s fault met: %v", k.key, after.Faults)
		}
	}

	last, err := add(100) // marks where they end
	if err != nil {
		t.Fatal(err)
	}
	if got := int(last.Order - first.Order - 1); got != placed {
		t.Fatalf("%d order ids between the marks, %d orders placed", got, placed)
	}
	// Every committed order, traced to its call; the clock has not moved, so all are Pending
	// and charged in full.
	spent := decimal.Zero
	lost := 0
	for id := first.Order + 1; id < last.Order; id++ {
		st, err := e.c.Status(ctx, id)
		if err != nil {
			t.Fatalf("order %d: %v", id, err)
		}
		call := int(st.Remains - baseQty)
		if st.Status != client.StatusPending || call < 0 || call >= calls {
			t.Fatalf("order %d: %+v", id, st)
		}
		if i, ok := success[id]; ok {
			if i != call {
				t.Fatalf("order %d was call %d, status says %d", id, i, call)
			}
		} else {
			if !unknown[call] {
				t.Fatalf("order %d (call %d) exists but the call did not say outcome unknown", id, call)
			}
			lost++
		}
		want := smmCharge(smm.Rate, st.Remains)
		sameDecimal(t, fmt.Sprintf("order %d charge", id), st.Charge.Decimal, want)
		spent = spent.Add(want)
	}
	if lost != faults("drop") {
		t.Fatalf("%d committed orders lost their answer, %d drop faults", lost, faults("drop"))
	}
	sameDecimal(t, "balance", e.sandboxBalance(t), start.Sub(spent).Sub(smmCharge(smm.Rate, 100)))
	e.balance(t, ctx)
	t.Logf("%d calls: %d placed and answered, %d unknown of which %d placed; faults %v", calls, len(success), len(unknown), lost, after.Faults)
}

// TestIntegrationSMSMixedLoop: the same for add_sms, one number a call.
func TestIntegrationSMSMixedLoop(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "1000.00", Seed: 7})
	ctx := itCtx(t)
	_, proj := spendSetup(t, e)
	const calls = 60
	start := e.sandboxBalance(t)
	e.srv.SetFaults(sandbox.Faults{Reset: 0.1, DropAfterCommit: 0.1, HTML502: 0.1, RateLimit: 0.1, Slow: 0.1, Malformed: 0.1, SlowDelay: time.Millisecond})
	before := e.srv.Stats()
	successes, unknowns := 0, 0
	for i := range calls {
		nums, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID})
		switch {
		case err == nil && len(nums) == 1:
			successes++
		case err != nil:
			outcomeUnknown(t, fmt.Sprintf("call %d", i), err)
			unknowns++
		default:
			t.Fatalf("call %d: %d numbers", i, len(nums))
		}
	}
	after := e.srv.Stats()
	e.srv.SetFaults(sandbox.Faults{})
	placed := after.SMSPlaced - before.SMSPlaced
	if d := delta(before.Requests, after.Requests, "add_sms"); d != calls {
		t.Fatalf("%d add_sms requests for %d calls", d, calls)
	}
	if placed != successes+delta(before.Faults, after.Faults, "drop") || successes+unknowns != calls || unknowns == 0 {
		t.Fatalf("%d placed, %d successes, %d unknown, faults %v", placed, successes, unknowns, after.Faults)
	}
	sameDecimal(t, "balance", e.sandboxBalance(t), start.Sub(proj.Price.Mul(decimal.NewFromInt(int64(placed)))))
	e.balance(t, ctx)
}
