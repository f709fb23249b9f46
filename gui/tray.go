package gui

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/assets"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// trayState is what the tray menu shows: the balance, and what the service layer reads for it.
type trayState struct {
	balance string
	account.Tray
}

// SetupTray puts HstockPlus in the system tray: the balance, the active numbers with their
// latest code (a click copies it), the last deliveries, Open and Quit. The icon shows where the
// desktop has a tray host (SetTrayHost says whether it has one, now and as it changes); closing
// the window hides it to the tray only then. UI goroutine.
func (u *UI) SetupTray() {
	desk, ok := u.app.(desktop.App)
	if !ok {
		u.NoTray()
		return
	}
	u.desk = desk
	u.trayHost = true
	desk.SetSystemTrayIcon(assets.Icon)
	desk.SetSystemTrayMenu(u.trayMenu(trayState{}))
	u.win.SetCloseIntercept(u.closeWindow)
	u.app.Lifecycle().SetOnEnteredForeground(func() { u.setUnseen(false) })
	u.refreshTray()
}

// NoTray: the app has no tray at all (no session bus on Linux). Closing the window minimises it
// or quits (closeWindow). UI goroutine.
func (u *UI) NoTray() {
	u.trayHost = false
	u.win.SetCloseIntercept(u.closeWindow)
}

// SetTrayHost says whether the desktop shows tray icons now (on Linux: whether a
// StatusNotifierWatcher is on the session bus; it can come and go with the panel). When it goes
// while the window is hidden in the tray, the window comes back: nothing runs out of sight.
// UI goroutine.
func (u *UI) SetTrayHost(present bool) {
	u.trayHost = present
	if !present && u.hidden {
		u.openTab(nil)
	}
	if u.settings != nil {
		u.settings.showTrayHost(present)
	}
}

// closeWindow is the window's close button: hidden in the tray when the user keeps the app
// running there and the desktop shows the tray; minimised to the taskbar when it keeps running
// but there is no tray to find it in; else the app quits. UI goroutine.
func (u *UI) closeWindow() {
	switch {
	case !u.Prefs().CloseToTray:
		u.quit()
	case u.desk != nil && u.trayHost:
		u.hidden = true
		u.win.Hide()
	case u.deps.Minimize != nil && u.deps.Minimize(u.win):
		// in the taskbar
	default:
		u.quit()
	}
}

// setUnseen switches the tray icon to its badged form while a new code or delivery has not been
// looked at. UI goroutine only.
func (u *UI) setUnseen(on bool) {
	if u.desk == nil || u.unseen == on {
		return
	}
	u.unseen = on
	if on {
		u.desk.SetSystemTrayIcon(badgedIcon())
	} else {
		u.desk.SetSystemTrayIcon(assets.Icon)
	}
}

// trayOnEvent updates the tray for a poller event. UI goroutine only.
func (u *UI) trayOnEvent(ev account.Event) {
	switch ev.Kind {
	case account.KindCodeReceived, account.KindDelivered:
		u.setUnseen(true)
		u.refreshTray()
	case account.KindSMSStatus, account.KindNumberExpired, account.KindBalance, account.KindLowBalance, account.KindJournal:
		u.refreshTray()
	}
}

// RefreshTray rebuilds the tray menu (another profile's balance changed). UI goroutine.
func (u *UI) RefreshTray() { u.refreshTray() }

// refreshTray rebuilds the tray menu from the service layer's tray state, read off the UI
// goroutine.
func (u *UI) refreshTray() {
	if u.desk == nil {
		return
	}
	bal := ""
	if b, ok := u.knownBalance(); ok {
		bal = fmt.Sprintf("%s %s", money(b.Balance), b.Currency) // knownBalance cleans the currency
	}
	if u.deps.TrayTooltip != nil {
		tip := "HstockPlus"
		if bal != "" {
			tip += " · " + bal
		}
		u.deps.TrayTooltip(tip)
	}
	svc := u.tray
	u.async(func() {
		t, err := svc.TrayState(time.Now())
		if err != nil {
			u.deps.Logf("tray: %v", err)
		}
		s := trayState{balance: bal, Tray: t}
		fyne.Do(func() { u.desk.SetSystemTrayMenu(u.trayMenu(s)) })
	})
}

// trayMenu builds the tray menu for s. UI goroutine only.
func (u *UI) trayMenu(s trayState) *fyne.Menu {
	var items []*fyne.MenuItem
	disabled := func(label string) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, nil)
		it.Disabled = true
		return it
	}
	if s.balance != "" {
		items = append(items, disabled(fmt.Sprintf(tr.L("Balance: %s"), s.balance)))
	}
	if len(s.Numbers) > 0 {
		items = append(items, fyne.NewMenuItemSeparator(), disabled(tr.L("Active numbers")))
		for _, n := range s.Numbers {
			if n.Code != "" {
				items = append(items, fyne.NewMenuItem(fmt.Sprintf(tr.L("%s · %s — code %s (copy)"), short(n.Phone, maxShort), short(n.Label, maxShort), short(n.Code, maxShort)), func() {
					u.copyText(n.Code, true, nil)
				}))
			} else {
				items = append(items, fyne.NewMenuItem(fmt.Sprintf(tr.L("%s · %s — waiting for the code"), short(n.Phone, maxShort), short(n.Label, maxShort)), func() {
					u.copyText(n.Phone, false, nil)
				}))
			}
		}
	}
	if len(s.Deliveries) > 0 {
		items = append(items, fyne.NewMenuItemSeparator(), disabled(tr.L("Last deliveries")))
		for _, d := range s.Deliveries {
			items = append(items, fyne.NewMenuItem(fmt.Sprintf(tr.L("Order #%d %s — %d accounts"), d.Order, short(d.Label, maxShort), d.Count), func() {
				u.openTab(u.orders.item)
			}))
		}
	}
	items = append(items, u.trayProfiles()...)
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(tr.L("Open HstockPlus"), func() { u.openTab(nil) }))
	// Our own Quit, so that quitting from the tray clears the clipboard like every other way.
	quit := fyne.NewMenuItem(tr.L("Quit"), u.quit)
	quit.IsQuit = true
	items = append(items, quit)
	return fyne.NewMenu("HstockPlus", items...)
}

// openTab shows the window (from the tray), on tab ti when not nil. UI goroutine only.
func (u *UI) openTab(ti *container.TabItem) {
	u.hidden = false
	u.win.Show()
	u.win.RequestFocus()
	if ti != nil {
		u.tabs.Select(ti)
	}
	u.setUnseen(false)
}

var badgedIcon = sync.OnceValue(func() fyne.Resource {
	src, err := png.Decode(bytes.NewReader(assets.Icon.Content()))
	if err != nil {
		return assets.Icon
	}
	b := src.Bounds()
	img := image.NewNRGBA(b)
	draw.Draw(img, b, src, b.Min, draw.Src)
	// A red dot at the bottom right, a fifth of the icon wide, with a white ring.
	r := b.Dx() / 5
	cx, cy := b.Max.X-r-r/3, b.Max.Y-r-r/3
	for y := cy - r - 4; y <= cy+r+4; y++ {
		for x := cx - r - 4; x <= cx+r+4; x++ {
			d := (x-cx)*(x-cx) + (y-cy)*(y-cy)
			switch {
			case d <= r*r:
				img.Set(x, y, color.NRGBA{R: 0xE5, G: 0x39, B: 0x35, A: 0xFF})
			case d <= (r+4)*(r+4):
				img.Set(x, y, color.White)
			}
		}
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return assets.Icon
	}
	return fyne.NewStaticResource("icon-unseen.png", out.Bytes())
})
