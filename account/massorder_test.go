package account

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// massText writes n order lines for SMM services of the sandbox's catalog, each with its own
// link (https://example.com/mass/<i>), so that the orders the sandbox committed can be told
// apart by line.
func massText(t *testing.T, rows []client.Service, n int) string {
	t.Helper()
	var usable []client.Service
	for _, s := range rows {
		if !s.IsProduct() && !s.IsCustomComments() && s.PriceKnown() && s.Stock >= 10*max(s.Min, 1) {
			usable = append(usable, s)
		}
	}
	if len(usable) == 0 {
		t.Fatal("no usable SMM service in the sandbox catalog")
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		s := usable[i%len(usable)]
		fmt.Fprintf(&b, "%d | https://example.com/mass/%d | %d\n", s.Service, i, max(s.Min, 1))
	}
	return b.String()
}

func lookupIn(rows []client.Service) func(int64) (client.Service, bool) {
	m := make(map[int64]client.Service, len(rows))
	for _, s := range rows {
		m[s.Service] = s
	}
	return func(n int64) (client.Service, bool) { s, ok := m[n]; return s, ok }
}

// committedByLink counts the orders the sandbox committed for each mass-order link.
func committedByLink(sb *sandbox.Server) map[string][]int64 {
	out := map[string][]int64{}
	for _, o := range sb.Orders() {
		out[o.Link] = append(out[o.Link], o.ID)
	}
	return out
}

// checkNeverTwice: no line was ever committed twice, and each sent line's outcome agrees with
// what the server holds (placed: exactly its order; not placed: none; unconfirmed: 0 or 1).
// It returns how many unconfirmed lines the server did commit.
func checkNeverTwice(t *testing.T, st *cache.Store, sb *sandbox.Server, lines []BatchLine) (unconfirmedCommitted int) {
	t.Helper()
	byLink := committedByLink(sb)
	for _, l := range lines {
		got := byLink[l.Link]
		if len(got) > 1 {
			t.Errorf("line %d committed %d times: %v", l.Line, len(got), got)
		}
		if l.SpendID == 0 {
			if len(got) != 0 {
				t.Errorf("line %d is unsent but the server has %v", l.Line, got)
			}
			continue
		}
		sp := spendState(t, st, l.SpendID)
		switch sp.State {
		case SpendPlaced:
			if len(got) != 1 || len(sp.Orders) != 1 || sp.Orders[0] != got[0] {
				t.Errorf("line %d placed as %v, server has %v", l.Line, sp.Orders, got)
			}
		case SpendFailed:
			if len(got) != 0 {
				t.Errorf("line %d failed, server has %v", l.Line, got)
			}
		case SpendUnconfirmed:
			unconfirmedCommitted += len(got)
		default:
			t.Errorf("line %d left %s", l.Line, sp.State)
		}
	}
	return unconfirmedCommitted
}

