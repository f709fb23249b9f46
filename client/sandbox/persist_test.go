package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// body posts an action and returns the raw answer, failing on a non-200
// status.
func body(t testing.TB, s *Server, kv ...string) string {
	t.Helper()
	w := raw(t, s, form(append([]string{"key", s.Key()}, kv...)...))
	if w.Code != 200 {
		t.Fatalf("%v: status %d", kv, w.Code)
	}
	return w.Body.String()
}

func newStateServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func checkMode(t testing.TB, name string) {
	t.Helper()
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := os.Stat(name + ".tmp"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temporary file left behind: %v", err)
	}
}

// sameAnswers checks that two servers answer every question about the
// account identically at the current time.
func sameAnswers(t testing.TB, a, b *Server, orders, sms []int, rows []int) {
	t.Helper()
	ask := func(kv ...string) {
		t.Helper()
		if x, y := body(t, a, kv...), body(t, b, kv...); x != y {
			t.Fatalf("%v:\n before restart %s\n after restart  %s", kv, x, y)
		}
	}
	ask("action", "balance")
	for _, id := range orders {
		ask("action", "status", "order", itoa(id))
	}
	for _, id := range sms {
		ask("action", "sms_status", "order", itoa(id))
		ask("action", "sms_code", "order", itoa(id))
	}
	for _, n := range rows {
		ask("action", "inventory", "service", itoa(n))
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "demo", "sandbox-state.json")
	clk := newClock()
	opts := Options{Seed: 7, Balance: "5000", Now: clk.Now, StateFile: file}
	s1 := newStateServer(t, opts)
	checkMode(t, file) // a fresh account is written at once

	// Ten orders (the 5th ends Canceled, the 10th Partial): SMM, Custom
	// Comments, and products, one of them spilling over two subproducts.
	smm := smmRow(t, s1, 2)
	cc := findRow(t, s1, func(r *row) bool { return r.typ == "Custom Comments" && s1.stock[r.slot].Load() > 100 })
	prod := findRow(t, s1, func(r *row) bool {
		return r.kind == entityProduct && r.auto && r.cred == credEmail && s1.stock[r.subs[0].slot].Load() >= 20
	})
	spill := findRow(t, s1, func(r *row) bool {
		return r.kind == entityProduct && r.auto && len(r.subs) > 1 && r != prod &&
			s1.stock[r.subs[0].slot].Load() > 0 && s1.stock[r.subs[1].slot].Load() > 0 &&
			s1.stock[r.subs[0].slot].Load()+1 <= int64(r.max)
	})
	rows := []int{smm.number, cc.number, prod.number, spill.number}
	var orders []int
	add := func(kv ...string) {
		t.Helper()
		orders = append(orders, num(t, obj(t, s1, append([]string{"action", "add"}, kv...)...)["order"]))
		clk.Advance(300 * time.Millisecond)
	}
	add("service", itoa(smm.number), "quantity", itoa(smm.min*10), "link", "https://x.test/a")
	add("service", itoa(cc.number), "link", "https://x.test/b", "comments", "one\ntwo\nthree\nfour 😍\nfive")
	add("service", itoa(prod.number), "quantity", "3")
	add("service", itoa(spill.number), "quantity", itoa(int(s1.stock[spill.subs[0].slot].Load()+1)))
	add("service", itoa(prod.number), "quantity", "4") // 5th: Canceled
	for range 4 {
		add("service", itoa(smm.number), "quantity", itoa(smm.min), "link", "https://x.test/c")
	}

	// SMS: five numbers (the 5th never gets a code), then one reused.
	var sms []int
	placed := addSMS(t, s1, "project_id", s1.cat.projects[0].id, "quantity", "5")
	for _, o := range placed {
		sms = append(sms, num(t, o["order"]))
	}
	clk.Advance(SMSCodeMax)
	code0 := str(t, obj(t, s1, "action", "sms_code", "order", itoa(sms[0]))["code"])
	again := addSMS(t, s1, "project_id", s1.cat.projects[1].id, "phone", str(t, placed[0]["phone"]))
	sms = append(sms, num(t, again[0]["order"]))

	add("service", itoa(prod.number), "quantity", "10") // 10th: Partial, refunded in part
	clk.Advance(3 * time.Second)

	// Some orders are still running; the Canceled one has been refunded.
	if st := getStatus(t, s1, orders[len(orders)-1]); st["status"] != "In progress" && st["status"] != "Pending" {
		t.Fatalf("last order already %v", st["status"])
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	checkMode(t, file)

	// The demo is down for a while; then it starts again on the same file.
	// s1 stays alive, detached from the file, as the reference.
	clk.Advance(1500 * time.Millisecond)
	s2 := newStateServer(t, opts)
	sameAnswers(t, s1, s2, orders, sms, rows)
	if c := obj(t, s2, "action", "sms_code", "order", itoa(sms[0])); c["code"] != code0 {
		t.Fatalf("code after restart %v, want %s", c, code0)
	}

	// Time goes on: both progress identically to the end.
	for range 90 {
		clk.Advance(time.Second)
		sameAnswers(t, s1, s2, orders, sms, nil)
	}
	sameAnswers(t, s1, s2, orders, sms, rows)
	seen := map[string]int{}
	for _, id := range orders {
		st := getStatus(t, s2, id)
		seen[str(t, st["status"])]++
	}
	if seen["Completed"] != 8 || seen["Canceled"] != 1 || seen["Partial"] != 1 {
		t.Fatalf("final statuses %v", seen)
	}
	if st := getStatus(t, s2, orders[2]); len(st["accounts"].([]any)) != 3 {
		t.Fatalf("product order after restart: %v", st)
	}
	// Every number has expired; the reused one had got its code.
	clk.Advance(SMSLifetime)
	sameAnswers(t, s1, s2, nil, sms, nil)
	if st := obj(t, s2, "action", "sms_status", "order", itoa(sms[5])); st["status"] != "expired" || st["code"] == nil {
		t.Fatalf("reused number %v", st)
	}

	// Closing s1 detached it: its new order does not reach the file.
	saved, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	idA := num(t, obj(t, s1, "action", "add", "service", itoa(smm.number), "quantity", itoa(smm.min), "link", "l")["order"])
	if got, _ := os.ReadFile(file); !bytes.Equal(got, saved) {
		t.Fatal("a closed server wrote the file")
	}
	// The ids continue on the restarted server (the same next id s1 gave).
	idB := num(t, obj(t, s2, "action", "add", "service", itoa(smm.number), "quantity", itoa(smm.min), "link", "l")["order"])
	if idB != orders[len(orders)-1]+1 || idB != idA {
		t.Fatalf("next id %d after %d (s1 gave %d)", idB, orders[len(orders)-1], idA)
	}
	sms2 := num(t, addSMS(t, s2, "project_id", s2.cat.projects[0].id)[0]["order"])
	if sms2 != idB+1 {
		t.Fatalf("sms id %d after order %d", sms2, idB)
	}
	checkMode(t, file)

	// A third start sees the second one's orders and numbers, no id reused.
	s3 := newStateServer(t, opts)
	all := append(append([]int{}, orders...), idB)
	sameAnswers(t, s2, s3, all, append(sms, sms2), rows)
	if id := num(t, obj(t, s3, "action", "add", "service", itoa(smm.number), "quantity", itoa(smm.min), "link", "l")["order"]); id != sms2+1 {
		t.Fatalf("id %d after %d", id, sms2)
	}
	if st := s3.Stats(); st.OrdersPlaced != 1 {
		t.Fatalf("stats are per process: %+v", st)
	}
}

// An order that ended while no server ran is terminal at the next start and
// its refund is credited exactly once.
func TestStateDowntime(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	clk := newClock()
	opts := Options{Seed: 3, Balance: "1000", Now: clk.Now, StateFile: file, Speed: 10}
	s1 := newStateServer(t, opts)
	smm := smmRow(t, s1, 2)
	var ids []int
	for range 5 {
		ids = append(ids, placeOrder(t, s1, smm, smm.min))
	}
	before := s1.BalanceString()
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	// Another Speed only applies to new orders; the old keep their timeline.
	opts.Speed = 0.001
	s2 := newStateServer(t, opts)
	sameAnswers(t, s1, s2, ids, nil, []int{smm.number})
	if st := getStatus(t, s2, ids[4]); st["status"] != "Canceled" {
		t.Fatalf("5th order %v", st)
	}
	after := s2.BalanceString()
	if after == before || after != s1.BalanceString() {
		t.Fatalf("balance %s before, %s after (reference %s)", before, after, s1.BalanceString())
	}
	if err := s2.Save(); err != nil { // BalanceString credited the refund: saved
		t.Fatal(err)
	}
	s3 := newStateServer(t, opts)
	if got := s3.BalanceString(); got != after {
		t.Fatalf("refund credited twice or lost: %s, want %s", got, after)
	}
}

func TestStateBadFiles(t *testing.T) {
	dir := t.TempDir()
	clk := newClock()
	good := filepath.Join(dir, "good.json")
	s := newStateServer(t, Options{Seed: 7, Now: clk.Now, StateFile: good})
	placeOrder(t, s, smmRow(t, s, 2), smmRow(t, s, 2).min)
	addSMS(t, s, "project_id", s.cat.projects[0].id)
	valid, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(valid, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	firstOrder := func(m map[string]any) map[string]any { return m["orders"].([]any)[0].(map[string]any) }
	cases := []struct {
		name string
		data []byte
		opts Options
	}{
		{"garbage", []byte("\x00\x01 not json"), Options{Seed: 7}},
		{"empty", nil, Options{Seed: 7}},
		{"truncated", valid[:len(valid)/2], Options{Seed: 7}},
		{"other json", []byte(`{"hello":"world"}`), Options{Seed: 7}},
		{"other version", edit(func(m map[string]any) { m["version"] = 99 }), Options{Seed: 7}},
		{"other seed", valid, Options{Seed: 8}},
		{"other size", valid, Options{Seed: 7, Services: 500}},
		{"other catalog", edit(func(m map[string]any) { m["catalog"] = "0" }), Options{Seed: 7}},
		{"unknown service", edit(func(m map[string]any) { firstOrder(m)["service"] = 1e6 }), Options{Seed: 7}},
		{"bad money", edit(func(m map[string]any) { m["balance"] = "1.000001" }), Options{Seed: 7}},
		{"bad outcome", edit(func(m map[string]any) { firstOrder(m)["outcome"] = "lost" }), Options{Seed: 7}},
		{"id reused", edit(func(m map[string]any) { m["nextId"] = firstOrderID }), Options{Seed: 7}},
		{"unknown project", edit(func(m map[string]any) { m["sms"].([]any)[0].(map[string]any)["project"] = "x" }), Options{Seed: 7}},
		{"stock", edit(func(m map[string]any) { m["stock"] = []any{map[string]any{"slot": 1 << 30, "delta": -1}} }), Options{Seed: 7}},
	}
	for _, c := range cases {
		name := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".json")
		if err := os.WriteFile(name, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		c.opts.StateFile, c.opts.Now = name, clk.Now
		s, err := New(c.opts)
		if s != nil || !errors.Is(err, ErrState) {
			t.Errorf("%s: New = %v, %v; want an ErrState", c.name, s, err)
			continue
		}
		if got, _ := os.ReadFile(name); !bytes.Equal(got, c.data) {
			t.Errorf("%s: the bad file was changed", c.name)
		}
	}
	// The untouched file still loads; the app resets by deleting a bad one.
	if _, err := New(Options{Seed: 7, Now: clk.Now, StateFile: good}); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "garbage.json")
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	s2 := newStateServer(t, Options{Seed: 7, Now: clk.Now, StateFile: bad, Balance: "42"})
	if s2.BalanceString() != "42.00" {
		t.Fatal("reset account")
	}

	// A path that cannot be written fails New, but not with ErrState.
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateFile: filepath.Join(blocker, "state.json")}); err == nil || errors.Is(err, ErrState) {
		t.Fatalf("unwritable path: %v", err)
	}
}

