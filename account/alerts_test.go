package account

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func codeEvent(at time.Time, code string) Event {
	return Event{Kind: KindCodeReceived, ID: 1, At: at, Order: 31, Phone: "+15550100", Count: 1,
		Deliveries: []Delivery{{Order: 31, Kind: DeliverySMSCode, Seq: 1, Value: code, At: at}}}
}

func newAlerts(clk *fakeClock, log *alertLog, st Settings) *Alerts {
	return NewAlerts(AlertParams{Settings: func() Settings { return st }, Notifier: log, Copier: log, Clock: clk})
}

// TestAlertsCopyBeforeNotify: the code is copied first, then notified, and the notification
// says it was copied.
func TestAlertsCopyBeforeNotify(t *testing.T) {
	clk := newFakeClock()
	log := &alertLog{}
	newAlerts(clk, log, DefaultSettings()).Handle(codeEvent(clk.Now(), "482913"))
	steps := log.all()
	if len(steps) != 2 || steps[0] != "copy:482913" || !strings.HasPrefix(steps[1], "notify:") {
		t.Fatalf("steps = %q, want copy then notify", steps)
	}
	if !strings.Contains(steps[1], "Copied") {
		t.Fatalf("notification %q does not say copied", steps[1])
	}
	if strings.Contains(steps[1], "482913") {
		t.Fatalf("notification %q shows the code by default", steps[1])
	}
}

// TestAlertsFailedCopyIsNotSaidCopied: when the clipboard refuses, the notification does not
// claim the code is there.
func TestAlertsFailedCopyIsNotSaidCopied(t *testing.T) {
	clk := newFakeClock()
	for _, kind := range []Kind{KindCodeReceived, KindDelivered} {
		log := &alertLog{failCpy: true}
		st := DefaultSettings()
		st.AutoCopyCredentials = true
		ev := codeEvent(clk.Now(), "482913")
		ev.Kind = kind
		newAlerts(clk, log, st).Handle(ev)
		notes := log.with("notify:")
		if len(log.with("copy-failed:")) != 1 || len(notes) != 1 {
			t.Fatalf("%s: steps = %q", kind, log.all())
		}
		if strings.Contains(strings.ToLower(notes[0]), "copied") {
			t.Fatalf("%s: notification %q says copied after a failed copy", kind, notes[0])
		}
	}
}

// TestAlertsNotificationsOffStillCopy: with notifications off the code is still copied.
func TestAlertsNotificationsOffStillCopy(t *testing.T) {
	clk := newFakeClock()
	log := &alertLog{}
	st := DefaultSettings()
	st.Notifications = false
	newAlerts(clk, log, st).Handle(codeEvent(clk.Now(), "111222"))
	if got := log.all(); !slices.Equal(got, []string{"copy:111222"}) {
		t.Fatalf("steps = %q, want the copy alone", got)
	}
	// And with AutoCopyCodes off too: nothing at all.
	log = &alertLog{}
	st.AutoCopyCodes = false
	newAlerts(clk, log, st).Handle(codeEvent(clk.Now(), "111222"))
	if got := log.all(); len(got) != 0 {
		t.Fatalf("steps = %q, want nothing", got)
	}
}

// TestAlertsStaleReplayNotCopied: a replayed code older than two minutes is notified but not
// copied over whatever the user has copied since; a recent replayed one is copied.
func TestAlertsStaleReplayNotCopied(t *testing.T) {
	clk := newFakeClock()
	log := &alertLog{}
	a := newAlerts(clk, log, DefaultSettings())

	old := codeEvent(clk.Now().Add(-3*time.Minute), "999000")
	old.Replayed = true
	a.Handle(old)
	if c := log.with("copy:"); len(c) != 0 {
		t.Fatalf("stale replayed code copied: %q", c)
	}
	notes := log.with("notify:")
	if len(notes) != 1 || strings.Contains(notes[0], "Copied") {
		t.Fatalf("notifications = %q, want one not saying copied", notes)
	}

	recent := codeEvent(clk.Now().Add(-time.Minute), "999001")
	recent.Replayed = true
	a.Handle(recent)
	if c := log.with("copy:"); !slices.Equal(c, []string{"999001"}) {
		t.Fatalf("recent replayed code copied: %q", c)
	}
	// A live (not replayed) event is copied whatever its time.
	live := codeEvent(clk.Now().Add(-time.Hour), "999002")
	a.Handle(live)
	if c := log.with("copy:"); !slices.Equal(c, []string{"999001", "999002"}) {
		t.Fatalf("copies = %q", c)
	}
}