// TestMassOrderAgainstFaultySandbox: 50 lines sent one after another to the sandbox on loopback
// while it resets connections, drops answers after committing, rate-limits and answers broken
// pages. Every line ends placed, not placed or unconfirmed; each is sent exactly once; the
// server's orders are the placed lines plus the unconfirmed ones it did commit.
func TestMassOrderAgainstFaultySandbox(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	env := newSandbox(t, clk, "100000.00")
	st := memStore(t, clk)
	svc := newService(t, st, env.api, clk, nil)
	cat, err := svc.RefreshCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Four lines are for a service the catalog still lists but the server no longer has (a
	// catalog that changed since): the server refuses them.
	gone := client.Service{Service: 990001, Name: "Withdrawn", Rate: dec("1.00"), Min: 1, Max: 100, Stock: 100, EntityType: client.EntitySMM}
	lookup := lookupIn(append(cat.Rows, gone))
	text := strings.Split(strings.TrimSpace(massText(t, cat.Rows, 50)), "\n")
	for _, i := range []int{4, 17, 30, 44} {
		text[i] = fmt.Sprintf("990001 | https://example.com/mass/%d | 10", i+1)
	}
	check := ValidateMass(ParseMassText(strings.Join(text, "\n")), lookup)
	if check.Valid != 50 {
		t.Fatalf("%d valid lines of 50: %+v", check.Valid, check.Lines)
	}
	b, err := svc.StartBatch(check)
	if err != nil {
		t.Fatal(err)
	}
	before := env.sb.Stats()
	env.sb.SetFaults(sandbox.Faults{Reset: 0.12, DropAfterCommit: 0.12, RateLimit: 0.08, HTML502: 0.04, Malformed: 0.04})
	var mu sync.Mutex
	var sending, done int
	res, err := svc.RunBatch(ctx, b.ID, nil, func(r LineResult) {
		mu.Lock()
		defer mu.Unlock()
		if r.Sending {
			sending++
		} else {
			done++
		}
	})
	env.sb.SetFaults(sandbox.Faults{})
	if err != nil || len(res) != 50 || sending != 50 || done != 50 {
		t.Fatalf("run: %d results, %d/%d reports, %v", len(res), sending, done, err)
	}
	var placed, failed, unconfirmed int
	for _, r := range res {
		switch r.Outcome {
		case Placed:
			placed++
		case NotPlaced:
			failed++
			if !errors.Is(r.Err, client.ErrNotSent) {
				t.Errorf("line %d not placed with %v", r.Line.Line, r.Err)
			}
		case Unconfirmed:
			unconfirmed++
		}
	}
	after := env.sb.Stats()
	if n := after.Requests["add"] - before.Requests["add"]; n != 50 {
		t.Fatalf("%d add requests for 50 lines: a line was sent twice or not at all", n)
	}
	// The batch is done: forgotten; every line has its journal entry.
	if _, err := st.Batch(b.ID); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("batch after the run: %v", err)
	}
	lines := make([]BatchLine, len(res))
	for i, r := range res {
		lines[i] = r.Line
		sps, _ := st.Spends()
		for _, sp := range sps {
			if sp.Add.Link == r.Line.Link {
				lines[i].SpendID = sp.ID
			}
		}
	}
	uc := checkNeverTwice(t, st, env.sb, lines)
	orders := len(env.sb.Orders())
	if orders != placed+uc || after.OrdersPlaced != orders {
		t.Fatalf("server has %d orders (stats %d); placed %d + unconfirmed committed %d", orders, after.OrdersPlaced, placed, uc)
	}
	if placed == 0 || failed == 0 || unconfirmed == 0 {
		t.Fatalf("the faults did not show: placed %d, failed %d, unconfirmed %d", placed, failed, unconfirmed)
	}
	t.Logf("50 lines: placed %d, not placed %d, unconfirmed %d (of which the server committed %d); sandbox orders %d; faults %v",
		placed, failed, unconfirmed, uc, orders, after.Faults)
}

// crashingAPI passes every call to the sandbox; the add call number crashAt reaches the server
// (which commits it), and then the store is closed under the run before the answer is recorded:
// what a crash of the app at that instant leaves on disk.
type crashingAPI struct {
	*client.Client
	mu      sync.Mutex
	adds    int
	crashAt int
	crash   func()
}

func (c *crashingAPI) Add(ctx context.Context, r client.AddRequest) (*client.AddResult, error) {
	res, err := c.Client.Add(ctx, r)
	c.mu.Lock()
	c.adds++
	n := c.adds
	c.mu.Unlock()
	if n == c.crashAt {
		c.crash()
	}
	return res, err
}

