package gui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/hstockplus/hstockplus/watch"
)

// HandleEvent is how the poller's news reaches the window. main subscribes it to the poller
// and calls it through fyne.Do: UI goroutine only. The store already holds everything the
// event reports (deliveries are written before any event is emitted), so each tab re-reads
// what it shows from the store.
func (u *UI) HandleEvent(ev watch.Event) {
	switch ev.Kind {
	case watch.KindOffline:
		u.setOffline(true, fmt.Sprintf(lang.L("Offline — %s. Showing what was last saved; HstockPlus will be asked again soon."), describeError(ev.Err)))
	case watch.KindOnline:
		u.setOffline(false, "")
	case watch.KindBalance, watch.KindLowBalance:
		u.balance.onEvent(ev)
	case watch.KindStatusChanged, watch.KindDelivered:
		u.orders.onEvent(ev)
	case watch.KindSMSStatus, watch.KindCodeReceived, watch.KindNumberExpired:
		u.sms.onEvent(ev)
	}
	u.trayOnEvent(ev)
	for _, fn := range u.eventListeners {
		fn(ev)
	}
}

// OnEvent adds a listener of the poller's events (the tray). UI goroutine only.
func (u *UI) OnEvent(fn func(watch.Event)) { u.eventListeners = append(u.eventListeners, fn) }

// WatchSettings are the poller's settings from the user's preferences.
func WatchSettings(p Prefs) watch.Settings {
	return watch.Settings{
		AutoCopyCodes:          p.AutoCopyCodes,
		AutoCopyCredentials:    p.AutoCopyCredentials,
		ClearAfter:             p.ClearAfter,
		ShowCodeInNotification: p.ShowCodeInNotification,
		LowBalance:             p.LowBalance,
	}
}

// WatchSchedule is the poller's schedule: its own adaptive one, or the fixed intervals the
// user chose in Settings (0 keeps the adaptive one).
func WatchSchedule(p Prefs) watch.Schedule {
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
