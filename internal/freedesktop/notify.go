package freedesktop

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/godbus/dbus/v5"
)

const (
	notifyName  = "org.freedesktop.Notifications"
	notifyPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notifyIface = "org.freedesktop.Notifications"

	// ActionCopy is the key of the "Copy" action; ActionDefault the click on the notification.
	ActionCopy    = "copy"
	ActionDefault = "default"
)

// maxPending bounds the notifications whose actions are remembered.
const maxPending = 64

// ErrNoServer: no notification server on the bus.
var ErrNoServer = errors.New("freedesktop: no notification server on the session bus")

// Notification is one desktop notification.
type Notification struct {
	Title, Body string
	// Copy, when not nil, adds a "Copy" button (labelled CopyLabel) that runs it when clicked.
	Copy      func()
	CopyLabel string
}

// NotifierParams configure a Notifier.
type NotifierParams struct {
	AppName      string // "HstockPlus"
	Icon         string // a file path or an icon-theme name
	DesktopEntry string // the .desktop file's name without the extension
	// Open runs when the notification itself is clicked (the "default" action); nil: nothing.
	Open func()
	Logf func(format string, args ...any)
}

// Notifier sends notifications to org.freedesktop.Notifications and handles their actions.
// Actions run on the Notifier's own goroutine; they must hand any UI work over themselves.
type Notifier struct {
	p       NotifierParams
	conn    *dbus.Conn
	obj     dbus.BusObject
	actions bool // the server shows action buttons

	mu      sync.Mutex
	pending map[uint32]func() // id → its Copy action, until the notification closes
}

// NewNotifier connects the notifier to the server on conn and listens for its actions until
// ctx ends or conn closes. It fails with ErrNoServer when no server is there.
func NewNotifier(ctx context.Context, conn *dbus.Conn, p NotifierParams) (*Notifier, error) {
	if p.Logf == nil {
		p.Logf = func(string, ...any) {}
	}
	setup, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	var has bool
	if err := conn.BusObject().CallWithContext(setup, "org.freedesktop.DBus.NameHasOwner", 0, notifyName).Store(&has); err != nil {
		return nil, err
	}
	if !has {
		// Servers are often started on demand: ask whether one can be.
		var names []string
		if err := conn.BusObject().CallWithContext(setup, "org.freedesktop.DBus.ListActivatableNames", 0).Store(&names); err != nil || !slices.Contains(names, notifyName) {
			return nil, ErrNoServer
		}
	}
	n := &Notifier{p: p, conn: conn, obj: conn.Object(notifyName, notifyPath), pending: map[uint32]func(){}}
	var caps []string
	if err := n.obj.CallWithContext(setup, notifyIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return nil, err
	}
	n.actions = slices.Contains(caps, "actions")
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(notifyPath), dbus.WithMatchInterface(notifyIface)}
	if err := conn.AddMatchSignalContext(setup, match...); err != nil {
		return nil, err
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	go n.listen(ctx, signals)
	return n, nil
}

func (n *Notifier) listen(ctx context.Context, signals chan *dbus.Signal) {
	defer n.conn.RemoveSignal(signals)
	for {
		select {
		case <-ctx.Done():
			return
		case sig, ok := <-signals:
			if !ok || sig == nil {
				return
			}
			n.handle(sig)
		}
	}
}

func (n *Notifier) handle(sig *dbus.Signal) {
	if len(sig.Body) < 2 {
		return
	}
	id, _ := sig.Body[0].(uint32)
	switch sig.Name {
	case notifyIface + ".ActionInvoked":
		key, _ := sig.Body[1].(string)
		n.mu.Lock()
		copyFn, ours := n.pending[id]
		n.mu.Unlock()
		if !ours {
			return // another app's notification
		}
		switch key {
		case ActionCopy:
			if copyFn != nil {
				copyFn()
			}
		case ActionDefault:
			if n.p.Open != nil {
				n.p.Open()
			}
		}
	case notifyIface + ".NotificationClosed":
		n.mu.Lock()
		delete(n.pending, id)
		n.mu.Unlock()
	}
}

// Notify shows one notification. It keeps its Copy action until the server says it closed.
func (n *Notifier) Notify(ctx context.Context, note Notification) error {
	var actions []string
	if n.actions {
		actions = append(actions, ActionDefault, "")
		if note.Copy != nil {
			actions = append(actions, ActionCopy, note.CopyLabel)
		}
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}
	if n.p.DesktopEntry != "" {
		hints["desktop-entry"] = dbus.MakeVariant(n.p.DesktopEntry)
	}
	// The lock spans the call, so an action on the new id cannot arrive before it is recorded.
	n.mu.Lock()
	defer n.mu.Unlock()
	var id uint32
	// expire_timeout -1: the server's normal expiry (0 would keep it until dismissed).
	err := n.obj.CallWithContext(ctx, notifyIface+".Notify", 0, n.p.AppName, uint32(0), n.p.Icon,
		note.Title, note.Body, actions, hints, int32(-1)).Store(&id)
	if err != nil {
		return err
	}
	if n.actions {
		if len(n.pending) >= maxPending { // a server that never says "closed": forget the oldest
			oldest := id
			for k := range n.pending {
				oldest = min(oldest, k)
			}
			delete(n.pending, oldest)
		}
		n.pending[id] = note.Copy
	}
	return nil
}
