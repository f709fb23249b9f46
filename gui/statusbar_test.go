package gui

import (
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
)

// The status bar says that the checks fell behind while the poller stretches its intervals, with
// how often an order (else a number) is checked, and says nothing otherwise.
func TestStatusBarShowsSlowedChecks(t *testing.T) {
	u, env := newTestUI(t, failingAPI{}, false)
	if u.status.pace.Visible() {
		t.Fatalf("on schedule, the status bar says %q", u.status.pace.Text)
	}
	env.Svc.SetPace(account.Pace{Stretch: 1.5, OrderEvery: 11*time.Minute + 40*time.Second, NumberEvery: 22 * time.Second})
	if !u.status.pace.Visible() || u.status.pace.Text != "Checks slowed: every order every ~12 min" {
		t.Fatalf("slowed: the status bar says %q (shown %v)", u.status.pace.Text, u.status.pace.Visible())
	}
	env.Svc.SetPace(account.Pace{Stretch: 2, NumberEvery: 31 * time.Second}) // no order open
	if !u.status.pace.Visible() || u.status.pace.Text != "Checks slowed: every SMS number every ~30 s" {
		t.Fatalf("slowed, numbers only: the status bar says %q (shown %v)", u.status.pace.Text, u.status.pace.Visible())
	}
	env.Svc.SetPace(account.Pace{Stretch: 1, OrderEvery: 8 * time.Minute})
	if u.status.pace.Visible() {
		t.Fatalf("caught up, the status bar still says %q", u.status.pace.Text)
	}

	// A window built while the checks are behind (another profile shown, a new view) says so at once.
	env.Svc.SetPace(account.Pace{Stretch: 3, OrderEvery: 2 * time.Hour})
	again := newUIOn(t, env, false)
	if !again.status.pace.Visible() || again.status.pace.Text != "Checks slowed: every order every ~2 h" {
		t.Fatalf("a new window says %q (shown %v)", again.status.pace.Text, again.status.pace.Visible())
	}
}