func TestStateConcurrent(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	clk := newClock()
	opts := Options{Seed: 5, Balance: "100000", Now: clk.Now, StateFile: file}
	s := newStateServer(t, opts)
	svc := smmRow(t, s, 4)
	pid := s.cat.projects[3].id
	var wg sync.WaitGroup
	const workers, each = 6, 12
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				switch i % 4 {
				case 0, 1:
					try(t, s, "action", "add", "service", itoa(svc.number), "quantity", itoa(svc.min+w), "link", "l")
				case 2:
					try(t, s, "action", "add_sms", "project_id", pid, "quantity", "2")
				default:
					try(t, s, "action", "balance")
				}
				clk.Advance(200 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if err := s.StateError(); err != nil {
		t.Fatal(err)
	}
	n := workers * each / 4 * 2
	nSMS := workers * each / 4 * 2
	var ids, smsIDs []int
	for id := firstOrderID; id < firstOrderID+n+nSMS; id++ {
		s.mu.Lock()
		_, isOrder := s.orders[int64(id)]
		s.mu.Unlock()
		if isOrder {
			ids = append(ids, id)
		} else {
			smsIDs = append(smsIDs, id)
		}
	}
	if len(ids) != n {
		t.Fatalf("%d orders, want %d", len(ids), n)
	}
	// Every answered order is in the file, without waiting for Close.
	s2 := newStateServer(t, opts)
	if err := s.Close(); err != nil { // detach s: only s2 writes from now on
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	sameAnswers(t, s, s2, ids, smsIDs, []int{svc.number})
	checkMode(t, file)
}

func TestRunningCloseSaves(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	clk := newClock()
	opts := Options{Seed: 1, Now: clk.Now, StateFile: file}
	s := newStateServer(t, opts)
	rn, err := Listen("127.0.0.1:0", s)
	if err != nil {
		t.Fatal(err)
	}
	// A refund credited through the Go API only, then Running.Close.
	s.mu.Lock()
	s.balance = s.balance.Sub(units(10000))
	s.changedLocked()
	s.mu.Unlock()
	if err := rn.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := newStateServer(t, opts).BalanceString(); got != "99.00" {
		t.Fatalf("balance after Running.Close %s", got)
	}
}

// Each answered add and add_sms is on disk already: a server that dies without
// Close loses nothing it answered.
func TestStateSavedBeforeAnswer(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	clk := newClock()
	opts := Options{Seed: 9, Now: clk.Now, StateFile: file}
	s := newStateServer(t, opts)
	svc := smmRow(t, s, 2)
	id := placeOrder(t, s, svc, svc.min)
	sms := num(t, addSMS(t, s, "project_id", s.cat.projects[2].id)[0]["order"])
	s2 := newStateServer(t, opts) // s is simply dropped
	sameAnswers(t, s, s2, []int{id}, []int{sms}, []int{svc.number})
	if next := placeOrder(t, s2, svc, svc.min); next != sms+1 {
		t.Fatalf("next id %d after %d", next, sms)
	}
}
