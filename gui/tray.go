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
	"fyne.io/fyne/v2/lang"

	"github.com/hstockplus/hstockplus/assets"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/watch"
)

// trayState is what the tray menu shows; read from the store off the UI goroutine.
type trayState struct {
	balance    string
	numbers    []trayNumber
	deliveries []trayDelivery
}

// trayNumber is an active SMS number with its latest code ("" while waiting).
type trayNumber struct {
	order        int64
	phone, label string
	code         string
}

// trayDelivery is a recent delivery: how many accounts, never the accounts themselves.
type trayDelivery struct {
	order int64
	label string
	count int
}

const trayRecent = 5 // deliveries and numbers listed in the tray

// SetupTray puts HstockPlus in the system tray where the desktop has one: the balance, the
// active numbers with their latest code (a click copies it), the last deliveries, Open and
// Quit. Closing the window then hides it to the tray when that setting is on. UI goroutine.
func (u *UI) SetupTray() {
	desk, ok := u.app.(desktop.App)
	if !ok {
		return
	}
	u.desk = desk
	desk.SetSystemTrayIcon(assets.Icon)
	desk.SetSystemTrayMenu(u.trayMenu(trayState{}))
	u.win.SetCloseIntercept(func() {
		if u.Prefs().CloseToTray {
			u.win.Hide()
			return
		}
		u.app.Quit()
	})
	u.app.Lifecycle().SetOnEnteredForeground(func() { u.setUnseen(false) })
	u.refreshTray()
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
func (u *UI) trayOnEvent(ev watch.Event) {
	switch ev.Kind {
	case watch.KindCodeReceived, watch.KindDelivered:
		u.setUnseen(true)
		u.refreshTray()
	case watch.KindSMSStatus, watch.KindNumberExpired, watch.KindBalance, watch.KindLowBalance:
		u.refreshTray()
	}
}

// refreshTray rebuilds the tray menu from the store, read off the UI goroutine.
func (u *UI) refreshTray() {
	if u.desk == nil {
		return
	}
	st := u.deps.Store
	bal := ""
	if b, ok := u.knownBalance(); ok {
		bal = fmt.Sprintf("%s %s", b.Balance, b.Currency)
	}
	u.async(func() {
		s := readTrayState(st, time.Now())
		s.balance = bal
		fyne.Do(func() { u.desk.SetSystemTrayMenu(u.trayMenu(s)) })
	})
}

func readTrayState(st *cache.Store, now time.Time) trayState {
	var s trayState
	if st == nil {
		return s
	}
	// SMSNumbers only reads; OpenSMS would close the expired numbers it lists, before the poller
	// took its last look at them.
	if nums, err := st.SMSNumbers(cache.Query{Open: true}); err == nil {
		for _, n := range nums {
			if len(s.numbers) == trayRecent {
				break
			}
			if !n.ExpiresAt.IsZero() && now.After(n.ExpiresAt) {
				continue
			}
			tn := trayNumber{order: n.Order, phone: n.Phone, label: n.Label}
			if codes, err := st.Deliveries(n.Order); err == nil && len(codes) > 0 {
				tn.code = codes[len(codes)-1].Value
			}
			s.numbers = append(s.numbers, tn)
		}
	}
	if evs, err := st.RecentEvents(50); err == nil {
		for _, ev := range evs {
			if ev.Kind != cache.EventDelivery || len(s.deliveries) == trayRecent {
				continue
			}
			d := trayDelivery{order: ev.Order, count: ev.Count}
			if o, err := st.Order(ev.Order); err == nil {
				d.label = o.Label
			}
			s.deliveries = append(s.deliveries, d)
		}
	}
	return s
}

// trayMenu builds the tray menu for s. Fyne adds Quit at the end. UI goroutine only.
func (u *UI) trayMenu(s trayState) *fyne.Menu {
	var items []*fyne.MenuItem
	disabled := func(label string) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, nil)
		it.Disabled = true
		return it
	}
	if s.balance != "" {
		items = append(items, disabled(fmt.Sprintf(lang.L("Balance: %s"), s.balance)))
	}
	if len(s.numbers) > 0 {
		items = append(items, fyne.NewMenuItemSeparator(), disabled(lang.L("Active numbers")))
		for _, n := range s.numbers {
			n := n
			if n.code != "" {
				items = append(items, fyne.NewMenuItem(fmt.Sprintf(lang.L("%s · %s — code %s (copy)"), n.phone, n.label, n.code), func() {
					u.copyText(n.code, true)
				}))
			} else {
				items = append(items, fyne.NewMenuItem(fmt.Sprintf(lang.L("%s · %s — waiting for the code"), n.phone, n.label), func() {
					u.copyText(n.phone, false)
				}))
			}
		}
	}
	if len(s.deliveries) > 0 {
		items = append(items, fyne.NewMenuItemSeparator(), disabled(lang.L("Last deliveries")))
		for _, d := range s.deliveries {
			items = append(items, fyne.NewMenuItem(fmt.Sprintf(lang.L("Order #%d %s — %d accounts"), d.order, d.label, d.count), func() {
				u.openTab(u.orders.item)
			}))
		}
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(lang.L("Open HstockPlus"), func() { u.openTab(nil) }))
	return fyne.NewMenu("HstockPlus", items...)
}

// openTab shows the window (from the tray), on tab ti when not nil. UI goroutine only.
func (u *UI) openTab(ti *container.TabItem) {
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
