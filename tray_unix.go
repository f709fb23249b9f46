//go:build linux || freebsd || openbsd || netbsd

package main

import (
	"context"
	"log"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/hstockplus/hstockplus/internal/freedesktop"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// startDesktop links the app to the desktop over a private connection to the D-Bus session bus,
// closed when ctx ends: whether a tray host (StatusNotifierWatcher) is there, now and as it comes
// and goes (stock GNOME has none; a panel can restart), and notifications sent to the
// notification server with the app's name and icon, the server's normal expiry and a Copy button.
// Without a session bus the app has no tray and notifies through Fyne.
func startDesktop(ctx context.Context, p desktopParams) desktopLink {
	conn, err := dbus.SessionBusPrivate()
	if err == nil {
		if err = conn.Auth(nil); err == nil {
			err = conn.Hello()
		}
		if err != nil {
			_ = conn.Close()
		}
	}
	if err != nil {
		log.Printf("desktop: no D-Bus session bus (%v): no tray, notifications through Fyne", err)
		return desktopLink{}
	}
	context.AfterFunc(ctx, func() { _ = conn.Close() })
	link := desktopLink{bus: true}
	link.tray, err = freedesktop.WatchTray(ctx, conn, p.TrayChanged)
	if err != nil {
		log.Printf("desktop: watching for a tray host: %v", err)
	}
	if !link.tray {
		log.Printf("desktop: no tray host (StatusNotifierWatcher) on the session bus for now")
	}
	n, err := freedesktop.NewNotifier(ctx, conn, freedesktop.NotifierParams{
		AppName: appName, Icon: p.Icon, DesktopEntry: appID, Open: p.Open, Logf: log.Printf,
	})
	if err != nil {
		log.Printf("desktop: notifications through Fyne: %v", err)
		return link
	}
	link.notifier = busNotifier{ctx: ctx, n: n}
	return link
}

// busNotifier is the alerts' notifier on the desktop's notification server.
type busNotifier struct {
	ctx context.Context
	n   *freedesktop.Notifier
}

func (b busNotifier) Notify(title, body string) {
	b.send(freedesktop.Notification{Title: title, Body: body})
}

func (b busNotifier) NotifyCopy(title, body string, copy func()) {
	b.send(freedesktop.Notification{Title: title, Body: body, Copy: copy, CopyLabel: tr.L("Copy")})
}

func (b busNotifier) send(note freedesktop.Notification) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	if err := b.n.Notify(ctx, note); err != nil {
		log.Printf("desktop: notification not shown: %v", err)
	}
}
