package freedesktop

import (
	"context"
	"time"

	"github.com/godbus/dbus/v5"
)

// setupTimeout bounds each call made while setting up (a bus or server that hangs must not hold
// the app's start).
const setupTimeout = 3 * time.Second

// TrayWatcherName is the bus name of the system tray host (StatusNotifierItem protocol).
const TrayWatcherName = "org.kde.StatusNotifierWatcher"

// WatchTray reports whether a tray host is on the bus now, then calls changed (from its own
// goroutine) each time one appears or goes, until ctx ends or conn closes.
func WatchTray(ctx context.Context, conn *dbus.Conn, changed func(present bool)) (bool, error) {
	match := []dbus.MatchOption{
		dbus.WithMatchObjectPath("/org/freedesktop/DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, TrayWatcherName),
	}
	setup, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	if err := conn.AddMatchSignalContext(setup, match...); err != nil {
		return false, err
	}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	// Asked after the match is in place, so an appearance in between is not missed.
	var present bool
	if err := conn.BusObject().CallWithContext(setup, "org.freedesktop.DBus.NameHasOwner", 0, TrayWatcherName).Store(&present); err != nil {
		conn.RemoveSignal(signals)
		return false, err
	}
	go func() {
		defer conn.RemoveSignal(signals)
		for {
			select {
			case <-ctx.Done():
				return
			case sig, ok := <-signals:
				if !ok || sig == nil {
					return // the connection closed
				}
				if sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(sig.Body) < 3 {
					continue
				}
				name, _ := sig.Body[0].(string)
				owner, _ := sig.Body[2].(string)
				if name == TrayWatcherName {
					changed(owner != "")
				}
			}
		}
	}()
	return present, nil
}
