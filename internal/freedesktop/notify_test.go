package freedesktop

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/hstockplus/hstockplus/internal/freedesktop/fdtest"
)

func TestNotifyOnePerCallWithCopyAction(t *testing.T) {
	addr := fdtest.PrivateBus(t)
	srv := fdtest.StartServer(t, addr, "body", "actions")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var opened atomic.Int32
	n, err := NewNotifier(ctx, fdtest.Connect(t, addr), NotifierParams{AppName: "HstockPlus", Icon: "/icon.png",
		DesktopEntry: "com.hstockplus.desktop", Open: func() { opened.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	copied := make(chan string, 4)
	if err := n.Notify(ctx, Notification{Title: "SMS code for +1 555", Body: "Code: 1234.", CopyLabel: "Copy",
		Copy: func() { copied <- "1234" }}); err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(ctx, Notification{Title: "Low balance", Body: "Your balance is 1.00 USD."}); err != nil {
		t.Fatal(err)
	}
	notes := srv.All()
	if len(notes) != 2 {
		t.Fatalf("%d Notify calls, want 2", len(notes))
	}
	first := notes[0]
	if first.App != "HstockPlus" || first.Icon != "/icon.png" || first.Summary != "SMS code for +1 555" || first.Body != "Code: 1234." {
		t.Errorf("first notification = %+v", first)
	}
	if first.Timeout != -1 {
		t.Errorf("expire timeout %d, want -1 (the server's normal expiry)", first.Timeout)
	}
	if want := []string{"default", "", "copy", "Copy"}; !slices.Equal(first.Actions, want) {
		t.Errorf("actions %q, want %q", first.Actions, want)
	}
	if de, _ := first.Hints["desktop-entry"].Value().(string); de != "com.hstockplus.desktop" {
		t.Errorf("desktop-entry hint %v", first.Hints["desktop-entry"])
	}
	if want := []string{"default", ""}; !slices.Equal(notes[1].Actions, want) {
		t.Errorf("a notification with nothing to copy has actions %q", notes[1].Actions)
	}

	srv.Click(t, first.ID, ActionCopy)
	select {
	case v := <-copied:
		if v != "1234" {
			t.Fatalf("copied %q", v)
		}
	case <-ctx.Done():
	}
	fdtest.Eventually(t, "the Copy click", func() bool { return len(copied) == 0 })
	srv.Click(t, notes[1].ID, ActionDefault)
	fdtest.Eventually(t, "the click on the notification to open the window", func() bool { return opened.Load() == 1 })

	// Another app's notification, or one closed since: its clicks are not ours.
	srv.Click(t, 999, ActionCopy)
	srv.Close(t, first.ID)
	fdtest.Eventually(t, "the close to be seen", func() bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		_, still := n.pending[first.ID]
		return !still
	})
	srv.Click(t, first.ID, ActionCopy)
	srv.Click(t, notes[1].ID, ActionDefault) // a marker: handled after the clicks above
	fdtest.Eventually(t, "the marker", func() bool { return opened.Load() == 2 })
	if len(copied) != 0 {
		t.Fatal("a click on a closed or foreign notification copied")
	}
}

func TestNotifyWithoutActionsOnAServerThatShowsNone(t *testing.T) {
	addr := fdtest.PrivateBus(t)
	srv := fdtest.StartServer(t, addr, "body")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err := NewNotifier(ctx, fdtest.Connect(t, addr), NotifierParams{AppName: "HstockPlus"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(ctx, Notification{Title: "t", Body: "b", Copy: func() {}, CopyLabel: "Copy"}); err != nil {
		t.Fatal(err)
	}
	if notes := srv.All(); len(notes) != 1 || len(notes[0].Actions) != 0 {
		t.Fatalf("notes %+v", notes)
	}
}

func TestNoServer(t *testing.T) {
	addr := fdtest.PrivateBus(t)
	_, err := NewNotifier(context.Background(), fdtest.Connect(t, addr), NotifierParams{AppName: "HstockPlus"})
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("err = %v, want ErrNoServer", err)
	}
}
