package watch

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// sbEnv is a sandbox served on loopback, with a client for the poller (no retries, as
// ClientOptions) and one to read the truth at the end.
type sbEnv struct {
	sb      *sandbox.Server
	rn      *sandbox.Running
	api     *client.Client
	truth   *client.Client
	auto    []client.Service // products delivered automatically, in stock
	manual  []client.Service // products filled by hand, in stock
	smm     []client.Service
	project client.SMSProject
	next    int
}

func newSandboxEnv(t testing.TB, opts sandbox.Options) *sbEnv {
	t.Helper()
	if opts.Balance == "" {
		opts.Balance = "1000000.00"
	}
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	rn, err := sandbox.Listen("127.0.0.1:0", sb)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rn.Close(ctx)
	})
	saved := opts.Faults
	sb.SetFaults(sandbox.Faults{}) // the catalog is read with faults off
	e := remoteSandboxEnv(t, rn.URL, rn.Key)
	e.sb, e.rn = sb, rn
	sb.SetFaults(saved)
	return e
}

// remoteSandboxEnv is an sbEnv for a sandbox served elsewhere (another process).
func remoteSandboxEnv(t testing.TB, url, key string) *sbEnv {
	t.Helper()
	e := &sbEnv{api: newPollerClient(t, url, key)}
	var err error
	e.truth, err = client.New(client.WithEndpoint(url), client.WithAPIKey(key), client.WithRateLimit(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := e.truth.AllServices(context.Background(), client.ServicesParams{}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		switch {
		case r.Stock < max(r.Min, 1)*10 || r.IsCustomComments():
		case !r.IsProduct():
			if r.Min <= 1000 {
				e.smm = append(e.smm, r)
			}
		case r.AutoDelivery:
			e.auto = append(e.auto, r)
		default:
			e.manual = append(e.manual, r)
		}
	}
	ps, err := e.truth.SMSProjects(context.Background(), "us")
	if err != nil || len(ps) == 0 {
		t.Fatal("no SMS project", err)
	}
	e.project = ps[0]
	return e
}

func newPollerClient(t testing.TB, url, key string) *client.Client {
	t.Helper()
	c, err := client.New(append([]client.Option{client.WithEndpoint(url), client.WithAPIKey(key)}, ClientOptions()...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// placeOrder places an order of svc through the journal, as the GUI does. unconfirmed leaves the
// entry unconfirmed with its order id known (an answer that was damaged).
func (e *sbEnv) placeOrder(ctx context.Context, store *cache.Store, svc client.Service, unconfirmed bool) (int64, error) {
	qty := max(svc.Min, 1)
	if svc.IsProduct() {
		qty = min(max(svc.Min, 2), svc.Max, 4)
	}
	req := client.AddRequest{Service: svc.Service, Quantity: qty}
	if !svc.IsProduct() {
		req.Link = "https://example.com/p/" + fmt.Sprint(e.next)
	}
	e.next++
	cost, _ := svc.EstimateCost(qty)
	sp, err := store.BeginAdd(req, svc.Name, cost)
	if err != nil {
		return 0, err
	}
	res, err := e.api.Add(ctx, req)
	if err != nil {
		_ = store.MarkFailed(sp.ID, err.Error())
		return 0, err
	}
	if unconfirmed {
		return res.Order, store.MarkUnconfirmed(sp.ID, "answer damaged", res.Order)
	}
	_, err = store.MarkPlaced(sp.ID, res.Order)
	return res.Order, err
}

func (e *sbEnv) placeSMS(ctx context.Context, store *cache.Store, qty int) ([]int64, error) {
	req := client.AddSMSRequest{ProjectID: e.project.ProjectID, Quantity: qty, Country: "us"}
	sp, err := store.BeginAddSMS(req, e.project.Name, e.project.Price)
	if err != nil {
		return nil, err
	}
	got, err := e.api.AddSMS(ctx, req)
	if err != nil {
		_ = store.MarkFailed(sp.ID, err.Error())
		return nil, err
	}
	if _, err := store.MarkSMSPlaced(sp.ID, got); err != nil {
		return nil, err
	}
	var ids []int64
	for _, o := range got {
		ids = append(ids, o.Order)
	}
	return ids, nil
}

// truthOf turns the faults off and reads what the sandbox delivered: the accounts of each order
// (which must be terminal) and the code of each number (which must be received or expired).
func (e *sbEnv) truthOf(t testing.TB, orders, numbers []int64) (accounts map[int64][]string, codes map[int64]string) {
	t.Helper()
	e.sb.SetFaults(sandbox.Faults{})
	ctx := context.Background()
	accounts, codes = map[int64][]string{}, map[int64]string{}
	for _, id := range orders {
		st, err := e.truth.Status(ctx, id)
		if err != nil {
			t.Fatalf("truth of order %d: %v", id, err)
		}
		if !st.Status.Terminal() {
			t.Fatalf("order %d is still %s at the sandbox", id, st.Status)
		}
		accounts[id] = st.Accounts
	}
	for _, id := range numbers {
		c, err := e.truth.SMSCode(ctx, id)
		if err != nil {
			t.Fatalf("truth of number %d: %v", id, err)
		}
		if c.Received() {
			codes[id] = c.Code
		} else if c.Status != "expired" {
			t.Fatalf("number %d is still %q at the sandbox", id, c.Status)
		}
	}
	return accounts, codes
}

// checkVault asserts that the vault holds exactly what the sandbox delivered, each once.
func checkVault(t testing.TB, store *cache.Store, accounts map[int64][]string, codes map[int64]string, numbers []int64) {
	t.Helper()
	for id, want := range accounts {
		d, err := store.Deliveries(id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range d {
			if x.Kind == cache.DeliveryAccount {
				got = append(got, x.Value)
			}
		}
		if !sameSet(got, want) {
			t.Errorf("order %d: the vault has %d accounts (%d distinct of those delivered), the sandbox delivered %d", id, len(got), countIn(got, want), len(want))
		}
		o, err := store.Order(id)
		if err != nil || !o.Terminal || o.Unconfirmed {
			t.Errorf("order %d: %+v, %v", id, o, err)
		}
	}
	for _, id := range numbers {
		d, err := store.Deliveries(id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range d {
			if x.Kind == cache.DeliverySMSCode {
				got = append(got, x.Value)
			}
		}
		want := []string{}
		if c, ok := codes[id]; ok {
			want = []string{c}
		}
		if !sameSet(got, want) {
			t.Errorf("number %d: vault has %d codes, want %d", id, len(got), len(want))
		}
		n, err := store.SMSNumber(id)
		if err != nil || !n.Closed {
			t.Errorf("number %d not closed: %+v %v", id, n, err)
		}
	}
	pending, err := store.PendingEvents()
	if err != nil || len(pending) != 0 {
		t.Errorf("%d events never marked notified (%v)", len(pending), err)
	}
}

// sameSet reports whether a and b hold the same values, each exactly once.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	for i := 1; i < len(a); i++ {
		if a[i] == a[i-1] {
			return false
		}
	}
	return slices.Equal(a, b)
}

// fastSchedule suits a sandbox running 300–400 times faster than real time.
func fastSchedule() *Schedule {
	return &Schedule{
		Orders:         []Step{{0, 30 * time.Millisecond}},
		Manual:         []Step{{0, 60 * time.Millisecond}},
		SMS:            []Step{{300 * time.Millisecond, 20 * time.Millisecond}, {0, 150 * time.Millisecond}},
		ExpiryGrace:    100 * time.Millisecond,
		Balance:        300 * time.Millisecond,
		BalanceSoon:    50 * time.Millisecond,
		Rescan:         500 * time.Millisecond,
		RetryBase:      20 * time.Millisecond,
		RetryMax:       300 * time.Millisecond,
		NotFoundMax:    300 * time.Millisecond,
		ProbeBase:      30 * time.Millisecond,
		ProbeMax:       300 * time.Millisecond,
		Respread:       50 * time.Millisecond,
		RateLimitPause: 200 * time.Millisecond,
		RateRecover:    time.Second,
	}
}

func countIn(got, want []string) int {
	n := 0
	for _, g := range slices.Compact(slices.Sorted(slices.Values(got))) {
		if slices.Contains(want, g) {
			n++
		}
	}
	return n
}
