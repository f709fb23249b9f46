package freedesktop

import (
	"context"
	"sync"
	"testing"

	"github.com/hstockplus/hstockplus/internal/freedesktop/fdtest"
)

func TestWatchTrayFollowsTheHost(t *testing.T) {
	addr := fdtest.PrivateBus(t)
	app := fdtest.Connect(t, addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var mu sync.Mutex
	var seen []bool
	present, err := WatchTray(ctx, app, func(p bool) {
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if present {
		t.Fatal("a tray host reported on an empty bus")
	}
	last := func() (bool, int) {
		mu.Lock()
		defer mu.Unlock()
		if len(seen) == 0 {
			return false, 0
		}
		return seen[len(seen)-1], len(seen)
	}

	host := fdtest.Connect(t, addr) // a panel starting
	fdtest.Own(t, host, TrayWatcherName)
	fdtest.Eventually(t, "the host to appear", func() bool { p, n := last(); return n == 1 && p })

	if _, err := host.ReleaseName(TrayWatcherName); err != nil { // the panel going
		t.Fatal(err)
	}
	fdtest.Eventually(t, "the host to go", func() bool { p, n := last(); return n == 2 && !p })

	// Asked again with a host there: present at once.
	fdtest.Own(t, host, TrayWatcherName)
	fdtest.Eventually(t, "the host again", func() bool { p, n := last(); return n == 3 && p })
	again, err := WatchTray(ctx, fdtest.Connect(t, addr), func(bool) {})
	if err != nil || !again {
		t.Fatalf("WatchTray with a host = %v, %v", again, err)
	}
}
