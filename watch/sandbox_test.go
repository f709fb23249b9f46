package watch

import (
	"context"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
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
	clip := &fakeCopier{}
	const rate, burst = 300.0, 10
	logf := func(f string, a ...any) {
		if testing.Verbose() {
			t.Logf(f, a...)
		}
	}
	svc := newService(t, store, e.api, nil, logf, sinks{notifier: rec, format: rec.format, copier: clip}, rec.listen)
	p := New(svc, Options{
		Schedule:      fastSchedule(),
		RatePerSecond: rate, Burst: burst, MaxInFlight: 4, RequestTimeout: 5 * time.Second,
		Logf: logf,
	})
	svc.Attach(p)
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
	// The alerts notified what rec.format wrote for.
	notifiedEv := map[uint64]account.Event{}
	for _, f := range rec.allFormatted() {
		if _, dup := notifiedEv[f.ev.ID]; dup {
			t.Errorf("event %v notified twice", f.ev)
		}
		notifiedEv[f.ev.ID] = f.ev
	}
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
		case account.KindDelivered:
			for _, d := range ev.Deliveries {
				gotAccounts[ev.Order] = append(gotAccounts[ev.Order], d.Value)
			}
			if _, ok := notifiedEv[ev.ID]; !ok {
				t.Errorf("delivery %v not notified", ev)
			}
		case account.KindCodeReceived:
			for _, d := range ev.Deliveries {
				gotCodes[ev.Order] = append(gotCodes[ev.Order], d.Value)
			}
		case account.KindNumberExpired:
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
		if _, ok := notifiedEv[ev.ID]; ok && ev.ID != 0 {
			notified++
			if (ev.Kind == account.KindStatusChanged || ev.Kind == account.KindDelivered) && ev.Terminal {
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
