package gui

import (
	"fmt"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/internal/tr"
	"github.com/hstockplus/hstockplus/watch"
)

// HandleEvent is how the service layer's news reaches the window. main subscribes it to the
// service and calls it through fyne.Do: UI goroutine only. Each tab updates from the event's
// content (the record as stored after the change), without reading the store again.
func (u *UI) HandleEvent(ev account.Event) {
	switch ev.Kind {
	case account.KindOffline:
		u.setOffline(true, fmt.Sprintf(tr.L("Offline — %s Showing what was last saved; HstockPlus will be asked again soon."), describeErrorAt(ev.Err, u.host())))
	case account.KindOnline:
		u.setOffline(false, "")
	case account.KindPace:
		u.status.setPace(ev.Pace)
	case account.KindBalance, account.KindLowBalance:
		u.balance.onEvent(ev)
	case account.KindStatusChanged, account.KindDelivered:
		u.orders.onEvent(ev)
	case account.KindSMSStatus, account.KindCodeReceived, account.KindNumberExpired:
		u.sms.onEvent(ev)
	case account.KindJournal:
		u.orders.onEvent(ev)
		u.sms.onEvent(ev)
	}
	u.trayOnEvent(ev)
	for _, fn := range u.eventListeners {
		fn(ev)
	}
}

// OnEvent adds a listener of the service layer's events. UI goroutine only.
func (u *UI) OnEvent(fn func(account.Event)) { u.eventListeners = append(u.eventListeners, fn) }

// Settings are the service layer's settings from the user's preferences.
func Settings(p Prefs) account.Settings {
	return account.Settings{
		AutoCopyCodes:          p.AutoCopyCodes,
		AutoCopyCredentials:    p.AutoCopyCredentials,
		ShowCodeInNotification: p.ShowCodeInNotification,
		Notifications:          p.Notifications,
		LowBalance:             p.LowBalance,
	}
}

// Schedule is the poller's schedule: its own adaptive one, or the fixed intervals the user
// chose in Settings (0 keeps the adaptive one).
func Schedule(p Prefs) watch.Schedule {
	s := watch.DefaultSchedule()
	if p.OrderPoll > 0 {
		s.Orders = []watch.Step{{Until: 0, Every: p.OrderPoll}}
		s.Manual = []watch.Step{{Until: 0, Every: max(p.OrderPoll, 30*time.Second)}}
	}
	if p.SMSPoll > 0 {
		s.SMS = []watch.Step{{Until: 0, Every: p.SMSPoll}}
	}
	return s
}
