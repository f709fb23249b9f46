package main

import (
	"github.com/hstockplus/hstockplus/account"
)

// appName is the app's name on the desktop: window and tray title, notifications.
const appName = "HstockPlus"

// desktopParams: what the desktop link reports to the window. The functions run on the link's
// own goroutines: they hand UI work over with fyne.Do.
type desktopParams struct {
	TrayChanged func(present bool) // a tray host appeared or went
	Open        func()             // a notification was clicked
	Icon        string             // the notifications' icon: a file path
}

// desktopLink is what the desktop offers the session (startDesktop, per OS).
type desktopLink struct {
	bus      bool             // the app can put an icon in a tray (one may come later)
	tray     bool             // a tray host shows it now
	notifier account.Notifier // nil: Fyne's notifications
}
