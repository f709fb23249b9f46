package watch

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// testFaults are the sandbox's transport faults for the poller's tests. 429s are rare: each one
// pauses everything for the sandbox's Retry-After of a whole second.
var testFaults = sandbox.Faults{
	Reset: 0.04, DropAfterCommit: 0.02, HTML502: 0.04, RateLimit: 0.002,
	Slow: 0.04, SlowDelay: 100 * time.Millisecond, Malformed: 0.04,
}

// Against the sandbox with its faults on: every account and code reaches the vault exactly once
// and each sink exactly once; the requests the sandbox counts stay within the bounds.
func TestSandboxWithFaults(t *testing.T) {
	t.Parallel()
	e := newSandboxEnv(t, sandbox.Options{Speed: 400, Seed: 7})
	store, err := cache.OpenInMemory(cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()

	var orders, numbers []int64
	place := func(n int) {
		for i := range n {
			var svc = e.auto[i%len(e.auto)]
			switch i % 5 {
			case 1:
				svc = e.manual[i%len(e.manual)]
			case 2:
				svc = e.smm[i%len(e.smm)]
			}
			id, err := e.placeOrder(ctx, store, svc, i%7 == 3)
			if err != nil {
				t.Fatal(err)
			}
			orders = append(orders, id)
		}
		ids, err := e.placeSMS(ctx, store, 5)
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, ids...)
	}
	place(18) // before the poller starts: resumed from the journal

	rec := &recorder{}
	clip := &fakeClipboard{}
	const rate, burst = 300.0, 10
	p := New(store, e.api, Options{
		Notifier: rec, Clipboard: clip, Schedule: fastSchedule(),
		RatePerSecond: rate, Burst: burst, MaxInFlight: 4, RequestTimeout: 5 * time.Second,
		Logf: func(f string, a ...any) {
			if testing.Verbose() {
				t.Logf(f, a...)
			}
		},
	})
	p.Subscribe(rec.listen)
	e.sb.SetFaults(testFaults)
	before := e.sb.Stats()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	began := time.Now()
	go func() { done <- p.Run(runCtx) }()

	// More while it runs (placed with the faults off: a spend whose answer is lost cannot be
	// tracked, by design), then Kick.
	time.Sleep(100 * time.Millisecond)
	e.sb.SetFaults(sandbox.Faults{})
	place(12)
	e.sb.SetFaults(testFaults)
	p.Kick()

	deadline := time.Now().Add(25 * time.Second)
	for {
		s := p.Stats()
		if s.Orders == 0 && s.Numbers == 0 && s.InFlight == 0 && time.Since(began) > 500*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still tracking after 25 s: %+v", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(began)
	after := e.sb.Stats()
	stats := p.Stats()

	accounts, codes := e.truthOf(t, orders, numbers)
	checkVault(t, store, accounts, codes, numbers)

	// Each sink exactly once: listeners saw each stored event once, with every delivery once.
	seen := map[uint64]bool{}
	gotAccounts := map[int64][]string{}
	gotCodes := map[int64][]string{}
	var expiredEvents int
	for _, ev := range rec.events {
		if ev.ID == 0 {
			continue
		}
		if seen[ev.ID] {
			t.Errorf("event %v handed out twice", ev)
		}
		seen[ev.ID] = true
		switch ev.Kind {
		case KindDelivered:
			for _, d := range ev.Deliveries {
				gotAccounts[ev.Order] = append(gotAccounts[ev.Order], d.Value)
			}
			if !ev.Notified {
				t.Errorf("delivery %v not notified", ev)
			}
		case KindCodeReceived:
			for _, d := range ev.Deliveries {
				gotCodes[ev.Order] = append(gotCodes[ev.Order], d.Value)
			}
		case KindNumberExpired:
			expiredEvents++
			if _, had := codes[ev.Order]; had {
				t.Errorf("number %d expired but had a code", ev.Order)
			}
		}
	}
	all, _ := store.RecentEvents(0)
	if len(seen) != len(all) {
		t.Errorf("listeners saw %d stored events, the store has %d", len(seen), len(all))
	}
	for id, want := range accounts {
		if !sameSet(gotAccounts[id], want) {
			t.Errorf("order %d: listeners got %d accounts, want %d, each once", id, len(gotAccounts[id]), len(want))
		}
	}
	copied := map[string]int{}
	for _, w := range clip.allWrites() {
		if w != "" {
			copied[w]++
		}
	}
	for _, id := range numbers {
		want := []string{}
		if c, ok := codes[id]; ok {
			want = []string{c}
			if copied[c] != 1 {
				t.Errorf("code of %d copied %d times", id, copied[c])
			}
		}
		if !sameSet(gotCodes[id], want) {
			t.Errorf("number %d: listeners got codes %v, want %v", id, len(gotCodes[id]), len(want))
		}
	}
	if want := len(numbers) - len(codes); expiredEvents != want {
		t.Errorf("%d expiry events, want %d", expiredEvents, want)
	}
	// Notifications: one per delivery, code, expiry and quietly-terminal-less final status; none
	// shows a credential.
	notes := rec.allNotes()
	var secrets []string
	for _, a := range accounts {
		secrets = append(secrets, a...)
	}
	for _, c := range codes {
		secrets = append(secrets, c)
	}
	for _, n := range notes {
		if x := containsAny(n.title+" "+n.body, secrets...); x != "" {
			t.Errorf("notification %q shows a secret", n)
		}
	}
	notified := 0
	toldEnd := map[int64]int{} // per order: notifications saying it ended
	for _, ev := range rec.events {
		if ev.Notified {
			notified++
			if (ev.Kind == KindStatusChanged || ev.Kind == KindDelivered) && ev.Terminal {
				toldEnd[ev.Order]++
			}
		}
	}
	if len(notes) != notified {
		t.Errorf("%d notifications for %d notified events", len(notes), notified)
	}
	for _, id := range orders {
		if toldEnd[id] != 1 {
			t.Errorf("order %d: told %d times that it ended, want once", id, toldEnd[id])
		}
	}

	// Requests, counted at the sandbox.
	reads := 0
	for _, a := range []string{"status", "sms_code", "sms_status", "balance"} {
		reads += after.Requests[a] - before.Requests[a]
	}
	if int64(reads) > stats.Requests {
		t.Errorf("the sandbox counted %d requests, the poller sent %d", reads, stats.Requests)
	}
	if bound := int(rate*elapsed.Seconds()) + burst; reads > bound {
		t.Errorf("%d requests in %v: over the rate bound %d", reads, elapsed, bound)
	}
	sched := fastSchedule().filled()
	minOrder := time.Duration(float64(sched.MinInterval()) * (1 - sched.Jitter))
	statusBound := len(orders) * (int(elapsed/minOrder) + 2)
	if n := after.Requests["status"] - before.Requests["status"]; n > statusBound {
		t.Errorf("%d status requests, over the schedule's bound %d", n, statusBound)
	}
	smsBound := len(numbers) * (int(elapsed/minOrder) + 4)
	if n := after.Requests["sms_code"] + after.Requests["sms_status"] - before.Requests["sms_code"] - before.Requests["sms_status"]; n > smsBound {
		t.Errorf("%d SMS requests, over the schedule's bound %d", n, smsBound)
	}
	t.Logf("%d orders, %d numbers (%d codes) in %v: %d requests at the sandbox (%d faulted: %v), %d failed at the poller, %d notifications",
		len(orders), len(numbers), len(codes), elapsed.Round(time.Millisecond), reads,
		sumMap(after.Faulted)-sumMap(before.Faulted), after.Faults, stats.Failures, len(notes))
}

func sumMap(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// The clipboard is cleared only while it still holds what the app put there.
func TestClipboardClear(t *testing.T) {
	clk := newFakeClock()
	cb := &fakeClipboard{}
	p := New(nil, nil, Options{Clock: clk, Clipboard: cb})

	if err := p.CopySecret("secret-1"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(29 * time.Second)
	if cb.get() != "secret-1" {
		t.Fatal("cleared early")
	}
	clk.Advance(time.Second)
	if cb.get() != "" {
		t.Fatalf("not cleared after 30 s: %q", cb.get())
	}

	// The user copied something else meanwhile: left alone.
	_ = p.CopySecret("secret-2")
	cb.set("the user's own text")
	clk.Advance(31 * time.Second)
	if cb.get() != "the user's own text" {
		t.Fatalf("cleared the user's text: %q", cb.get())
	}

	// A second copy supersedes the first: its timer counts.
	_ = p.CopySecret("a")
	clk.Advance(20 * time.Second)
	_ = p.CopySecret("b")
	clk.Advance(15 * time.Second) // the first copy's 30 s have passed
	if cb.get() != "b" {
		t.Fatalf("the second copy was cleared by the first's timer: %q", cb.get())
	}
	clk.Advance(15 * time.Second)
	if cb.get() != "" {
		t.Fatalf("second copy not cleared: %q", cb.get())
	}

	// The same value copied twice: cleared 30 s after the second copy.
	_ = p.CopySecret("c")
	clk.Advance(20 * time.Second)
	_ = p.CopySecret("c")
	clk.Advance(15 * time.Second)
	if cb.get() != "c" {
		t.Fatal("cleared 30 s after the first of two copies")
	}
	clk.Advance(15 * time.Second)
	if cb.get() != "" {
		t.Fatal("not cleared")
	}

	// Unreadable clipboard: not cleared (it cannot be known to hold our value).
	_ = p.CopySecret("d")
	cb.mu.Lock()
	cb.readErr = fmt.Errorf("no clipboard owner")
	cb.mu.Unlock()
	clk.Advance(31 * time.Second)
	if cb.get() != "d" {
		t.Fatal("cleared without reading")
	}
	cb.mu.Lock()
	cb.readErr = nil
	cb.mu.Unlock()

	// ClearAfter off: never cleared; ClearSecret clears now, only if still ours.
	s := DefaultSettings()
	s.ClearAfter = 0
	p.SetSettings(s)
	_ = p.CopySecret("e")
	clk.Advance(time.Hour)
	if cb.get() != "e" {
		t.Fatal("cleared with ClearAfter 0")
	}
	p.ClearSecret()
	if cb.get() != "" {
		t.Fatal("ClearSecret did not clear")
	}
	_ = p.CopySecret("f")
	cb.set("mine")
	p.ClearSecret()
	if cb.get() != "mine" {
		t.Fatal("ClearSecret cleared the user's text")
	}

	if err := New(nil, nil, Options{}).CopySecret("x"); err != ErrNoClipboard {
		t.Fatalf("no clipboard: %v", err)
	}
}

// SystemClipboard uses atotto, and the fallback where atotto has no backend or fails.
func TestSystemClipboardFallback(t *testing.T) {
	saveU, saveR, saveW := atottoUnsupported, atottoRead, atottoWrite
	defer func() { atottoUnsupported, atottoRead, atottoWrite = saveU, saveR, saveW }()
	var mu sync.Mutex
	sys, fb := "", &fakeClipboard{}
	atottoRead = func() (string, error) { mu.Lock(); defer mu.Unlock(); return sys, nil }
	atottoWrite = func(s string) error { mu.Lock(); defer mu.Unlock(); sys = s; return nil }

	atottoUnsupported = func() bool { return false }
	c := SystemClipboard(fb)
	if err := c.WriteAll("one"); err != nil || sys != "one" || fb.get() != "" {
		t.Fatalf("atotto not used: %v %q %q", err, sys, fb.get())
	}
	if v, _ := c.ReadAll(); v != "one" {
		t.Fatal(v)
	}
	atottoUnsupported = func() bool { return true }
	if err := c.WriteAll("two"); err != nil || fb.get() != "two" || sys != "one" {
		t.Fatalf("fallback not used when unsupported")
	}
	if v, _ := c.ReadAll(); v != "two" {
		t.Fatal(v)
	}
	atottoUnsupported = func() bool { return false }
	atottoWrite = func(string) error { return fmt.Errorf("exec: xclip: not found") }
	atottoRead = func() (string, error) { return "", fmt.Errorf("exec: xclip: not found") }
	if err := c.WriteAll("three"); err != nil || fb.get() != "three" {
		t.Fatalf("fallback not used when atotto fails: %v", err)
	}
	if v, err := c.ReadAll(); err != nil || v != "three" {
		t.Fatal(v, err)
	}
	if err := SystemClipboard(nil).WriteAll("x"); err == nil || !strings.Contains(err.Error(), "xclip") {
		t.Fatalf("without a fallback the error is atotto's: %v", err)
	}
	atottoUnsupported = func() bool { return true }
	if err := SystemClipboard(nil).WriteAll("x"); err != ErrNoClipboard {
		t.Fatal(err)
	}
	if _, err := (ClipboardFuncs{}).ReadAll(); err != ErrNoClipboard {
		t.Fatal(err)
	}
}
