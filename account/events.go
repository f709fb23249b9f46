package account

import (
	"fmt"
	"strings"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// Kind is what an Event announces.
type Kind string

// Event kinds. The first six (and the watch list's: KindBackInStock…) are stored (cache events) and announced once across restarts; the
// others are states and journal changes, sent to listeners only.
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

	// KindBalance: a new balance was read (Balance, Currency). Not stored as an event.
	KindBalance Kind = "balance"
	// KindOffline: the API stopped answering (Err says how). Not stored.
	KindOffline Kind = "offline"
	// KindOnline: the API answers again. Not stored.
	KindOnline Kind = "online"
	// KindJournal: a spend (order or SMS purchase) was journaled or settled: Spend is the entry
	// as it stands, Order / Numbers what it produced. Not stored as an event.
	KindJournal Kind = "journal"
)

// Store event kinds of the events this package records itself.
const (
	storeNumberExpired cache.EventKind = "number_expired"
	storeLowBalance    cache.EventKind = "low_balance"
)

// Event is what listeners receive. Deliveries carries secrets (credentials, codes): show them,
// never log them (Event's and Delivery's String methods redact them). Listeners share the value:
// treat it as read-only.
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
	Deliveries []Delivery
	// OrderRec is the order as stored after the change (order events, KindJournal); NumberRec the
	// SMS number likewise (SMS events). The window updates its rows from them.
	OrderRec  *Order
	NumberRec *SMSNumber
	// Spend and Numbers: KindJournal.
	Spend   *Spend
	Numbers []SMSNumber
	// Balance and Currency: KindBalance, KindLowBalance (Threshold is the setting crossed).
	Balance   client.Decimal
	Currency  string
	Threshold client.Decimal
	// Service, Stock, Price, OldPrice, Variant: a watched item's events (KindBackInStock,
	// KindPriceDrop with Threshold when the user set one, KindNewVariant); Label is its name.
	Service  int64
	Stock    int64
	Price    client.Decimal
	OldPrice client.Decimal
	Variant  string
	// Err says why the API is not reachable (KindOffline).
	Err error
	// Pace is the poller's new pace (KindPace).
	Pace Pace
	// Replayed: the event was stored before the app last stopped and is handed out now.
	Replayed bool

	// quiet: an order's status change announced with a delivery in the same answer; the
	// delivery's notification says the status.
	quiet bool
}

// String describes the event without its secrets.
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "account.Event{%s", e.Kind)
	if e.ID != 0 {
		fmt.Fprintf(&b, " #%d", e.ID)
	}
	if e.Order != 0 {
		fmt.Fprintf(&b, " order %d", e.Order)
	}
	if e.Service != 0 {
		fmt.Fprintf(&b, " service %d", e.Service)
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
	if e.Spend != nil {
		fmt.Fprintf(&b, " spend %d %s", e.Spend.ID, e.Spend.State)
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

// Stored reports whether the event is one of the stored kinds, announced exactly once.
func (e Event) Stored() bool { return e.ID != 0 }

// Settings are the user's choices that the service layer and the alerts apply.
type Settings struct {
	// AutoCopyCodes copies a new SMS code to the clipboard (default true).
	AutoCopyCodes bool
	// AutoCopyCredentials copies newly delivered credentials, one per line (default false).
	AutoCopyCredentials bool
	// ShowCodeInNotification puts the SMS code in its notification (default false: masked).
	ShowCodeInNotification bool
	// NotifyAllStatuses notifies every status change of an order; by default only final ones.
	NotifyAllStatuses bool
	// Notifications: desktop notifications at all (default true).
	Notifications bool
	// LowBalance announces once when the balance falls below it (zero: never).
	LowBalance client.Decimal
}

// DefaultSettings are the settings of a new install.
func DefaultSettings() Settings {
	return Settings{AutoCopyCodes: true, Notifications: true}
}