// TestAlertsNeverShowCredentials: a delivery's notification never holds the accounts, whatever
// the settings and the formatter; they are copied only with AutoCopyCredentials.
func TestAlertsNeverShowCredentials(t *testing.T) {
	clk := newFakeClock()
	ev := Event{Kind: KindDelivered, ID: 4, At: clk.Now(), Order: 1234, Label: "Mail", Count: 2, Status: "Completed", Terminal: true,
		Deliveries: []Delivery{
			{Order: 1234, Kind: DeliveryAccount, Seq: 1, Value: "alice@mail.test:Secr3t-One"},
			{Order: 1234, Kind: DeliveryAccount, Seq: 2, Value: "bob@mail.test:Secr3t-Two"},
		}}
	title, body := DefaultText(ev, false)
	for _, s := range []string{title, body} {
		if strings.Contains(s, "Secr3t") || strings.Contains(s, "alice@") || strings.Contains(s, "bob@") {
			t.Fatalf("DefaultText shows credentials: %q / %q", title, body)
		}
	}
	if !strings.Contains(title, "2 accounts") || !strings.Contains(title, "1234") {
		t.Fatalf("title = %q", title)
	}

	for _, copyCreds := range []bool{false, true} {
		log := &alertLog{}
		st := DefaultSettings()
		st.ShowCodeInNotification = true // does not apply to credentials
		st.AutoCopyCredentials = copyCreds
		var seen []Event
		a := NewAlerts(AlertParams{Settings: func() Settings { return st }, Notifier: log, Copier: log, Clock: clk,
			Format: func(ev Event, copied bool) (string, string) { seen = append(seen, ev); return DefaultText(ev, copied) }})
		a.Handle(ev)
		if len(seen) != 1 || len(seen[0].Deliveries) != 0 {
			t.Fatalf("formatter saw %d deliveries", len(seen[0].Deliveries))
		}
		for _, s := range log.with("notify:") {
			if strings.Contains(s, "Secr3t") {
				t.Fatalf("notification shows credentials: %q", s)
			}
		}
		copies := log.with("copy:")
		if copyCreds {
			want := "alice@mail.test:Secr3t-One\nbob@mail.test:Secr3t-Two"
			if !slices.Equal(copies, []string{want}) {
				t.Fatalf("copies = %q", copies)
			}
			if n := log.with("notify:"); len(n) != 1 || !strings.Contains(n[0], "Copied") {
				t.Fatalf("notifications = %q", n)
			}
		} else if len(copies) != 0 {
			t.Fatalf("credentials copied without AutoCopyCredentials")
		}
	}
	if len(ev.Deliveries) != 2 {
		t.Fatal("the alerts changed the shared event")
	}
}

// TestAlertsCodeShownOnlyWhenChosen: the code is in the notification only with
// ShowCodeInNotification.
func TestAlertsCodeShownOnlyWhenChosen(t *testing.T) {
	clk := newFakeClock()
	for _, show := range []bool{false, true} {
		log := &alertLog{}
		st := DefaultSettings()
		st.ShowCodeInNotification = show
		st.AutoCopyCodes = false
		newAlerts(clk, log, st).Handle(codeEvent(clk.Now(), "735124"))
		notes := log.with("notify:")
		if len(notes) != 1 {
			t.Fatalf("show=%v: notifications %q", show, notes)
		}
		if got := strings.Contains(notes[0], "735124"); got != show {
			t.Fatalf("show=%v: notification %q", show, notes[0])
		}
		if strings.Contains(notes[0], "Copied") {
			t.Fatalf("show=%v: says copied without a copy: %q", show, notes[0])
		}
	}
}

