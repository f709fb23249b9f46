//go:build (linux || freebsd || openbsd || netbsd) && !wayland

package main

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>

// iconify asks the window manager to minimise the window (ICCCM WM_CHANGE_STATE, through
// XIconifyWindow) on a display connection of its own.
static int iconify(unsigned long w) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) return 0;
	Status ok = XIconifyWindow(d, (Window)w, DefaultScreen(d));
	XFlush(d);
	XCloseDisplay(d);
	return ok != 0;
}
*/
import "C"

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// minimizeWindow minimises w to the taskbar (X11). UI goroutine.
func minimizeWindow(w fyne.Window) (ok bool) {
	nw, native := w.(driver.NativeWindow)
	if !native {
		return false
	}
	nw.RunNative(func(ctx any) {
		if x, isX := ctx.(driver.X11WindowContext); isX && x.WindowHandle != 0 {
			ok = C.iconify(C.ulong(x.WindowHandle)) != 0
		}
	})
	return ok
}
