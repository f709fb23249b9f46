package clip

import (
	"os"
	"os/exec"
	"runtime"
)

// HelperRelease is what empties the clipboard once the app's window is gone, on the desktops
// where atotto's helper (xclip, xsel, wl-copy) keeps a process serving what was copied: it asks
// the desktop to drop the selection (`wl-copy --clear` on Wayland, `xsel --clipboard --clear` on
// X11), so that neither the text nor a process is left. Nil elsewhere (Windows and macOS keep no
// helper), or when no such tool is installed (clearing then writes "" through atotto, and the
// helper left serves nothing of ours).
func HelperRelease() func() error {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios", "js":
		return nil
	}
	var cmd []string
	switch {
	case os.Getenv("WAYLAND_DISPLAY") != "":
		cmd = []string{"wl-copy", "--clear"}
	case os.Getenv("DISPLAY") != "":
		cmd = []string{"xsel", "--clipboard", "--clear"}
	default:
		return nil
	}
	path, err := exec.LookPath(cmd[0])
	if err != nil {
		return nil
	}
	return func() error { return exec.Command(path, cmd[1:]...).Run() }
}
