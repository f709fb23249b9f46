//go:build unix

package watch

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

const killEnv = "HSTOCKPLUS_WATCH_KILL_CHILD"

// sinkLog appends one line per sink call to a file, synced, so that what a killed process told
// its sinks survives it.
type sinkLog struct {
	mu sync.Mutex
	f  *os.File
}

func (l *sinkLog) line(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = fmt.Fprintf(l.f, format+"\n", args...)
	_ = l.f.Sync()
}

// logCopier is the alerts' Copier: it logs each copy.
type logCopier struct{ log *sinkLog }

func (c logCopier) CopySecret(s string) error {
	c.log.line("copy %s", s)
	return nil
}

// TestKillChild is the poller process of TestKillRestart: it polls the parent's sandbox with
// an on-disk store until it is killed — or, in "finish" mode, until nothing is left to track.
func TestKillChild(t *testing.T) {
	if os.Getenv(killEnv) != "1" {
		t.Skip("helper process of TestKillRestart")
	}
	key, _ := hex.DecodeString(os.Getenv("KILL_KEY"))
	store, err := cache.Open(os.Getenv("KILL_DIR"), cache.Options{EncryptionKey: key, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(os.Getenv("KILL_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	log := &sinkLog{f: f}
	log.line("start %s", os.Getenv("KILL_INC"))
	api := newPollerClient(t, os.Getenv("KILL_URL"), "demo")
	svc, err := account.New(account.Params{Store: store, API: api, CheckAPI: api, Hooks: account.Hooks{
		BeforeClaim: func([]uint64) {
			time.Sleep(3 * time.Millisecond) // widen the store→claim window, for kills to land in it
		},
		Claimed: func(ids []uint64) {
			s := make([]string, len(ids))
			for i, id := range ids {
				s[i] = strconv.FormatUint(id, 10)
			}
			log.line("marked %s", strings.Join(s, ","))
			time.Sleep(3 * time.Millisecond) // widen the claim→listener window likewise
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The listener that logs first, then the alerts: the same order as in the app (the window
	// and the tray before the alerts).
	svc.Subscribe(func(ev account.Event) {
		if ev.ID == 0 {
			return
		}
		vals := make([]string, len(ev.Deliveries))
		for i, d := range ev.Deliveries {
			vals[i] = d.Value
		}
		log.line("listen %d %s %d %t %s", ev.ID, ev.Kind, ev.Order, ev.Replayed, strings.Join(vals, "|"))
	})
	alerts := account.NewAlerts(account.AlertParams{
		Settings: svc.Settings,
		Notifier: account.NotifierFunc(func(title, body string) {
			id, _, _ := strings.Cut(strings.TrimPrefix(title, "["), "]")
			log.line("notify %s", id)
		}),
		// Called only for an event the alerts notify: "format" is their decision, logged.
		Format: func(ev account.Event, copied bool) (string, string) {
			title, body := account.DefaultText(ev, copied)
			if title == "" {
				return "", ""
			}
			log.line("format %d", ev.ID)
			return fmt.Sprintf("[%d] %s", ev.ID, title), body
		},
		Copier: logCopier{log: log},
	})
	svc.Subscribe(alerts.Handle)
	p := New(svc, Options{
		Schedule:      fastSchedule(),
		RatePerSecond: 200, Burst: 10, MaxInFlight: 4, RequestTimeout: 5 * time.Second,
	})
	svc.Attach(p)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	if os.Getenv("KILL_MODE") == "finish" {
		deadline := time.Now().Add(60 * time.Second)
		for {
			s := p.Stats()
			if s.Requests > 0 && s.Orders == 0 && s.Numbers == 0 && s.InFlight == 0 && s.Unmarked == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not finished after 60 s: %+v", s)
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
		log.line("finished")
		return
	}
	t.Fatal(<-done) // killed before this
}

// TestKillRestart kills the poller's process with SIGKILL at random moments, many times, with
// new orders and numbers placed between the runs, against a sandbox with its faults on served by
// this (parent) process; then lets it finish. Nothing delivered is lost from the vault or stored
// twice; no sink ever sees an event twice; and an event a sink missed can only be one whose
// process was killed between marking it and telling the sinks.
func TestKillRestart(t *testing.T) {
	t.Parallel()
	rounds := 24
	if testing.Short() {
		rounds = 10
	}
	e := newSandboxEnv(t, sandbox.Options{Speed: 300, Seed: 11})
	faults := testFaults
	faults.RateLimit = 0.001
	dir := t.TempDir()
	key := make([]byte, cache.EncryptionKeySize)
	_, _ = rand.Read(key)
	logPath := filepath.Join(dir, "sinks.log")
	ctx := context.Background()

	var orders, numbers []int64
	place := func(round int) {
		t.Helper()
		e.sb.SetFaults(sandbox.Faults{}) // a spend whose answer is lost cannot be tracked: by design
		defer e.sb.SetFaults(faults)
		store, err := cache.Open(dir, cache.Options{EncryptionKey: key, GCInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		n := 3
		if round == 0 {
			n = 10
		}
		for i := range n {
			k := round*10 + i
			svc := e.auto[k%len(e.auto)]
			switch k % 4 {
			case 1:
				svc = e.manual[k%len(e.manual)]
			case 2:
				svc = e.smm[k%len(e.smm)]
			}
			id, err := e.placeOrder(ctx, store, svc, k%5 == 3)
			if err != nil {
				t.Fatal(err)
			}
			orders = append(orders, id)
		}
		if round%3 == 0 {
			ids, err := e.placeSMS(ctx, store, 1+round%4)
			if err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, ids...)
		}
	}
	child := func(inc int, mode string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killEnv+"=1",
			"KILL_DIR="+dir, "KILL_KEY="+hex.EncodeToString(key), "KILL_URL="+e.rn.URL,
			"KILL_LOG="+logPath, "KILL_INC="+strconv.Itoa(inc), "KILL_MODE="+mode)
		out, err := os.Create(filepath.Join(dir, fmt.Sprintf("child-%d.out", inc)))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = out, out
		t.Cleanup(func() { out.Close() })
		return cmd
	}

	kills := 0
	for round := range rounds {
		if round < rounds*2/3 {
			place(round)
		}
		cmd := child(round, "run")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at a random moment — mostly in the middle of the work: once the child has written
		// a random amount to the sinks' log (plus a few random milliseconds), else after a
		// random time.
		base := fileSize(logPath)
		grow := int64(40 + mrand.IntN(600))
		limit := time.Now().Add(time.Duration(100+mrand.IntN(700)) * time.Millisecond)
		for time.Now().Before(limit) && fileSize(logPath) < base+grow {
			time.Sleep(500 * time.Microsecond)
		}
		time.Sleep(time.Duration(mrand.IntN(4000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			kills++
		} else {
			out, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("child-%d.out", round)))
			t.Fatalf("round %d: the child ended by itself (%v):\n%s", round, err, out)
		}
	}
	cmd := child(rounds, "finish")
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("child-%d.out", rounds)))
		t.Fatalf("final run: %v\n%s", err, out)
	}

	accounts, codes := e.truthOf(t, orders, numbers)
	store, err := cache.Open(dir, cache.Options{EncryptionKey: key, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	checkVault(t, store, accounts, codes, numbers)
	events, err := store.RecentEvents(0)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[uint64]cache.Event{}
	for _, ev := range events {
		byID[ev.ID] = ev
		if !ev.Notified {
			t.Errorf("event %d never marked notified", ev.ID)
		}
	}

	// Read the sinks' log, incarnation by incarnation.
	type incarnation struct {
		lines      []string
		lastMarked []uint64
		active     bool // it handed something to the sinks before it died
	}
	replayed := 0
	var incs []*incarnation
	listened := map[uint64]int{}
	notified := map[uint64]int{}
	wantNotify := map[uint64]bool{} // the alerts decided to notify it, or must have
	formatted := map[uint64]bool{}  // the alerts wrote its notification
	copies := map[string]int{}
	listenedValues := map[int64][]string{}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	finished := false
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if fields[0] == "start" {
			incs = append(incs, &incarnation{})
			continue
		}
		cur := incs[len(incs)-1]
		cur.lines = append(cur.lines, line)
		switch fields[0] {
		case "marked":
			cur.lastMarked = nil
			for _, s := range strings.Split(fields[1], ",") {
				id, _ := strconv.ParseUint(s, 10, 64)
				cur.lastMarked = append(cur.lastMarked, id)
			}
		case "listen":
			id, _ := strconv.ParseUint(fields[1], 10, 64)
			listened[id]++
			switch account.Kind(fields[2]) {
			case account.KindDelivered, account.KindCodeReceived, account.KindNumberExpired, account.KindLowBalance:
				wantNotify[id] = true // always notified (final statuses too, unless a delivery says them)
			}
			if len(fields) > 5 && (fields[2] == string(account.KindDelivered) || fields[2] == string(account.KindCodeReceived)) {
				order, _ := strconv.ParseInt(fields[3], 10, 64)
				listenedValues[order] = append(listenedValues[order], strings.Split(fields[5], "|")...)
			}
			if fields[4] == "true" {
				replayed++
			}
			cur.active = true
		case "format":
			id, _ := strconv.ParseUint(fields[1], 10, 64)
			wantNotify[id] = true
			formatted[id] = true
		case "notify":
			id, _ := strconv.ParseUint(fields[1], 10, 64)
			notified[id]++
		case "copy":
			copies[fields[1]]++
		case "finished":
			finished = true
		}
	}
	// A child killed while starting wrote nothing; the last one is the one that finished.
	if !finished || len(incs) > rounds+1 || len(incs) < 2 {
		t.Fatalf("log: %d incarnations, finished %v", len(incs), finished)
	}

	// Never repeated.
	for id, n := range listened {
		if n > 1 {
			t.Errorf("event %d (%v) handed to the listeners %d times", id, byID[id].Kind, n)
		}
	}
	for id, n := range notified {
		if n > 1 {
			t.Errorf("event %d notified %d times", id, n)
		}
		if !formatted[id] {
			t.Errorf("event %d notified, but the alerts did not decide so", id)
		}
	}
	for v, n := range copies {
		if n > 1 {
			t.Errorf("%q copied %d times", v, n)
		}
	}
	// Missed only in the window between the mark and the sinks of a killed process: the events of
	// the last batch it marked (or of a batch whose "marked" line the kill prevented).
	inLastBatch := map[uint64]bool{}
	killed := incs[:len(incs)-1]
	for _, inc := range killed {
		for _, id := range inc.lastMarked {
			inLastBatch[id] = true
		}
	}
	missed, unattributed := 0, 0
	for id := range byID {
		if listened[id] == 0 {
			missed++
			if !inLastBatch[id] {
				unattributed++
			}
		}
	}
	for id := range wantNotify {
		if notified[id] == 0 {
			missed++
			if !inLastBatch[id] {
				t.Errorf("event %d: to be notified, but no notification was sent, and no kill came between", id)
			}
		}
	}
	// An event missed by the listeners is one of the last batch a killed process marked — or of
	// a batch it marked and was killed before it could log so (one batch per kill at most).
	if unattributed > 2*kills {
		t.Errorf("%d events missed by a sink (%d not in a killed process's last batch) for %d kills", missed, unattributed, kills)
	}
	// Every delivery reached the listeners once (but those of missed events).
	for id, want := range accounts {
		if got := listenedValues[id]; !sameSet(got, want) && !subsetOnce(got, want) {
			t.Errorf("order %d: listeners got %d accounts, want %d", id, len(got), len(want))
		}
	}
	for id, c := range codes {
		if got := listenedValues[id]; len(got) > 1 || (len(got) == 1 && got[0] != c) {
			t.Errorf("number %d: listeners got %v", id, len(got))
		}
		if copies[c] > 1 {
			t.Errorf("code of %d copied %d times", id, copies[c])
		}
	}
	active := 0
	for _, inc := range killed {
		if inc.active {
			active++
		}
	}
	st := e.sb.Stats()
	t.Logf("%d orders, %d numbers (%d codes); %d kills (%d after the child started), %d of them after the poller had told its sinks something; "+
		"%d events, %d handed out again after a restart (stored, not yet marked, when killed), %d missed by a sink (killed between mark and sink); "+
		"sandbox: %d requests, faults %v",
		len(orders), len(numbers), len(codes), kills, len(killed), active, len(events), replayed, missed, sumMap(st.Requests), st.Faults)
}

// subsetOnce reports whether got holds values of want, each at most once.
func subsetOnce(got, want []string) bool {
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] || !contains(want, g) {
			return false
		}
		seen[g] = true
	}
	return true
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