// TestAlertsOnlyStoredEvents: events that are not stored (states, journal) never alert, and
// status changes notify only when final unless NotifyAllStatuses.
func TestAlertsOnlyStoredEvents(t *testing.T) {
	clk := newFakeClock()
	log := &alertLog{}
	st := DefaultSettings()
	a := newAlerts(clk, log, st)
	unstored := codeEvent(clk.Now(), "123456")
	unstored.ID = 0
	a.Handle(unstored)
	a.Handle(Event{Kind: KindBalance, At: clk.Now(), Balance: dec("1.00")})
	a.Handle(Event{Kind: KindStatusChanged, ID: 2, At: clk.Now(), Order: 5, Status: "In progress"})
	if got := log.all(); len(got) != 0 {
		t.Fatalf("steps = %q, want none", got)
	}
	a.Handle(Event{Kind: KindStatusChanged, ID: 3, At: clk.Now(), Order: 5, Status: "Completed", Terminal: true})
	st.NotifyAllStatuses = true
	newAlerts(clk, log, st).Handle(Event{Kind: KindStatusChanged, ID: 2, At: clk.Now(), Order: 5, Status: "In progress"})
	if n := log.with("notify:"); len(n) != 2 {
		t.Fatalf("notifications = %q, want the final one and, with NotifyAllStatuses, the other", n)
	}
}

// TestAlertsLowBalanceText: the low-balance notification says the typed amounts.
func TestAlertsLowBalanceText(t *testing.T) {
	title, body := DefaultText(Event{Kind: KindLowBalance, ID: 1, Balance: dec("4.50"), Currency: "USD", Threshold: dec("10.00")}, false)
	if title != "Low balance" || body != "Your balance is 4.50 USD, below 10.00." {
		t.Fatalf("text = %q / %q", title, body)
	}
}

// copyNotifier is a notifier with a "Copy" button: it keeps each button's action.
type copyNotifier struct {
	*alertLog
	buttons []func()
}

func (c *copyNotifier) NotifyCopy(title, body string, copy func()) {
	c.Notify(title, body)
	c.buttons = append(c.buttons, copy)
}

// TestAlertsOfferCopyOnTheNotification: a code's and a delivery's notification carry a Copy
// button, whatever the auto-copy settings, that copies the code, or the accounts one per line,
// through the clipboard service; other notifications have none.
func TestAlertsOfferCopyOnTheNotification(t *testing.T) {
	clk := newFakeClock()
	log := &alertLog{}
	n := &copyNotifier{alertLog: log}
	st := DefaultSettings()
	st.AutoCopyCodes = false
	a := NewAlerts(AlertParams{Settings: func() Settings { return st }, Notifier: n, Copier: log, Clock: clk})

	a.Handle(codeEvent(clk.Now(), "482913"))
	a.Handle(Event{Kind: KindDelivered, ID: 4, At: clk.Now(), Order: 1234, Label: "Mail", Count: 2, Status: "Completed", Terminal: true,
		Deliveries: []Delivery{
			{Order: 1234, Kind: DeliveryAccount, Seq: 1, Value: "alice:One"},
			{Order: 1234, Kind: DeliveryAccount, Seq: 2, Value: "bob:Two"},
		}})
	a.Handle(Event{Kind: KindLowBalance, ID: 5, At: clk.Now(), Balance: dec("1.00"), Currency: "USD", Threshold: dec("5")})

	if got := len(log.with("notify:")); got != 3 {
		t.Fatalf("%d notifications, want 3", got)
	}
	if len(n.buttons) != 2 {
		t.Fatalf("%d Copy buttons, want 2 (code, delivery)", len(n.buttons))
	}
	if c := log.with("copy:"); len(c) != 0 {
		t.Fatalf("copied before any click: %q", c)
	}
	n.buttons[1]()
	n.buttons[0]()
	if c := log.with("copy:"); !slices.Equal(c, []string{"alice:One\nbob:Two", "482913"}) {
		t.Fatalf("copies = %q", c)
	}
}
