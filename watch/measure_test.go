//go:build unix

package watch

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

const measureEnv = "HSTOCKPLUS_WATCH_SANDBOX_CHILD"

// TestMeasureSandbox is the sandbox process of BenchmarkPollerLoad: it serves a slow sandbox (orders
// and numbers stay open) and answers "stats" on stdin with its request counters.
func TestMeasureSandbox(t *testing.T) {
	if os.Getenv(measureEnv) != "1" {
		t.Skip("helper process of BenchmarkPollerLoad")
	}
	sb, err := sandbox.New(sandbox.Options{Speed: 0.0001, Balance: "10000000.00", Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	rn, err := sandbox.Listen("127.0.0.1:0", sb)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("URL %s %s\n", rn.URL, rn.Key)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		b, _ := json.Marshal(sb.Stats())
		fmt.Printf("STATS %s\n", b)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPollerLoad measures the poller with 1,000 open orders and 50 SMS numbers at the
// default schedule and limits: requests per minute at the sandbox (served by another process, so
// that the CPU time measured is the poller's: client, scheduler, store) and CPU time while
// waiting. It is one measurement over a window of wall-clock time, whatever -benchtime says
// (b.Loop: the function runs once per -count): `make bench` reports it as
//
//	req/min         requests per minute the sandbox counted (the limit: 240)
//	demand-req/min  what the schedule asks for
//	order-req/min   of req/min, the orders' status checks; sms-req/min the numbers' (sms_code, sms_status)
//	order-min       the mean interval between two checks of an order, in minutes (open orders ÷ order-req/min)
//	sched-order-min what the schedule asks for it (open orders ÷ the orders' demand)
//	cpu-%           CPU time of the process while the poller ran, in % of one core
//	idle-cpu-%      likewise with the store open and no poller (Badger's own work)
//
// HSTOCKPLUS_MEASURE_SECONDS sets the window (default 90: over 20 s, the numbers' first looks
// at start made the orders look served every 67 min where 90 s give 12), HSTOCKPLUS_MEASURE_NUMBERS the
// number of SMS numbers (default 50, in fives), HSTOCKPLUS_MEASURE_SPREAD=schedule has the last
// checks spread over the intervals unstretched. Skipped with -short, and under the race detector
// unless HSTOCKPLUS_MEASURE=1.
func BenchmarkPollerLoad(b *testing.B) {
	if testing.Short() {
		b.Skip("measurement: skipped with -short")
	}
	if raceEnabled && os.Getenv("HSTOCKPLUS_MEASURE") != "1" {
		b.Skip("measurement: figures under the race detector mean nothing (HSTOCKPLUS_MEASURE=1 to run anyway)")
	}
	m := measureLoad(b)
	for b.Loop() {
		// The figures are the window's, not per iteration: nothing to repeat.
	}
	b.ReportMetric(0, "ns/op") // meaningless here: suppressed
	b.ReportMetric(m.perMin, "req/min")
	b.ReportMetric(m.demand*60, "demand-req/min")
	b.ReportMetric(m.orderPerMin, "order-req/min")
	b.ReportMetric(m.smsPerMin, "sms-req/min")
	b.ReportMetric(m.orderEvery.Minutes(), "order-min")
	b.ReportMetric(m.schedOrderEvery.Minutes(), "sched-order-min")
	b.ReportMetric(m.cpu, "cpu-%")
	b.ReportMetric(m.idleCPU, "idle-cpu-%")
}

// loadFigures are what measureLoad found.
type loadFigures struct {
	perMin, demand, cpu, idleCPU float64
	orderPerMin, smsPerMin       float64
	orderEvery, schedOrderEvery  time.Duration // mean interval between two checks of an order: measured, scheduled
}

func measureLoad(t testing.TB) loadFigures {
	window := 90 * time.Second // 20 s showed the start: numbers first looked at, orders later
	if s, err := strconv.Atoi(os.Getenv("HSTOCKPLUS_MEASURE_SECONDS")); err == nil && s > 0 {
		window = time.Duration(s) * time.Second
	}
	smsBatches := 10 // of 5 numbers
	if s, err := strconv.Atoi(os.Getenv("HSTOCKPLUS_MEASURE_NUMBERS")); err == nil && s >= 0 {
		smsBatches = (s + 4) / 5
	}

	// The sandbox, in a child process.
	cmd := exec.Command(os.Args[0], "-test.run=^TestMeasureSandbox$", "-test.count=1")
	cmd.Env = append(os.Environ(), measureEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdoutPipe, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	out := bufio.NewScanner(stdoutPipe)
	var url, key string
	for out.Scan() {
		if f := strings.Fields(out.Text()); len(f) == 3 && f[0] == "URL" {
			url, key = f[1], f[2]
			break
		}
	}
	if url == "" {
		t.Fatal("the sandbox process did not start")
	}
	stats := func() sandbox.Stats {
		if _, err := io.WriteString(stdin, "stats\n"); err != nil {
			t.Fatal(err)
		}
		for out.Scan() {
			if s, ok := strings.CutPrefix(out.Text(), "STATS "); ok {
				var st sandbox.Stats
				if err := json.Unmarshal([]byte(s), &st); err != nil {
					t.Fatal(err)
				}
				return st
			}
		}
		t.Fatal("no stats")
		return sandbox.Stats{}
	}

	// The store, on disk like the app's, with 1,000 open orders and 50 numbers of mixed ages,
	// each last checked within its interval (stretched: see below): a running app's steady state.
	e := remoteSandboxEnv(t, url, key)
	dir := t.TempDir()
	dbKey := make([]byte, cache.EncryptionKeySize)
	_, _ = rand.Read(dbKey)
	var clock atomic.Pointer[time.Time] // the store's clock while setting up; nil: the real one
	now := time.Now()
	store, err := cache.Open(dir, cache.Options{EncryptionKey: dbKey, Now: func() time.Time {
		if c := clock.Load(); c != nil {
			return *c
		}
		return time.Now()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	at := func(t time.Time) { clock.Store(&t) }
	sched := DefaultSchedule()
	ctx := context.Background()
	rng := mrand.New(mrand.NewPCG(13, 13)) // the same ages on every run: runs compare
	var demand, orderDemand float64        // requests per second the schedule asks for
	placedOrders, manual := 0, 0
	// Each is recorded as last checked once all are placed, when the demand is known.
	type lastCheck struct {
		id  int64
		ost *client.OrderStatus
		sst *client.SMSStatus
		iv  time.Duration
	}
	var checks []lastCheck
	for i := 0; placedOrders < 1000; i++ {
		age := time.Duration(rng.Int64N(int64(24 * time.Hour)))
		placed := now.Add(-age)
		at(placed)
		svc := e.smm[i%len(e.smm)]
		if i%10 < 3 {
			svc = e.manual[i%len(e.manual)]
		}
		id, err := e.placeOrder(ctx, store, svc, false)
		if err != nil {
			if errors.Is(err, client.ErrNotSent) {
				continue // sold out: the next row
			}
			t.Fatal(err)
		}
		st, err := e.truth.Status(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		iv := sched.OrderInterval(age, !st.AutoDelivery)
		demand += 1 / iv.Seconds()
		orderDemand += 1 / iv.Seconds()
		checks = append(checks, lastCheck{id: id, ost: st, iv: iv})
		placedOrders++
		if !st.AutoDelivery {
			manual++
		}
	}
	numbers := 0
	for range smsBatches {
		age := time.Duration(rng.Int64N(int64(15 * time.Minute)))
		placed := now.Add(-age)
		at(placed)
		ids, err := e.placeSMS(ctx, store, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			st, err := e.truth.SMSStatus(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			st.ExpiresAt = placed.Add(20 * time.Minute)
			iv := sched.SMSInterval(age)
			demand += 1 / iv.Seconds()
			checks = append(checks, lastCheck{id: id, sst: st, iv: iv})
			numbers++
		}
	}
	// The last checks: within each one's interval, stretched as the load calls for when it asks
	// more than 90 % of the limit (the poller's steady state; HSTOCKPLUS_MEASURE_SPREAD=schedule:
	// within the interval itself).
	spread := max(1, demand/(0.9*DefaultRatePerSecond-1/sched.Balance.Seconds()))
	if os.Getenv("HSTOCKPLUS_MEASURE_SPREAD") == "schedule" {
		spread = 1
	}
	for _, c := range checks {
		at(now.Add(-time.Duration(rng.Int64N(int64(float64(c.iv) * spread)))))
		var err error
		if c.ost != nil {
			_, err = store.RecordOrderStatus(c.id, *c.ost)
		} else {
			_, err = store.RecordSMSStatus(c.id, *c.sst)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	clock.Store(nil)
	// The events of that history were notified long ago.
	pending, err := store.PendingEvents()
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range pending {
		if err := store.MarkNotified(ev.ID); err != nil {
			t.Fatal(err)
		}
	}

	// Baseline: the store open (Badger's background work), no poller.
	base := min(window, 10*time.Second)
	b0, bw0 := cpuTime(), time.Now()
	time.Sleep(base)
	baseCPU, baseWall := cpuTime()-b0, time.Since(bw0)

	svc := newService(t, store, e.api, nil, t.Logf, sinks{})
	p := New(svc, Options{Logf: t.Logf})
	svc.Attach(p)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	s0 := stats()
	cpu0, wall0 := cpuTime(), time.Now()
	go func() { done <- p.Run(runCtx) }()
	time.Sleep(window)
	cpu1, wall1 := cpuTime(), time.Now()
	s1 := stats()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ps := p.Stats()
	reads := map[string]int{}
	total := 0
	for _, a := range []string{"status", "sms_code", "sms_status", "balance"} {
		reads[a] = s1.Requests[a] - s0.Requests[a]
		total += reads[a]
	}
	wall := wall1.Sub(wall0)
	perMin := float64(total) / wall.Minutes()
	cpu := cpu1 - cpu0
	t.Logf("open: %d orders (%d by hand, ages 0–24 h), %d SMS numbers (ages 0–15 min), last checked within %.2f× their interval; the schedule asks %.1f req/s (%.0f/min: orders %.0f, numbers %.0f), the limit is %.0f/s",
		placedOrders, manual, numbers, spread, demand, demand*60, orderDemand*60, (demand-orderDemand)*60, DefaultRatePerSecond)
	t.Logf("over %v: %d requests at the sandbox = %.0f/min (%v); CPU %v = %.2f%% of one core; poller: %+v",
		wall.Round(time.Millisecond), total, perMin, reads, cpu.Round(time.Millisecond), 100*cpu.Seconds()/wall.Seconds(), ps)
	if bound := DefaultRatePerSecond*wall.Seconds() + DefaultBurst; float64(total) > bound {
		t.Errorf("%d requests in %v: over the bound %.0f", total, wall, bound)
	}

	orderPerMin := float64(reads["status"]) / wall.Minutes()
	smsPerMin := float64(reads["sms_code"]+reads["sms_status"]) / wall.Minutes()
	var orderEvery time.Duration
	if orderPerMin > 0 {
		orderEvery = time.Duration(float64(placedOrders) / orderPerMin * float64(time.Minute))
	}
	schedOrderEvery := time.Duration(float64(placedOrders) / orderDemand * float64(time.Second))
	t.Logf("per minute: %.0f order checks, %.0f SMS checks; each order checked every %v on average (the schedule asks every %v)",
		orderPerMin, smsPerMin, orderEvery.Round(time.Second), schedOrderEvery.Round(time.Second))

	t.Logf("baseline, the store open without the poller, over %v: CPU %v = %.2f%% of one core",
		baseWall.Round(time.Millisecond), baseCPU.Round(time.Millisecond), 100*baseCPU.Seconds()/baseWall.Seconds())
	return loadFigures{
		perMin: perMin, demand: demand,
		cpu:         100 * cpu.Seconds() / wall.Seconds(),
		idleCPU:     100 * baseCPU.Seconds() / baseWall.Seconds(),
		orderPerMin: orderPerMin, smsPerMin: smsPerMin,
		orderEvery: orderEvery, schedOrderEvery: schedOrderEvery,
	}
}
