package gui

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/freedesktop"
	"github.com/hstockplus/hstockplus/internal/freedesktop/fdtest"
)

func TestTrayMenuListsActiveNumbersAndCopiesTheCode(t *testing.T) {
	env := accounttest.New(t, failingAPI{})
	st := env.Store
	sp, err := st.BeginAddSMS(client.AddSMSRequest{ProjectID: "p1", Quantity: 2, Country: "us"}, "OpenAI / ChatGPT", client.MustDecimal("1.0000"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkSMSPlaced(sp.ID, []client.SMSOrder{
		{Order: 501, Phone: "+15550001", Country: "us", Status: "active"},
		{Order: 502, Phone: "+15550002", Country: "us", Status: "active"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordSMSCode(501, client.SMSCode{Status: "completed", Code: "482913", SMSContent: "Your code is 482913"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseSMS(501); err != nil { // as the poller does once the code is in
		t.Fatal(err)
	}
	cb := &fakeClipboard{}
	d := testDeps(t, env.Svc, false)
	d.Clipboard = cb
	u := New(test.NewTempApp(t), d)
	u.async = func(f func()) { f() }

	tray, err := env.Svc.TrayState(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	m := u.trayMenu(trayState{balance: "100.00 USD", Tray: tray})
	labels := menuLabels(m)
	for _, want := range []string{"Balance: 100.00 USD", "Active numbers", "+15550001 · OpenAI / ChatGPT — code 482913 (copy)", "+15550002 · OpenAI / ChatGPT — waiting for the code", "Open HstockPlus"} {
		if !strings.Contains(labels, "\n"+want+"\n") {
			t.Errorf("tray menu lacks %q:\n%s", want, labels)
		}
	}
	for _, it := range m.Items {
		if strings.Contains(it.Label, "code 482913") {
			it.Action()
		}
	}
	if len(cb.secrets) != 1 || cb.secrets[0] != "482913" {
		t.Fatalf("copied %v", cb.secrets)
	}
	if last := m.Items[len(m.Items)-1]; !last.IsQuit || last.Action == nil {
		t.Fatal("the tray menu's last item is not our Quit")
	}
}

func TestTrayListsDeliveriesWithoutSecrets(t *testing.T) {
	u, _, env := orderUI(t, "100.00")
	st := env.Store
	if _, err := st.TrackOrder(900, "Gmail Account - USA"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordOrderStatus(900, client.OrderStatus{Status: client.StatusCompleted, Accounts: []string{"a@x:secretpw1", "b@x:secretpw2"}}); err != nil {
		t.Fatal(err)
	}
	tray, err := env.Svc.TrayState(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	labels := menuLabels(u.trayMenu(trayState{Tray: tray}))
	if !strings.Contains(labels, "Order #900 Gmail Account - USA — 2 accounts") {
		t.Fatalf("tray:\n%s", labels)
	}
	if strings.Contains(labels, "secretpw") {
		t.Fatal("the tray shows a credential")
	}
}

func TestBadgedIconIsAPNG(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(badgedIcon().Content()))
	if err != nil || img.Bounds().Dx() != 512 {
		t.Fatalf("badged icon: %v", err)
	}
}

func menuLabels(m *fyne.Menu) string {
	var b strings.Builder
	b.WriteString("\n")
	for _, it := range m.Items {
		b.WriteString(it.Label + "\n")
	}
	return b.String()
}

// TestCloseFollowsTheTrayHost: closing the window hides it only while the desktop shows the
// tray; with no tray host it is minimised (the user keeps the app running) or the app quits; a
// host that goes while the window is hidden brings the window back; Settings says when there is
// no tray.
func TestCloseFollowsTheTrayHost(t *testing.T) {
	env := accounttest.New(t, failingAPI{})
	app := &trayApp{App: test.NewTempApp(t)}
	d := testDeps(t, env.Svc, false)
	quits, minimised := 0, 0
	minimiseWorks := true
	d.Quit = func() { quits++ }
	d.Minimize = func(fyne.Window) bool { minimised++; return minimiseWorks }
	var tips []string
	d.TrayTooltip = func(s string) { tips = append(tips, s) }
	u := New(app, d)
	u.SetupTray()
	if len(tips) == 0 || tips[len(tips)-1] != "HstockPlus" {
		t.Fatalf("tooltips %q", tips)
	}

	u.closeWindow() // a tray host is there: hidden in the tray
	if !u.hidden || quits != 0 || minimised != 0 {
		t.Fatalf("with a tray: hidden %v, quits %d, minimised %d", u.hidden, quits, minimised)
	}
	u.SetTrayHost(false) // the panel went away: the window comes back
	if u.hidden {
		t.Fatal("the window stayed hidden after the tray host went")
	}
	u.closeWindow() // no tray: minimised, never hidden
	if u.hidden || minimised != 1 || quits != 0 {
		t.Fatalf("without a tray: hidden %v, minimised %d, quits %d", u.hidden, minimised, quits)
	}
	minimiseWorks = false
	u.closeWindow() // no tray and no way to minimise: quit
	if quits != 1 {
		t.Fatalf("quits %d", quits)
	}

	u.openSettings()
	if u.settings == nil || !u.settings.noTray.Visible() {
		t.Fatal("Settings does not say there is no tray")
	}
	u.SetTrayHost(true)
	if u.settings.noTray.Visible() {
		t.Fatal("Settings still says there is no tray")
	}
	u.settings.dlg.Hide()

	p := u.Prefs()
	p.CloseToTray = false
	u.setPrefs(p)
	u.closeWindow() // the user does not keep it running: quit, tray or not
	if quits != 2 || u.hidden {
		t.Fatalf("close-to-tray off: quits %d, hidden %v", quits, u.hidden)
	}
}

// TestCloseOnAPrivateSessionBus: with a session bus of the test's own and no tray host, closing
// the window does not hide it; once a StatusNotifierWatcher registers, it does.
func TestCloseOnAPrivateSessionBus(t *testing.T) {
	addr := fdtest.PrivateBus(t)
	env := accounttest.New(t, failingAPI{})
	app := &trayApp{App: test.NewTempApp(t)}
	d := testDeps(t, env.Svc, false)
	d.Quit = func() {}
	d.Minimize = func(fyne.Window) bool { return true }
	u := New(app, d)
	u.SetupTray()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	present, err := freedesktop.WatchTray(ctx, fdtest.Connect(t, addr), func(p bool) {
		fyne.Do(func() { mu.Lock(); u.SetTrayHost(p); mu.Unlock() })
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	u.SetTrayHost(present)
	u.closeWindow()
	hidden := u.hidden
	mu.Unlock()
	if hidden {
		t.Fatal("hidden with no tray host on the bus")
	}
	fdtest.Own(t, fdtest.Connect(t, addr), freedesktop.TrayWatcherName)
	fdtest.Eventually(t, "the tray host", func() bool { mu.Lock(); defer mu.Unlock(); return u.trayHost })
	mu.Lock()
	u.closeWindow()
	hidden = u.hidden
	mu.Unlock()
	if !hidden {
		t.Fatal("not hidden with a tray host on the bus")
	}
}
