//go:build linux

package clip

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startXvfb starts a virtual X server on a free display (:90 to :99) and points DISPLAY at it.
func startXvfb(t *testing.T) string {
	t.Helper()
	for n := 90; n <= 99; n++ {
		sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		if _, err := os.Stat(sock); err == nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		display := ":" + strconv.Itoa(n)
		cmd := exec.Command("Xvfb", display, "-screen", "0", "640x480x24", "-nolisten", "tcp")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting Xvfb: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			// SIGTERM lets Xvfb remove its lock file and socket (a SIGKILL would leave them,
			// and the display would look taken to the next run).
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
				_ = os.Remove(sock)
				_ = os.Remove(fmt.Sprintf("/tmp/.X%d-lock", n))
			}
		})
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			select {
			case <-exited:
				t.Fatalf("Xvfb %s exited: %s", display, stderr.String())
			default:
			}
			if _, err := os.Stat(sock); err == nil {
				t.Setenv("DISPLAY", display)
				return display
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("Xvfb %s did not come up: %s", display, stderr.String())
	}
	t.Skip("no free X display between :90 and :99")
	return ""
}

// xclipHelpers lists the live (not zombie) xclip processes serving display.
func xclipHelpers(t *testing.T, display string) []int {
	t.Helper()
	out, err := exec.Command("pgrep", "-x", "xclip").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return nil // none
		}
		t.Fatalf("pgrep: %v", err)
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", f, "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// The state is the field after the parenthesised command name.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			continue
		}
		// Only the helpers of our display: other xclips may run on this machine.
		env, err := os.ReadFile(filepath.Join("/proc", f, "environ"))
		if err == nil && !bytes.Contains(append([]byte{0}, env...), []byte("\x00DISPLAY="+display+"\x00")) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

func readClipboard() (string, error) {
	out, err := exec.Command("xclip", "-o", "-selection", "clipboard").Output()
	return string(out), err
}

// TestX11CloseLeavesNoSecretNorHelper: on a real X server, a secret copied through atotto (xclip)
// is served by an xclip helper process; Close takes the clipboard back through the "UI" backend
// (xsel --clear standing in for the GUI toolkit taking the selection), so the secret is gone and
// the helper exits.
func TestX11CloseLeavesNoSecretNorHelper(t *testing.T) {
	for _, tool := range []string{"Xvfb", "xclip", "xsel", "pgrep"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s on PATH (Xvfb, xclip, xsel and pgrep): %v", tool, err)
		}
	}
	if os.Getenv("WAYLAND_DISPLAY") != "" {
		t.Skip("WAYLAND_DISPLAY is set: atotto chose wl-clipboard at init, not xclip")
	}
	display := startXvfb(t)
	sys := System()
	if sys == nil {
		t.Skip("atotto found no clipboard tool")
	}
	ui := Funcs{
		Read: readClipboard,
		Write: func(s string) error {
			if s != "" {
				return fmt.Errorf("this stand-in only clears")
			}
			return exec.Command("xsel", "--clipboard", "--clear").Run()
		},
	}
	for _, afterUI := range []bool{false, true} {
		name := "through the window"
		if afterUI {
			name = "after the window, through HelperRelease"
		}
		t.Run(name, func(t *testing.T) { x11CloseCase(t, display, sys, ui, afterUI) })
	}
}

// x11CloseCase copies a secret, closes the service and checks that neither the secret nor an
// xclip helper is left. afterUI: the window's event loop has ended (DetachUI) and the desktop is
// asked to drop the selection (HelperRelease), as after a quit by signal.
func x11CloseCase(t *testing.T, display string, sys, ui Backend, afterUI bool) {
	var logs []string
	p := Params{System: sys, UI: ui, Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }}
	if afterUI {
		p.Release = HelperRelease()
		if p.Release == nil {
			t.Fatal("HelperRelease found no way to drop the X11 selection (xsel is on PATH)")
		}
	}
	s := New(p)
	if afterUI {
		s.DetachUI()
	}

	secret := fmt.Sprintf("s3cret-%d", time.Now().UnixNano())
	if err := s.CopySecret(secret); err != nil {
		t.Fatalf("CopySecret: %v", err)
	}
	if got, err := readClipboard(); err != nil || got != secret {
		t.Fatalf("clipboard = %q, %v; want the secret", got, err)
	}
	if pids := xclipHelpers(t, display); len(pids) == 0 {
		t.Fatal("no xclip helper serves the copy")
	}

	s.Close()
	if got, err := readClipboard(); err == nil && got == secret {
		t.Fatal("the secret is still on the clipboard after Close")
	}
	var left []int
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if left = xclipHelpers(t, display); len(left) == 0 {
			break
		}
	}
	if len(left) != 0 {
		t.Fatalf("xclip helpers still running after Close: %v (logs %q)", left, logs)
	}
	if len(logs) != 0 {
		t.Fatalf("Close logged %q", logs)
	}
}
