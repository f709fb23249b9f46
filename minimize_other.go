//go:build !((linux || freebsd || openbsd || netbsd) && !wayland)

package main

import "fyne.io/fyne/v2"

// minimizeWindow: only needed where a desktop can lack a tray (Linux); elsewhere closing the
// window without a tray quits.
func minimizeWindow(fyne.Window) bool { return false }
