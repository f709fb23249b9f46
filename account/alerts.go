package account

import (
	"fmt"
	"strings"
	"time"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/safetext"
)

// Notifier shows a desktop notification (Fyne: app.SendNotification). It must not block long.
type Notifier interface {
	Notify(title, body string)
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(title, body string)

// Notify calls f.
func (f NotifierFunc) Notify(title, body string) { f(title, body) }

// CopyNotifier is a Notifier whose notifications can carry a "Copy" button: copy runs when it is
// clicked (on the notifier's goroutine). The alerts use it for codes and delivered accounts.
type CopyNotifier interface {
	Notifier
	NotifyCopy(title, body string, copy func())
}

// Copier puts a secret on the clipboard and clears it later; it reports whether the copy
// worked. The clipboard service (clip.Service) implements it.
type Copier interface {
	CopySecret(value string) error
}

// Format writes the notification of an event; copied says whether its secret is on the
// clipboard now. An empty title sends no notification.
type Format func(ev Event, copied bool) (title, body string)

// AlertParams configure Alerts.
type AlertParams struct {
	Settings func() Settings // required: the current settings
	Notifier Notifier        // nil: no notifications
	Copier   Copier          // nil: nothing is copied
	Format   Format          // nil: DefaultText
	Clock    Clock           // nil: SystemClock
	Logf     func(format string, args ...any)
}

// Alerts is the listener that turns announced events into desktop notifications and copies of
// new codes (and, if chosen, credentials): the copy first, then the notification, which says
// "copied" only when the copy worked.
type Alerts struct {
	p AlertParams
}

// replayCopyWithin: a replayed code or credential older than this is not copied any more (it
// would overwrite whatever the user has copied since, for a stale value).
const replayCopyWithin = 2 * time.Minute

// NewAlerts makes the alerts listener; subscribe its Handle to the service.
func NewAlerts(p AlertParams) *Alerts {
	if p.Format == nil {
		p.Format = DefaultText
	}
	if p.Clock == nil {
		p.Clock = SystemClock{}
	}
	if p.Logf == nil {
		p.Logf = func(string, ...any) {}
	}
	if p.Settings == nil {
		p.Settings = DefaultSettings
	}
	return &Alerts{p: p}
}

// Handle alerts about one event. Only stored events (announced once) alert.
func (a *Alerts) Handle(ev Event) {
	if !ev.Stored() {
		return
	}
	settings := a.p.Settings()
	notify := false
	switch ev.Kind {
	case KindStatusChanged:
		notify = (ev.Terminal || settings.NotifyAllStatuses) && !ev.quiet
	case KindDelivered, KindCodeReceived, KindNumberExpired, KindLowBalance, KindBackInStock, KindPriceDrop, KindNewVariant:
		notify = true
	}
	notify = notify && settings.Notifications && a.p.Notifier != nil

	value := copyValue(ev) // what a "Copy" button would copy
	var secret string
	recent := !ev.Replayed || a.p.Clock.Now().Sub(ev.At) <= replayCopyWithin
	switch {
	case !recent:
	case ev.Kind == KindCodeReceived && settings.AutoCopyCodes, ev.Kind == KindDelivered && settings.AutoCopyCredentials:
		secret = value
	}
	copied := false
	if secret != "" && a.p.Copier != nil {
		if err := a.copy(secret); err != nil {
			a.p.Logf("alerts: copying %v: %v", ev, err)
		} else {
			copied = true
		}
	}
	if !notify {
		return
	}
	// The formatter never sees credentials, and sees the code only if it is to be shown.
	fe := ev
	fe.Deliveries = nil
	if ev.Kind == KindCodeReceived && settings.ShowCodeInNotification {
		fe.Deliveries = ev.Deliveries
	}
	title, body := a.format(fe, copied)
	if title == "" {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			a.p.Logf("alerts: the notifier panicked on %v: %v", ev, r)
		}
	}()
	if cn, ok := a.p.Notifier.(CopyNotifier); ok && value != "" && a.p.Copier != nil {
		cn.NotifyCopy(title, body, func() {
			if err := a.copy(value); err != nil {
				a.p.Logf("alerts: copying from the notification of %v: %v", ev, err)
			}
		})
		return
	}
	a.p.Notifier.Notify(title, body)
}

