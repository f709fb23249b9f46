// Package fdtest gives tests a D-Bus session bus of their own, a notification server stub and a
// tray host to start and stop.
package fdtest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// The notification server's bus name, object and interface.
const (
	Name  = "org.freedesktop.Notifications"
	Path  = dbus.ObjectPath("/org/freedesktop/Notifications")
	Iface = "org.freedesktop.Notifications"
)

// PrivateBus starts a dbus-daemon of the test's own and returns its address.
func PrivateBus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("HSTOCKPLUS_TEST_DBUS") == "required" { // make test: the D-Bus tests must run
			t.Fatal("dbus-daemon is not installed (scripts/deps.sh installs it)")
		}
		t.Skip("dbus-daemon is not installed")
	}
	// A bus of its own with no services to start on demand (the machine's notification daemon,
	// say): what is on it is what the test put there.
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=`+dir+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+conf, "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		return addr
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon did not start")
	}
	return ""
}

// Connect opens a connection to the bus at addr, closed with the test.
func Connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// Own takes a well-known name on conn.
func Own(t *testing.T, conn *dbus.Conn, name string) {
	t.Helper()
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName %s: %v %v", name, reply, err)
	}
}

// Eventually waits for cond.
func Eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Server is a notification server (org.freedesktop.Notifications): it records every Notify.
type Server struct {
	conn    *dbus.Conn
	caps    []string
	mu      sync.Mutex
	notes   []Note
	counter uint32
}

// Note is one Notify call.
type Note struct {
	ID                       uint32
	App, Icon, Summary, Body string
	Actions                  []string
	Hints                    map[string]dbus.Variant
	Timeout                  int32
}

func (s *Server) GetCapabilities() ([]string, *dbus.Error) { return s.caps, nil }

func (s *Server) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counter++
	s.notes = append(s.notes, Note{s.counter, app, icon, summary, body, actions, hints, timeout})
	return s.counter, nil
}

// All is every notification so far.
func (s *Server) All() []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Note(nil), s.notes...)
}

// Click emits ActionInvoked as a server does when a button is pressed.
func (s *Server) Click(t *testing.T, id uint32, key string) {
	t.Helper()
	if err := s.conn.Emit(Path, Iface+".ActionInvoked", id, key); err != nil {
		t.Fatal(err)
	}
}

// Close emits NotificationClosed for id.
func (s *Server) Close(t *testing.T, id uint32) {
	t.Helper()
	if err := s.conn.Emit(Path, Iface+".NotificationClosed", id, uint32(2)); err != nil {
		t.Fatal(err)
	}
}

// StartServer puts a notification server with these capabilities on the bus at addr.
func StartServer(t *testing.T, addr string, caps ...string) *Server {
	t.Helper()
	s := &Server{conn: Connect(t, addr), caps: caps}
	if err := s.conn.Export(s, Path, Iface); err != nil {
		t.Fatal(err)
	}
	Own(t, s.conn, Name)
	return s
}
