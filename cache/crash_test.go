//go:build unix

package cache

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

const crashEnv = "HSTOCKPLUS_CACHE_CRASH_CHILD"

func crashValue(i int) (order int64, value string) {
	return int64(i/4 + 1), fmt.Sprintf("user%d@example.com:pw-%d-%x", i, i, i*7919)
}

// TestHelperProcess is the child of TestCrashSafety: it writes deliveries in a loop and prints
// "ack N" after each synced write returned, until it is killed.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(crashEnv) != "1" {
		t.Skip("helper process for TestCrashSafety")
	}
	dir := os.Getenv("CRASH_DIR")
	key, _ := hex.DecodeString(os.Getenv("CRASH_KEY"))
	start, _ := strconv.Atoi(os.Getenv("CRASH_START"))
	release, err := AcquireInstanceLock(dir)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	defer release()
	s, err := Open(dir, Options{EncryptionKey: key})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(out, "ready")
	out.Flush()
	// Restart a little before where the last run stopped: the poller sees the same accounts again
	// after a restart, and the vault must not store them twice.
	for i := max(0, start-3); ; i++ {
		order, value := crashValue(i)
		switch i % 10 {
		case 3:
			// Through the status path, with the account list growing as the API sends it.
			var accounts []string
			for j := order*4 - 4; j <= int64(i); j++ {
				_, v := crashValue(int(j))
				accounts = append(accounts, v)
			}
			if _, err := s.RecordOrderStatus(order, client.OrderStatus{Status: client.StatusInProgress, Accounts: accounts}); err != nil {
				fmt.Fprintln(out, "error", err)
				out.Flush()
				os.Exit(2)
			}
		default:
			if _, _, err := s.AddDeliveries(order, DeliveryAccount, value); err != nil {
				fmt.Fprintln(out, "error", err)
				out.Flush()
				os.Exit(2)
			}
		}
		fmt.Fprintln(out, "ack", i)
		out.Flush()
		if i%25 == 0 {
			// A snapshot flip now and then, to be killed in the middle of one too.
			if _, err := s.SaveServices("en", time.Time{}, genServices(300+i%7, i)); err != nil {
				fmt.Fprintln(out, "error", err)
				out.Flush()
				os.Exit(2)
			}
		}
		if i%7 == 0 {
			if evs, err := s.PendingEvents(); err == nil && len(evs) > 0 {
				_ = s.MarkNotified(evs[0].ID)
			}
		}
	}
}

// TestCrashSafety kills a child writing deliveries with SIGKILL at random moments, many times.
// After each kill the store must open, and every delivery the child acknowledged must be in the
// vault exactly once.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	key := testKey(t)
	rounds := 24
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 42))
	acked := map[int]bool{}
	next := 0
	began := time.Now()
	killedBeforeReady := 0
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v")
		cmd.Env = append(os.Environ(), crashEnv+"=1", "CRASH_DIR="+dir, "CRASH_KEY="+hex.EncodeToString(key), "CRASH_START="+strconv.Itoa(next))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var kill <-chan time.Time
		early := rng.IntN(4) == 0 // one round in four: kill while the child is still opening
		if early {
			kill = time.After(time.Duration(rng.IntN(40)) * time.Millisecond)
		}
		ready := false
		roundAcks := 0
	loop:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break loop
				}
				switch {
				case l == "ready":
					ready = true
					if !early {
						kill = time.After(time.Duration(20+rng.IntN(300)) * time.Millisecond)
					}
				case strings.HasPrefix(l, "ack "):
					n, _ := strconv.Atoi(strings.TrimPrefix(l, "ack "))
					acked[n] = true
					roundAcks++
					if n+1 > next {
						next = n + 1
					}
				case strings.HasPrefix(l, "error"):
					t.Fatalf("round %d: child: %s", round, l)
				}
			case <-kill:
				_ = cmd.Process.Signal(syscall.SIGKILL)
				kill = nil
			}
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended without being killed: %v", round, err)
		}
		if !ready {
			killedBeforeReady++
		}
		verifyCrashState(t, dir, key, acked, next, round)
	}
	t.Logf("%d rounds in %v, %d deliveries acknowledged, %d kills during open", rounds, time.Since(began).Round(time.Millisecond), len(acked), killedBeforeReady)
	if len(acked) == 0 {
		t.Fatal("the child never acknowledged a delivery")
	}
}

func verifyCrashState(t *testing.T, dir string, key []byte, acked map[int]bool, next, round int) {
	t.Helper()
	s, err := Open(dir, Options{EncryptionKey: key})
	if err != nil {
		t.Fatalf("round %d: the store does not open after a kill: %v", round, err)
	}
	defer s.Close()
	byOrder := map[int64]map[string]int{}
	for i := 0; i < next+1; i++ {
		order, _ := crashValue(i)
		if byOrder[order] != nil {
			continue
		}
		ds, err := s.Deliveries(order)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		m := map[string]int{}
		for k, d := range ds {
			m[d.Value]++
			if d.Seq != uint32(k+1) {
				t.Fatalf("round %d: order %d: delivery %d has seq %d", round, order, k, d.Seq)
			}
		}
		byOrder[order] = m
	}
	for i := range acked {
		order, value := crashValue(i)
		if n := byOrder[order][value]; n != 1 {
			t.Fatalf("round %d: acknowledged delivery %d is in the vault %d times", round, i, n)
		}
	}
	for order, m := range byOrder {
		for v, n := range m {
			if n != 1 {
				t.Fatalf("round %d: order %d holds %q %d times", round, order, v, n)
			}
		}
	}
	// A snapshot, if any, is whole.
	if rows, info, err := s.Services("en"); err == nil && len(rows) != info.Rows {
		t.Fatalf("round %d: snapshot has %d rows, pointer says %d", round, len(rows), info.Rows)
	}
}
