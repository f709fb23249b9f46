//go:build !(linux || freebsd || openbsd || netbsd)

package main

import "context"

// startDesktop: Windows and macOS always have a tray (notification area, menu bar); Fyne sends
// the notifications.
func startDesktop(context.Context, desktopParams) desktopLink {
	return desktopLink{bus: true, tray: true}
}