// copyValue is what copying an event's delivery puts on the clipboard: the latest code of a
// number, the accounts of a delivery one per line; "" for other events.
func copyValue(ev Event) string {
	if len(ev.Deliveries) == 0 {
		return ""
	}
	switch ev.Kind {
	case KindCodeReceived:
		return ev.Deliveries[len(ev.Deliveries)-1].Value
	case KindDelivered:
		vals := make([]string, len(ev.Deliveries))
		for i, d := range ev.Deliveries {
			vals[i] = d.Value
		}
		return strings.Join(vals, "\n")
	}
	return ""
}

func (a *Alerts) copy(secret string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the clipboard panicked: %v", r)
		}
	}()
	return a.p.Copier.CopySecret(secret)
}

func (a *Alerts) format(ev Event, copied bool) (title, body string) {
	defer func() {
		if r := recover(); r != nil {
			a.p.Logf("alerts: the notification formatter panicked on %v: %v", ev, r)
			title, body = DefaultText(ev, copied)
		}
	}()
	return a.p.Format(ev, copied)
}

// Words are the language of notifications: L gives a text in it (the English text is the key),
// N a text about n things in the plural form of n, Money an amount. The window passes its
// translations (gui.NotificationText); English (DefaultText) is the fallback.
type Words struct {
	L     func(key string) string
	N     func(key string, n int) string
	Money func(d client.Decimal) string
}

// englishOne are the singular forms of the English texts that count things.
var englishOne = map[string]string{"%s: %d accounts delivered": "%s: %d account delivered"}

// English are the notification words when the window gives none.
var English = Words{
	L: func(key string) string { return key },
	N: func(key string, n int) string {
		if one, ok := englishOne[key]; ok && n == 1 {
			return one
		}
		return key
	},
	Money: func(d client.Decimal) string { return d.String() },
}

// DefaultText is the default notification text of an event, in English; title "" means no
// notification. It never includes account credentials; it includes an SMS code only when the
// event carries it (the alerts pass it only with Settings.ShowCodeInNotification).
func DefaultText(ev Event, copied bool) (title, body string) { return English.Text(ev, copied) }

// Text is the notification of an event in these words (a Format); see DefaultText.
func (words Words) Text(ev Event, copied bool) (title, body string) {
	// What the server sent is cleaned and bounded: a notification is a screen too.
	ev.Label, ev.Phone = safetext.Short(ev.Label, 80), safetext.Short(ev.Phone, 32)
	ev.Status, ev.Currency = safetext.Short(ev.Status, 40), safetext.Short(ev.Currency, 16)
	name := func() string {
		if ev.Label != "" {
			return fmt.Sprintf(words.L("%s (order #%d)"), ev.Label, ev.Order)
		}
		return fmt.Sprintf(words.L("Order #%d"), ev.Order)
	}
	number := func() string {
		if ev.Phone != "" {
			return ev.Phone
		}
		return fmt.Sprintf(words.L("number #%d"), ev.Order)
	}
	switch ev.Kind {
	case KindStatusChanged:
		return name() + ": " + ev.Status, fmt.Sprintf(words.L("The order is now %s."), ev.Status)
	case KindDelivered:
		title = fmt.Sprintf(words.N("%s: %d accounts delivered", ev.Count), name(), ev.Count)
		body = words.L("Open HstockPlus to see them.")
		if ev.Status != "" {
			body = fmt.Sprintf(words.L("The order is now %s."), ev.Status) + " " + body
		}
		if copied {
			body += " " + words.L("Copied to the clipboard.")
		}
		return title, body
	case KindCodeReceived:
		title = fmt.Sprintf(words.L("SMS code for %s"), number())
		if len(ev.Deliveries) > 0 {
			body = fmt.Sprintf(words.L("Code: %s."), safetext.Short(ev.Deliveries[len(ev.Deliveries)-1].Value, 40))
		} else {
			body = words.L("A code arrived.")
		}
		if copied {
			body += " " + words.L("Copied to the clipboard.")
		} else {
			body += " " + words.L("Open HstockPlus to see it.")
		}
		return title, body
	case KindNumberExpired:
		return words.L("Number expired"), fmt.Sprintf(words.L("%s expired without receiving a code."), number())
	case KindLowBalance:
		return words.L("Low balance"), fmt.Sprintf(words.L("Your balance is %s %s, below %s."), words.Money(ev.Balance), ev.Currency, words.Money(ev.Threshold))
	case KindBackInStock, KindPriceDrop, KindNewVariant:
		return words.watchText(ev)
	}
	return "", ""
}
