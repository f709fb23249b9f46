// Package freedesktop speaks to the Linux (and BSD) desktop over the D-Bus session bus: whether a
// system tray host (a StatusNotifierWatcher) is there, now and as it comes and goes; and desktop
// notifications (org.freedesktop.Notifications) with the app's name and icon, a normal expiry and
// a "Copy" action whose click is handled.
//
// Everything takes a *dbus.Conn of its own (a private connection, closed by its owner), so that
// the signals it listens to and the goroutines it starts end with that connection or the context.
package freedesktop