func newDiskStore(t *testing.T, dir string, key []byte, clk *fakeClock) *cache.Store {
	t.Helper()
	st, err := cache.Open(dir, cache.Options{EncryptionKey: key, Now: clk.Now, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestMassOrderCrashMidwayNeverSendsTwice: the store goes away (as in a crash) while line 18
// of 30 is at the server; reopened, that line is unconfirmed, the first 17 are placed, the last
// 12 are unsent and are offered; sending them sends those 12 only.
func TestMassOrderCrashMidwayNeverSendsTwice(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	env := newSandbox(t, clk, "100000.00")
	dir, key := t.TempDir(), make([]byte, cache.EncryptionKeySize)
	_, _ = rand.Read(key)
	st := newDiskStore(t, dir, key, clk)
	api := &crashingAPI{Client: env.api, crashAt: 18}
	api.crash = func() { _ = st.Close() }
	svc := newService(t, st, api, clk, nil)
	cat, err := svc.RefreshCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.StartBatch(ValidateMass(ParseMassText(massText(t, cat.Rows, 30)), lookupIn(cat.Rows)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.RunBatch(ctx, b.ID, nil, nil)
	if !errors.Is(err, ErrNotJournaled) || len(res) != 19 {
		t.Fatalf("run over a closed store: %d results, %v", len(res), err)
	}
	if n := len(env.sb.Orders()); n != 18 {
		t.Fatalf("server has %d orders, want 18", n)
	}

	// Restart.
	st2 := newDiskStore(t, dir, key, clk)
	t.Cleanup(func() { _ = st2.Close() })
	svc2 := newService(t, st2, env.api, clk, nil)
	views, err := svc2.InterruptedBatches()
	if err != nil || len(views) != 1 || views[0].Unsent() != 12 {
		t.Fatalf("interrupted = %+v, %v; want one batch with 12 unsent", views, err)
	}
	v := views[0]
	for i, sp := range v.Spends {
		want := SpendState("")
		switch {
		case i < 17:
			want = SpendPlaced
		case i == 17:
			want = SpendUnconfirmed // at the server when the app "crashed"
		}
		if sp.State != want {
			t.Errorf("line %d: %q, want %q", i+1, sp.State, want)
		}
	}
	if uc := checkNeverTwice(t, st2, env.sb, v.Batch.Lines); uc != 1 {
		t.Fatalf("the line in flight: server committed %d, want 1", uc)
	}
	res, err = svc2.RunBatch(ctx, v.Batch.ID, nil, nil)
	if err != nil || len(res) != 12 || res[0].Index != 18 {
		t.Fatalf("resume: %d results from index %d, %v", len(res), res[0].Index, err)
	}
	if n := len(env.sb.Orders()); n != 30 {
		t.Fatalf("server has %d orders after the resume, want 30 (one per line)", n)
	}
	for link, ids := range committedByLink(env.sb) {
		if len(ids) != 1 {
			t.Errorf("%s committed %d times", link, len(ids))
		}
	}
	if views, _ := svc2.InterruptedBatches(); len(views) != 0 {
		t.Fatalf("still offered after the resume: %+v", views)
	}
	// A line already sent is refused by the store itself.
	b2, err := svc2.StartBatch(ValidateMass(ParseMassText(massText(t, cat.Rows, 1)), lookupIn(cat.Rows)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st2.BeginBatchAdd(b2.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := st2.BeginBatchAdd(b2.ID, 0); !errors.Is(err, cache.ErrBatchLineSent) {
		t.Fatalf("second begin of a line: %v", err)
	}
}

// TestMassOrderStopBeforeNextLine: stopping lets the line being sent finish and sends no other;
// the rest stay for later, and discarding forgets them.
func TestMassOrderStopBeforeNextLine(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	env := newSandbox(t, clk, "100000.00")
	st := memStore(t, clk)
	svc := newService(t, st, env.api, clk, nil)
	cat, err := svc.RefreshCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.StartBatch(ValidateMass(ParseMassText(massText(t, cat.Rows, 10)), lookupIn(cat.Rows)))
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	res, err := svc.RunBatch(ctx, b.ID, stop, func(r LineResult) {
		if r.Sending && r.Index == 3 {
			close(stop) // while line 4 is being sent
		}
	})
	if !errors.Is(err, ErrStopped) || len(res) != 4 || res[3].Outcome != Placed {
		t.Fatalf("stopped run: %d results, %v", len(res), err)
	}
	if n := len(env.sb.Orders()); n != 4 {
		t.Fatalf("server has %d orders", n)
	}
	views, err := svc.InterruptedBatches()
	if err != nil || len(views) != 1 || views[0].Unsent() != 6 {
		t.Fatalf("after stop: %+v, %v", views, err)
	}
	if err := svc.DiscardBatch(b.ID); err != nil {
		t.Fatal(err)
	}
	if views, _ := svc.InterruptedBatches(); len(views) != 0 {
		t.Fatalf("discarded, still offered: %+v", views)
	}
	if _, err := svc.RunBatch(ctx, b.ID, nil, nil); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("run of a discarded batch: %v", err)
	}
	if n := len(env.sb.Orders()); n != 4 {
		t.Fatalf("server has %d orders after the discard", n)
	}
}

const massKillEnv = "HSTOCKPLUS_MASS_KILL_CHILD"

// TestMassOrderKillHelper is the child of TestMassOrderSIGKILL: it sends a batch of 40 lines to
// the sandbox the parent serves, until it is killed.
func TestMassOrderKillHelper(t *testing.T) {
	if os.Getenv(massKillEnv) != "1" {
		t.Skip("helper process for TestMassOrderSIGKILL")
	}
	key, _ := hex.DecodeString(os.Getenv("MASS_KEY"))
	st, err := cache.Open(os.Getenv("MASS_DIR"), cache.Options{EncryptionKey: key, GCInterval: -1})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	api, err := client.New(client.WithEndpoint(os.Getenv("MASS_URL")), client.WithAPIKey("demo"), client.WithRateLimit(0, 0))
	if err != nil {
		os.Exit(2)
	}
	svc, err := New(Params{Store: st, API: api})
	if err != nil {
		os.Exit(2)
	}
	cat, err := svc.RefreshCatalog(context.Background())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	b, err := svc.StartBatch(ValidateMass(ParseMassText(massText(t, cat.Rows, 40)), lookupIn(cat.Rows)))
	if err != nil {
		os.Exit(2)
	}
	fmt.Println("batch", b.ID)
	_, _ = svc.RunBatch(context.Background(), b.ID, nil, nil)
	fmt.Println("finished") // the parent kills it long before
	os.Exit(0)
}

// TestMassOrderSIGKILL: a real process sending a mass order is killed with SIGKILL midway;
// reopened, the store offers exactly the lines never sent, and sending them commits each line
// once: nothing is sent twice.
func TestMassOrderSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	if os.Getenv(massKillEnv) == "1" {
		t.Skip("in the helper")
	}
	sb, err := sandbox.New(sandbox.Options{Balance: "100000.00", Seed: 7,
		Faults: sandbox.Faults{Slow: 1, SlowDelay: 40 * time.Millisecond}}) // ~40 ms a line
	if err != nil {
		t.Fatal(err)
	}
	rn := listenSandbox(t, sb)
	dir, key := t.TempDir(), make([]byte, cache.EncryptionKeySize)
	_, _ = rand.Read(key)
	cmd := exec.Command(os.Args[0], "-test.run=^TestMassOrderKillHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), massKillEnv+"=1", "MASS_DIR="+dir, "MASS_KEY="+hex.EncodeToString(key), "MASS_URL="+rn.URL)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for sb.Stats().OrdersPlaced < 12 {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the helper placed no orders")
		}
		time.Sleep(2 * time.Millisecond)
	}
	_ = cmd.Process.Kill() // SIGKILL
	_ = cmd.Wait()
	killedAt := len(sb.Orders())
	sb.SetFaults(sandbox.Faults{})

	clk := newFakeClock()
	st := newDiskStore(t, dir, key, clk)
	t.Cleanup(func() { _ = st.Close() })
	api, err := client.New(client.WithEndpoint(rn.URL), client.WithAPIKey("demo"), client.WithRateLimit(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, st, api, clk, nil)
	views, err := svc.InterruptedBatches()
	if err != nil || len(views) != 1 {
		t.Fatalf("interrupted = %+v, %v", views, err)
	}
	v := views[0]
	sent := len(v.Batch.Lines) - v.Unsent()
	uc := checkNeverTwice(t, st, sb, v.Batch.Lines)
	if sent == 0 || v.Unsent() == 0 || killedAt < sent-1 || killedAt > sent {
		t.Fatalf("killed with %d orders at the server; %d lines journaled, %d unsent", killedAt, sent, v.Unsent())
	}
	res, err := svc.RunBatch(context.Background(), v.Batch.ID, nil, nil)
	if err != nil || len(res) != v.Unsent() {
		t.Fatalf("resume: %d results, %v", len(res), err)
	}
	for link, ids := range committedByLink(sb) {
		if len(ids) != 1 {
			t.Errorf("%s committed %d times", link, len(ids))
		}
	}
	if n := len(sb.Orders()); n != killedAt+v.Unsent() {
		t.Fatalf("server has %d orders: %d before the restart + %d resumed", n, killedAt, v.Unsent())
	}
	t.Logf("killed after %d orders at the server: %d lines journaled (%d unconfirmed, committed %d), %d resumed; %d orders in all",
		killedAt, sent, countState(v.Spends, SpendUnconfirmed), uc, v.Unsent(), len(sb.Orders()))
}

func countState(sps []Spend, st SpendState) (n int) {
	for _, sp := range sps {
		if sp.State == st {
			n++
		}
	}
	return n
}
