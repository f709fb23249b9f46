//go:build linux || freebsd || openbsd || netbsd

package main

import (
	"log"

	"github.com/godbus/dbus/v5"
)

// trayAvailable reports whether the desktop shows tray icons: a StatusNotifierItem host
// (org.kde.StatusNotifierWatcher) on the session bus. Without one (stock GNOME, no session bus)
// the app sets up no tray — Fyne's would fail to register, and crash at quit without a bus — and
// closing the window quits instead of hiding it where nobody can find it.
func trayAvailable() bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		log.Printf("tray: no D-Bus session bus: %v", err)
		return false
	}
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has); err != nil || !has {
		log.Printf("tray: the desktop shows no tray icons (no StatusNotifierWatcher on the session bus)")
		return false
	}
	return true
}
