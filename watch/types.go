package watch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// API is what the poller asks the server; *client.Client implements it.
type API interface {
	Status(ctx context.Context, order int64) (*client.OrderStatus, error)
	SMSCode(ctx context.Context, order int64) (*client.SMSCode, error)
	SMSStatus(ctx context.Context, order int64) (*client.SMSStatus, error)
	Balance(ctx context.Context) (*client.Balance, error)
}

// ClientOptions are the options to add to a *client.Client made for the poller: no retries
// (the poller backs off per item and honours Retry-After itself) and no client-side limiter
// (the poller has its own), so that the poller's rate limit is the bound the server sees.
func ClientOptions() []client.Option {
	return []client.Option{client.WithRetry(1, 0, 0), client.WithRateLimit(0, 1)}
}

// Notifier shows a desktop notification (Fyne: app.SendNotification). It must not block.
type Notifier interface {
	Notify(title, body string)
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(title, body string)

// Notify calls f.
func (f NotifierFunc) Notify(title, body string) { f(title, body) }

// Kind is what an Event announces.
type Kind string

// Event kinds. The first six are stored (cache events) and notified once; the last three are
// states, sent to listeners only.
const (
	// KindStatusChanged: order Order has a new Status (Terminal when it is final).
	KindStatusChanged Kind = "status_changed"
	// KindDelivered: Count accounts were delivered for order Order (Deliveries holds them).
	KindDelivered Kind = "delivered"
	// KindSMSStatus: SMS number Order has a new Status.
	KindSMSStatus Kind = "sms_status"
	// KindCodeReceived: a code arrived for SMS number Order (Deliveries holds it).
	KindCodeReceived Kind = "code_received"
	// KindNumberExpired: SMS number Order expired without a code.
	KindNumberExpired Kind = "number_expired"
	// KindLowBalance: the balance (Balance, Currency) fell below Threshold.
	KindLowBalance Kind = "low_balance"

	// KindBalance: a new balance was read (Balance, Currency). Not stored.
	KindBalance Kind = "balance"
	// KindOffline: the API stopped answering (Err says how). Not stored.
	KindOffline Kind = "offline"
	// KindOnline: the API answers again. Not stored.
	KindOnline Kind = "online"
)

// Store event kinds of the events the poller records itself.
const (
	storeNumberExpired cache.EventKind = "number_expired"
	storeLowBalance    cache.EventKind = "low_balance"
)

// Event is what listeners receive. Deliveries carries secrets (credentials, codes): show them,
// never log them (Event's and cache.Delivery's String methods redact them). Listeners share the
// value: treat it as read-only.
type Event struct {
	Kind Kind
	// ID is the store's event id (0 for events that are not stored).
	ID uint64
	At time.Time
	// Order is the order or SMS order id.
	Order int64
	// Label is the service or project name, Phone the SMS number, when known.
	Label string
	Phone string
	// Status is the new status (KindStatusChanged, KindSMSStatus; for KindDelivered the status
	// that came with the delivery, if it changed with it).
	Status   string
	Terminal bool
	// Count is the number of new deliveries.
	Count      int
	Deliveries []cache.Delivery
	// Balance and Currency: KindBalance, KindLowBalance (Threshold is the setting crossed).
	Balance   client.Decimal
	Currency  string
	Threshold client.Decimal
	// Err says why the poller is offline (KindOffline).
	Err error
	// Replayed: the event was stored before the app last stopped and is handed out now.
	Replayed bool
	// Notified: a notification was sent for it. Copied: its secret was handed to the clipboard.
	Notified bool
	Copied   bool
}

// String describes the event without its secrets.
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "watch.Event{%s", e.Kind)
	if e.ID != 0 {
		fmt.Fprintf(&b, " #%d", e.ID)
	}
	if e.Order != 0 {
		fmt.Fprintf(&b, " order %d", e.Order)
	}
	if e.Status != "" {
		fmt.Fprintf(&b, " status %q", e.Status)
	}
	if e.Count != 0 {
		fmt.Fprintf(&b, " count %d", e.Count)
	}
	if e.Kind == KindBalance || e.Kind == KindLowBalance {
		fmt.Fprintf(&b, " balance %s %s", e.Balance, e.Currency)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " err %v", e.Err)
	}
	if e.Replayed {
		b.WriteString(" replayed")
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String.
func (e Event) GoString() string { return e.String() }

// Settings are the user's choices; SetSettings changes them while the poller runs.
type Settings struct {
	// AutoCopyCodes copies a new SMS code to the clipboard (default true).
	AutoCopyCodes bool
	// AutoCopyCredentials copies newly delivered credentials, one per line (default false).
	AutoCopyCredentials bool
	// ClearAfter clears a copied secret from the clipboard after this long if the clipboard
	// still holds it (default 30 s; 0 or less: never).
	ClearAfter time.Duration
	// ShowCodeInNotification puts the SMS code in its notification (default false: masked).
	ShowCodeInNotification bool
	// NotifyAllStatuses notifies every status change of an order; by default only final ones.
	NotifyAllStatuses bool
	// LowBalance notifies once when the balance falls below it (zero: never).
	LowBalance client.Decimal
}

// DefaultSettings are the settings of a new install.
func DefaultSettings() Settings {
	return Settings{AutoCopyCodes: true, ClearAfter: 30 * time.Second}
}

// Options configure a Poller. The zero value works (no notifier, no clipboard, defaults).
type Options struct {
	Notifier  Notifier
	Clipboard Clipboard
	// Settings are the initial settings (nil: DefaultSettings).
	Settings *Settings
	// Schedule (nil: DefaultSchedule; zero fields: their default).
	Schedule *Schedule
	// RatePerSecond and Burst limit the requests the poller sends (default 4 per second,
	// burst 4); MaxInFlight bounds those in flight at once (default 4).
	RatePerSecond float64
	Burst         int
	MaxInFlight   int
	// RequestTimeout bounds one request (default 30 s).
	RequestTimeout time.Duration
	// Format writes a notification (nil: DefaultText). It gets the event without account
	// credentials, and without the SMS code unless Settings.ShowCodeInNotification. An empty
	// title sends no notification.
	Format func(Event) (title, body string)
	// Clock (nil: SystemClock).
	Clock Clock
	// Logf receives notes and errors (never a secret). Nil discards them.
	Logf func(format string, args ...any)
}

// Defaults of Options.
const (
	DefaultRatePerSecond  = 4.0
	DefaultBurst          = 4
	DefaultMaxInFlight    = 4
	DefaultRequestTimeout = 30 * time.Second
)

// Stats are the poller's counters.
type Stats struct {
	// Orders and Numbers are being tracked.
	Orders, Numbers int
	InFlight        int
	// Requests counts the API requests sent since New; Failures those that failed.
	Requests, Failures int64
	Online             bool
	// Unmarked counts events stored but not yet marked notified (the mark failed: retried).
	Unmarked int
	// Rate is the current request rate limit (per second).
	Rate float64
}

// DefaultText is the default notification text of an event, in English; title "" means no
// notification. It never includes account credentials; it includes an SMS code only when the
// event carries it (the poller passes it only with Settings.ShowCodeInNotification).
func DefaultText(ev Event) (title, body string) {
	name := func() string {
		if ev.Label != "" {
			return fmt.Sprintf("%s (order #%d)", ev.Label, ev.Order)
		}
		return fmt.Sprintf("Order #%d", ev.Order)
	}
	number := func() string {
		if ev.Phone != "" {
			return ev.Phone
		}
		return fmt.Sprintf("number #%d", ev.Order)
	}
	switch ev.Kind {
	case KindStatusChanged:
		return name() + ": " + ev.Status, "The order is now " + ev.Status + "."
	case KindDelivered:
		title = fmt.Sprintf("%s: %s delivered", name(), plural(ev.Count, "account", "accounts"))
		body = "Open HstockPlus to see them."
		if ev.Status != "" {
			body = "The order is now " + ev.Status + ". " + body
		}
		if ev.Copied {
			body += " Copied to the clipboard."
		}
		return title, body
	case KindCodeReceived:
		title = "SMS code for " + number()
		switch {
		case len(ev.Deliveries) > 0:
			body = "Code: " + ev.Deliveries[len(ev.Deliveries)-1].Value
		default:
			body = "A code arrived."
		}
		if ev.Copied {
			body += " Copied to the clipboard."
		} else {
			body += " Open HstockPlus to see it."
		}
		return title, body
	case KindNumberExpired:
		return "Number expired", number() + " expired without receiving a code."
	case KindLowBalance:
		return "Low balance", fmt.Sprintf("Your balance is %s %s, below %s.", ev.Balance, ev.Currency, ev.Threshold)
	}
	return "", ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
