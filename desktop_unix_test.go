//go:build linux || freebsd || openbsd || netbsd

package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/gui"
	"github.com/hstockplus/hstockplus/internal/freedesktop"
	"github.com/hstockplus/hstockplus/internal/freedesktop/fdtest"
)

// clipLog is the alerts' clipboard: it records what was copied.
type clipLog struct {
	mu     sync.Mutex
	copies []string
}

func (c *clipLog) CopySecret(v string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.copies = append(c.copies, v)
	return nil
}

func (c *clipLog) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.copies...)
}

// TestDesktopNotificationsOnePerEventWithCopy: on a session bus with a notification server, each
// announced event is one Notify — from "HstockPlus", with the icon, the right count and text —
// and the Copy button of a code or a delivery copies it (the click is handled); a tray host that
// appears later is reported.
func TestDesktopNotificationsOnePerEventWithCopy(t *testing.T) {
	addr := fdtest.PrivateBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	srv := fdtest.StartServer(t, addr, "body", "actions")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var mu sync.Mutex
	var hosts []bool
	opened := make(chan struct{}, 1)
	link := startDesktop(ctx, desktopParams{
		TrayChanged: func(p bool) { mu.Lock(); hosts = append(hosts, p); mu.Unlock() },
		Open:        func() { opened <- struct{}{} },
		Icon:        "/usr/share/icons/hicolor/256x256/apps/com.hstockplus.desktop.png",
	})
	if !link.bus || link.tray || link.notifier == nil {
		t.Fatalf("link = %+v, want a bus, no tray host yet, the bus notifier", link)
	}
	clip := &clipLog{}
	st := account.DefaultSettings()
	st.AutoCopyCodes = false // only the button copies
	alerts := account.NewAlerts(account.AlertParams{Settings: func() account.Settings { return st },
		Notifier: link.notifier, Copier: clip, Format: gui.NotificationText, Logf: t.Logf})

	now := time.Now()
	alerts.Handle(account.Event{Kind: account.KindDelivered, ID: 1, At: now, Order: 1234, Label: "Gmail", Count: 2,
		Status: "Completed", Terminal: true, Deliveries: []account.Delivery{
			{Order: 1234, Kind: account.DeliveryAccount, Seq: 1, Value: "alice:One"},
			{Order: 1234, Kind: account.DeliveryAccount, Seq: 2, Value: "bob:Two"},
		}})
	alerts.Handle(account.Event{Kind: account.KindCodeReceived, ID: 2, At: now, Order: 31, Phone: "+15550100", Count: 1,
		Deliveries: []account.Delivery{{Order: 31, Kind: account.DeliverySMSCode, Seq: 1, Value: "482913", At: now}}})

	notes := srv.All()
	if len(notes) != 2 {
		t.Fatalf("%d notifications for 2 events", len(notes))
	}
	for _, n := range notes {
		if n.App != "HstockPlus" || !strings.HasSuffix(n.Icon, ".png") || n.Timeout != -1 {
			t.Errorf("notification %+v: want app HstockPlus, the icon, the normal expiry", n)
		}
		if strings.Contains(n.Body, "alice") || strings.Contains(n.Summary, "alice") {
			t.Errorf("a notification shows a credential: %+v", n)
		}
	}
	if notes[0].Summary != "Gmail (order #1234): 2 accounts delivered" {
		t.Errorf("delivery title %q", notes[0].Summary)
	}
	if !strings.Contains(notes[1].Summary, "+15550100") {
		t.Errorf("code title %q", notes[1].Summary)
	}
	for _, n := range notes {
		if !strings.Contains(strings.Join(n.Actions, "|"), freedesktop.ActionCopy+"|Copy") {
			t.Errorf("notification %q has no Copy button: %q", n.Summary, n.Actions)
		}
	}
	srv.Click(t, notes[1].ID, freedesktop.ActionCopy)
	srv.Click(t, notes[0].ID, freedesktop.ActionCopy)
	fdtest.Eventually(t, "both copies", func() bool { return len(clip.all()) == 2 })
	if got := clip.all(); got[0] != "482913" || got[1] != "alice:One\nbob:Two" {
		t.Fatalf("copied %q", got)
	}
	srv.Click(t, notes[0].ID, freedesktop.ActionDefault)
	select {
	case <-opened:
	case <-time.After(5 * time.Second):
		t.Fatal("a click on the notification did not open the window")
	}

	panel := fdtest.Connect(t, addr)
	fdtest.Own(t, panel, freedesktop.TrayWatcherName)
	fdtest.Eventually(t, "the tray host to be reported", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(hosts) == 1 && hosts[0]
	})
}

// TestDesktopWithoutABus: no session bus: no tray, Fyne's notifications.
func TestDesktopWithoutABus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	link := startDesktop(context.Background(), desktopParams{TrayChanged: func(bool) {}, Open: func() {}})
	if link.bus || link.tray || link.notifier != nil {
		t.Fatalf("link = %+v", link)
	}
}
